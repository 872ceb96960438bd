"""The releases file: one row per phase, its release's columns repeated on each.

A release without phases is one row with the phase columns empty. Rows of one release
must agree on the release's columns. Phases are created or updated by key, in the
file's order; stored phases the file does not mention keep their place after them.
A new release gets its first status-history row; a stored release whose status the file
changes takes the flow's step (``release_flow.step``), so a step off the flow, or to
``ready`` or ``deployed`` while a gate it needs is open or vetoed (``gate_rules``), is a
bad ``status`` cell, and a cancellation gives back the release's requests and bookings.
A new release that arrives ready or deployed gets the gates its status needs waived, by
the importer and audited (``_waive_for_first_status``): the documented way such a
record from another system obeys the gate rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlmodel import Session, col, select

from envsched import audit
from envsched.errors import GateNotPassed, InvalidInput, PermissionDenied
from envsched.lifecycle import (
    STATUS_STEPS,
    GateRef,
    InvalidTransition,
    blocking,
    check_plain_step,
    decide_in,
    record_status,
    step,
)
from envsched.models import (
    Environment,
    EnvironmentType,
    GateState,
    Phase,
    Release,
    ReleaseStatus,
    ReleaseType,
    User,
)
from envsched.transfer.rows import (
    Cells,
    Parsed,
    Record,
    RowError,
    duplicates,
    iso,
    joined,
    optional_joined,
)

RELEASE_FIELDS = (
    "release",
    "title",
    "release_type",
    "priority",
    "earliest_start",
    "due",
    "status",
    "owner",
)
PHASE_FIELDS = (
    "phase",
    "phase_name",
    "phase_type",
    "duration_days",
    "gap_days",
    "after",
    "required_tags",
    "environments",
    "phase_earliest_start",
)
RELEASE_COLUMNS = RELEASE_FIELDS + PHASE_FIELDS


def export_releases(session: Session) -> Iterator[Record]:
    for release in session.exec(select(Release).order_by(col(Release.key))).all():
        head = {
            "release": release.key,
            "title": release.title,
            "release_type": release.type.value,
            "priority": release.priority,
            "earliest_start": iso(release.earliest_start),
            "due": iso(release.due),
            "status": release.status.value,
            "owner": release.owner,
        }
        if not release.phases:
            yield head
        for p in release.phases:
            yield {
                **head,
                "phase": p.key,
                "phase_name": p.name,
                "phase_type": p.type.name,
                "duration_days": p.duration_days,
                "gap_days": p.gap_days,
                "after": optional_joined(p.after),
                "required_tags": joined(p.required_tags),
                "environments": optional_joined(p.environments),
                "phase_earliest_start": iso(p.earliest_start),
            }


def parse_release(cells: Cells) -> Record:
    earliest, due = cells.date("earliest_start"), cells.date("due")
    if earliest and due and earliest >= due:
        cells.fail("due", f"{due} must be after earliest_start {earliest}")
    record: Record = {
        "release": cells.text("release", required=True),
        "title": cells.text("title", limit=2000),
        "release_type": cells.choice("release_type", ReleaseType, ReleaseType.MINOR),
        "priority": cells.integer("priority", default=1, minimum=1),
        "earliest_start": earliest,
        "due": due,
        "status": cells.choice("status", ReleaseStatus, ReleaseStatus.PLANNED),
        "owner": cells.text("owner"),
        "phase": cells.text("phase"),
    }
    if record["phase"]:
        record.update(_parse_phase(cells))
    return record


def _parse_phase(cells: Cells) -> Record:
    if not cells.texts.get("duration_days"):
        cells.fail("duration_days", "required for a phase, but empty")
    return {
        "phase_name": cells.text("phase_name"),
        "phase_type": cells.text("phase_type", required=True),
        "duration_days": cells.integer("duration_days", default=1, minimum=1),
        "gap_days": cells.integer("gap_days", default=0, minimum=0),
        "after": cells.optional_names("after"),
        "required_tags": sorted(set(cells.names("required_tags"))),
        "environments": cells.optional_names("environments"),
        "phase_earliest_start": cells.date("phase_earliest_start"),
    }


def apply_releases(
    session: Session, parsed: Parsed, actor: User | None, now: dt.datetime
) -> list[RowError]:
    groups: dict[str, Parsed] = {}
    for cells, record in parsed:
        groups.setdefault(record["release"], []).append((cells, record))
    errors = duplicates([(c, r) for c, r in parsed if r["phase"]], "phase")
    for rows in groups.values():
        errors += _disagreements(rows)
        try:
            release, new = _upsert_release(session, rows[0][1], actor, now)
        except (InvalidTransition, GateNotPassed) as exc:
            errors.append(RowError(rows[0][0].row, "status", exc.message))
            continue
        errors += _apply_phases(session, release, rows, actor, now)
        if new:
            errors += _waive_for_first_status(session, release, rows[0][0], actor, now)
    return errors


def _waive_for_first_status(
    session: Session, release: Release, cells: Cells, actor: User | None, now: dt.datetime
) -> list[RowError]:
    """A new release that arrives ready or deployed was let through its gates elsewhere:
    each gate its status needs is waived, by the importer (who must be one who may waive)
    and audited, so the rule holds here too and the KPIs count it as without sign-off."""
    session.flush()
    session.refresh(release, ["phases"])
    step = STATUS_STEPS.get(release.status)
    held = blocking(session, release, step) if step else []
    reason = f"imported as {release.status.value}: the gate was decided outside envsched"
    try:
        for gate in held:
            decide_in(
                session,
                GateRef(release.key, gate.phase, gate.kind),
                GateState.WAIVED,
                reason,
                actor=actor,
                now=now,
            )
    except PermissionDenied as exc:
        return [RowError(cells.row, "status", exc.message)]
    return []


def _disagreements(rows: Parsed) -> list[RowError]:
    first_cells, first = rows[0]
    return [
        RowError(cells.row, key, f"differs from row {first_cells.row} of the same release")
        for cells, record in rows[1:]
        for key in RELEASE_FIELDS
        if record[key] != first[key]
    ]


def _upsert_release(
    session: Session, record: Record, actor: User | None, now: dt.datetime
) -> tuple[Release, bool]:
    """The release, stored or new, and whether it is new."""
    release = session.exec(select(Release).where(Release.key == record["release"])).first()
    before = audit.snapshot(release)
    release = release or Release(key=record["release"], status=record["status"])
    release.title, release.type = record["title"], record["release_type"]
    release.priority = record["priority"]
    release.earliest_start, release.due = record["earliest_start"], record["due"]
    release.owner = record["owner"]
    session.add(release)
    audit.record(
        session,
        actor=actor,
        now=now,
        action="import" if before is None else "update",
        row=release,
        before=before,
    )
    if before is None:
        record_status(session, release, None, actor=actor, now=now, reason="imported")
    elif record["status"] != release.status:
        check_plain_step(release, record["status"])
        step(session, release, record["status"], actor=actor, now=now, reason="imported")
    return release, before is None


def _apply_phases(
    session: Session, release: Release, rows: Parsed, actor: User | None, now: dt.datetime
) -> list[RowError]:
    assert release.id is not None
    stored = list(
        session.exec(
            select(Phase).where(Phase.release_id == release.id).order_by(col(Phase.position))
        ).all()
    )
    keys = {p.key for p in stored} | {r["phase"] for _, r in rows if r["phase"]}
    errors, placed = [], []
    for cells, record in rows:
        if not record["phase"]:
            continue
        try:
            placed.append(_upsert_phase(session, release.id, record, keys, actor, now))
        except InvalidInput as exc:
            errors.append(RowError(cells.row, exc.field, exc.problem))
    for position, phase in enumerate(placed + [p for p in stored if p not in placed]):
        phase.position = position
    return errors


def _upsert_phase(
    session: Session,
    release_id: int,
    record: Record,
    keys: set[str],
    actor: User | None,
    now: dt.datetime,
) -> Phase:
    phase = session.exec(select(Phase).where(Phase.key == record["phase"])).first()
    if phase is not None and phase.release_id != release_id:
        raise InvalidInput("phase", f"{record['phase']!r} belongs to another release")
    _check_references(session, record, keys)
    before = audit.snapshot(phase)
    phase = phase or Phase(
        key=record["phase"], release_id=release_id, type_id=0, duration_days=record["duration_days"]
    )
    phase.type_id = _type_named(session, record["phase_type"])
    phase.name, phase.duration_days = record["phase_name"], record["duration_days"]
    phase.gap_days, phase.after = record["gap_days"], record["after"]
    phase.required_tags, phase.environments = record["required_tags"], record["environments"]
    phase.earliest_start = record["phase_earliest_start"]
    session.add(phase)
    audit.record(
        session,
        actor=actor,
        now=now,
        action="import" if before is None else "update",
        row=phase,
        before=before,
    )
    return phase


def _check_references(session: Session, record: Record, keys: set[str]) -> None:
    unknown = [k for k in record["after"] or () if k not in keys or k == record["phase"]]
    if unknown:
        raise InvalidInput("after", f"no other phase {', '.join(unknown)} in this release")
    names = record["environments"] or []
    known = set(
        session.exec(select(Environment.name).where(col(Environment.name).in_(names))).all()
    )
    if missing := [n for n in names if n not in known]:
        raise InvalidInput("environments", f"no environment named {', '.join(missing)}")
    if record["environments"] == []:
        raise InvalidInput("environments", "an empty list admits no environment")


def _type_named(session: Session, name: str) -> int:
    found = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
    if found is None or found.id is None:
        raise InvalidInput("phase_type", f"no environment type {name!r}")
    return found.id


def phase_named(session: Session, key: str) -> Phase:
    phase = session.exec(select(Phase).where(Phase.key == key)).first()
    if phase is None:
        raise InvalidInput("phase", f"no phase {key!r}")
    return phase
