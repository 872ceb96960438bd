"""What each transfer file holds: environments, releases with phases, bookings.

Per kind: its columns, ``export`` (stored rows to records), ``parse`` (one row's cells
to a record, noting bad cells) and ``apply`` (records into the session, returning the
rows the database refuses). Environments and releases are created or updated by name
or key; bookings are always added, each checked like a direct booking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking import check_placement, check_quota
from envsched.errors import BookingConflict, GateNotPassed, InvalidInput
from envsched.inventory import change_capacity, check_fits, lock_environment, name_problem
from envsched.lifecycle import check_start
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    Component,
    Environment,
    EnvironmentStatus,
    User,
)
from envsched.transfer.releases import (
    RELEASE_COLUMNS,
    apply_releases,
    export_releases,
    parse_release,
    phase_named,
)
from envsched.transfer.rows import (
    Cells,
    Parsed,
    Record,
    RowError,
    duplicates,
    iso,
    joined,
    type_id,
)


@dataclass(frozen=True)
class Kind:
    columns: tuple[str, ...]
    required: tuple[str, ...]
    export: Callable[[Session], Iterator[Record]]
    parse: Callable[[Cells], Record]
    apply: Callable[[Session, Parsed, User | None, dt.datetime], list[RowError]]


# -- environments -----------------------------------------------------------------------------

ENVIRONMENT_COLUMNS = (
    "name",
    "type",
    "capacity",
    "changeover_days",
    "status",
    "tags",
    "owner",
    "description",
    "components",
)


def export_environments(session: Session) -> Iterator[Record]:
    for env in session.exec(select(Environment).order_by(col(Environment.name))).all():
        yield {
            "name": env.name,
            "type": env.type.name,
            "capacity": env.capacity,
            "changeover_days": env.changeover_days,
            "status": env.status.value,
            "tags": joined(env.tags),
            "owner": env.owner,
            "description": env.description,
            "components": "; ".join(f"{c.name}={c.version}" for c in env.components),
        }


def parse_environment(cells: Cells) -> Record:
    name = cells.text("name", required=True)
    if name and (problem := name_problem(name)) is not None:
        cells.fail("name", problem)
    return {
        "name": name,
        "type": cells.text("type", required=True),
        "capacity": cells.integer("capacity", default=1, minimum=1),
        "changeover_days": cells.integer("changeover_days", default=0, minimum=0),
        "status": cells.choice("status", EnvironmentStatus, EnvironmentStatus.AVAILABLE),
        "tags": sorted(set(cells.names("tags"))),
        "owner": cells.text("owner"),
        "description": cells.text("description", limit=2000),
        "components": cells.pairs("components"),
    }


def apply_environments(
    session: Session, parsed: Parsed, actor: User | None, now: dt.datetime
) -> list[RowError]:
    errors = duplicates(parsed, "name")
    for cells, record in parsed:
        found = session.exec(select(Environment).where(Environment.name == record["name"]))
        env = found.first()
        if env is not None and env.id is not None:
            env = lock_environment(session, env.id)
        before = audit.snapshot(env)
        env = env or Environment(name=record["name"], type_id=0, capacity=record["capacity"])
        try:  # as the API's update does: refused below the bookings, flags kept in step
            change_capacity(session, env, record.pop("capacity"))
        except BookingConflict as exc:
            errors.append(RowError(cells.row, "capacity", exc.message))
            continue
        env.type_id = type_id(session, record.pop("type"))
        components = record.pop("components")
        for key, value in record.items():
            setattr(env, key, value)
        session.add(env)
        session.flush()
        _set_components(session, env, components)
        audit.record(
            session,
            actor=actor,
            now=now,
            action="import" if before is None else "update",
            row=env,
            before=before,
        )
    return errors


def _set_components(session: Session, env: Environment, wanted: dict[str, str]) -> None:
    assert env.id is not None
    stored = {
        c.name: c
        for c in session.exec(select(Component).where(Component.environment_id == env.id)).all()
    }
    for name, component in stored.items():
        if name not in wanted:
            session.delete(component)
    for name, version in wanted.items():
        component = stored.get(name) or Component(environment_id=env.id, name=name)
        component.version = version
        session.add(component)


# -- bookings ---------------------------------------------------------------------------------

BOOKING_COLUMNS = (
    "environment",
    "start",
    "end",
    "phase",
    "status",
    "pinned",
    "note",
    "forced_reason",
)


def export_bookings(session: Session) -> Iterator[Record]:
    query = select(Booking).order_by(col(Booking.start), col(Booking.id))
    for b in session.exec(query).all():
        yield {
            "environment": b.environment.name,
            "start": iso(b.start),
            "end": iso(b.end),
            "phase": b.phase.key if b.phase else "",
            "status": b.status.value,
            "pinned": "true" if b.pinned else "false",
            "note": b.note,
            "forced_reason": b.forced_reason,
        }


def parse_booking(cells: Cells) -> Record:
    start, end = cells.date("start", required=True), cells.date("end", required=True)
    if start and end and not start < end:
        cells.fail("end", f"{end} must be after start {start}")
    return {
        "environment": cells.text("environment", required=True),
        "start": start,
        "end": end,
        "phase": cells.text("phase"),
        "note": cells.text("note", limit=2000),
        "status": cells.choice("status", BookingStatus, BookingStatus.CONFIRMED),
        "pinned": cells.boolean("pinned"),
        "forced_reason": cells.text("forced_reason", limit=2000),
    }


def apply_bookings(
    session: Session, parsed: Parsed, actor: User | None, now: dt.datetime
) -> list[RowError]:
    errors = []
    for cells, record in parsed:
        try:
            booking = _booking(session, record, actor, now)
        except (InvalidInput, BookingConflict, GateNotPassed) as exc:
            column = _column(exc)
            errors.append(RowError(cells.row, column, exc.message.removeprefix(f"{column}: ")))
            continue
        session.add(booking)
        audit.record(session, actor=actor, now=now, action="import", row=booking)
    return errors


def _column(exc: InvalidInput | BookingConflict | GateNotPassed) -> str:
    """The column a refused booking row is wrong in: the bad input's; the status of an
    in-use row its gates hold; the broken rule's field, else start."""
    if isinstance(exc, InvalidInput):
        return exc.field
    if isinstance(exc, GateNotPassed):
        return "status"
    return next((name for name in exc.fields if name in BOOKING_COLUMNS), "start")


def _booking(session: Session, record: Record, actor: User | None, now: dt.datetime) -> Booking:
    env = session.exec(select(Environment).where(Environment.name == record["environment"])).first()
    if env is None or env.id is None:
        raise InvalidInput("environment", f"no environment named {record['environment']!r}")
    phase = phase_named(session, record["phase"]) if record["phase"] else None
    forced = bool(record["forced_reason"])  # a forced booking comes back forced
    breaks = []
    if record["status"] in LIVE_STATUSES:
        env = lock_environment(session, env.id)
        if phase is not None:
            breaks = check_placement(
                session, phase, env, record["start"], record["end"], forced=forced, today=now.date()
            )
        check_fits(
            session,
            env,
            record["start"],
            record["end"],
            release_id=phase.release_id if phase else None,
        )
        breaks += check_quota(
            session,
            env,
            record["start"],
            record["end"],
            actor.id if actor else None,
            approved=forced,
            asking="this row",
        )
    if record["status"] == BookingStatus.IN_USE:
        check_start(session, phase.id if phase else None)
    assert env.id is not None
    return Booking(
        environment_id=env.id,
        phase_id=phase.id if phase else None,
        start=record["start"],
        end=record["end"],
        status=record["status"],
        pinned=record["pinned"],
        note=record["note"],
        exclusive=env.capacity == 1,
        forced_reason=record["forced_reason"] if breaks else "",
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
    )


KINDS: dict[str, Kind] = {
    "environments": Kind(
        ENVIRONMENT_COLUMNS,
        ("name", "type"),
        export_environments,
        parse_environment,
        apply_environments,
    ),
    "releases": Kind(RELEASE_COLUMNS, ("release",), export_releases, parse_release, apply_releases),
    "bookings": Kind(
        BOOKING_COLUMNS,
        ("environment", "start", "end"),
        export_bookings,
        parse_booking,
        apply_bookings,
    ),
}
