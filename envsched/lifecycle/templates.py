"""Release types' phase templates, and releases made from them.

A template lists its phases in order; ``after`` names earlier phases of the template
(None: the phase before; ``[]``: none), so every template is acyclic by construction.

``create_release_from_template`` stores the release and its phases in one transaction,
then asks for one booking request per phase through ``requests.request_booking``. Each
request's days come from the template's order: a phase may start once its predecessors
can have ended (forward pass from the release's start) and must end early enough for its
successors to end by the due date (backward pass). Everything a request could refuse
(role, past dates, no room before the due date) is checked before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, select

from envsched import audit, booking
from envsched.booking import BookingRequestIn
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, NotFound
from envsched.lifecycle.flow import record_status
from envsched.lifecycle.shapes import FromTemplateIn, TemplateIn, TemplatePhaseIn
from envsched.lifecycle.windows import get_window
from envsched.models import (
    EnvironmentType,
    Phase,
    Release,
    ReleaseStatus,
    ReleaseTemplate,
    TemplatePhase,
    User,
)
from envsched.permissions import require


def create_template(
    sessions: SessionFactory, data: TemplateIn, *, actor: User | None, now: dt.datetime
) -> ReleaseTemplate:
    require(actor, "templates:write")
    with sessions.begin() as session:
        if _find(session, data.name) is not None:
            raise InvalidInput("name", f"template {data.name!r} already exists")
        template = ReleaseTemplate(
            name=data.name, release_type=data.release_type, description=data.description
        )
        template.phases = _template_phases(session, data.phases)
        session.add(template)
        audit.record(
            session, actor=actor, now=now, action="create", row=template, after=describe(template)
        )
    return template


def update_template(
    sessions: SessionFactory, name: str, data: TemplateIn, *, actor: User | None, now: dt.datetime
) -> ReleaseTemplate:
    """Replace template ``name`` whole (it may be renamed); releases made from it keep
    their phases."""
    require(actor, "templates:write")
    with sessions.begin() as session:
        template = get_template(session, name)
        if data.name != name and _find(session, data.name) is not None:
            raise InvalidInput("name", f"template {data.name!r} already exists")
        before = describe(template)
        template.name, template.release_type = data.name, data.release_type
        template.description = data.description
        template.phases = []
        session.flush()  # old phases out before new ones reuse their names
        template.phases = _template_phases(session, data.phases)
        audit.record(
            session,
            actor=actor,
            now=now,
            action="update",
            row=template,
            before=before,
            after=describe(template),
        )
    return template


def delete_template(
    sessions: SessionFactory, name: str, *, actor: User | None, now: dt.datetime
) -> None:
    require(actor, "templates:write")
    with sessions.begin() as session:
        template = get_template(session, name)
        before = describe(template)
        session.delete(template)
        audit.record(session, actor=actor, now=now, action="delete", row=template, before=before)


def create_release_from_template(
    sessions: SessionFactory,
    template_name: str,
    data: FromTemplateIn,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Release:
    """A planned release with the template's phases and a booking request for each."""
    require(actor, "releases:write")
    require(actor, "requests:create")
    if actor is None:
        raise InvalidInput("requester", "booking requests need a requesting user")
    with sessions.begin() as session:
        template = get_template(session, template_name)
        start, due = _dates(session, data, now)
        days = phase_days(template.phases, start, due)
        release = _new_release(session, template, data, start, due, actor=actor, now=now)
        wanted = [
            _request(phase, release, first, last)
            for phase, (first, last) in zip(template.phases, days, strict=True)
        ]
    for request in wanted:
        booking.request_booking(sessions, request, actor=actor, now=now)
    return release


# -- the template's order as days -----------------------------------------------------------


def phase_days(
    phases: Sequence[TemplatePhase], start: dt.date, due: dt.date | None
) -> list[tuple[dt.date, dt.date | None]]:
    """For each phase, the first day it may start and the day it must end by (None: no
    due date). ``InvalidInput`` when the template does not fit before ``due``."""
    offsets = _earliest_offsets(phases)
    length = max(offset + p.duration_days for offset, p in zip(offsets, phases, strict=True))
    if due is not None and start + dt.timedelta(days=length) > due:
        raise InvalidInput(
            "due",
            f"the template needs {length} days from {start}, more than there are before {due}",
        )
    tails = _tails(phases)
    return [
        (start + dt.timedelta(days=offset), None if due is None else due - dt.timedelta(days=tail))
        for offset, tail in zip(offsets, tails, strict=True)
    ]


def _predecessors(phases: Sequence[TemplatePhase]) -> list[list[int]]:
    index = {p.name: i for i, p in enumerate(phases)}
    return [
        ([i - 1] if i else []) if p.after is None else [index[name] for name in p.after]
        for i, p in enumerate(phases)
    ]


def _earliest_offsets(phases: Sequence[TemplatePhase]) -> list[int]:
    """Days from the release start to each phase's earliest start (longest path)."""
    offsets: list[int] = []
    for i, before in enumerate(_predecessors(phases)):
        ready = [offsets[j] + phases[j].duration_days for j in before]
        offsets.append(max(ready, default=0) + (phases[i].gap_days if before else 0))
    return offsets


def _tails(phases: Sequence[TemplatePhase]) -> list[int]:
    """Days each phase's successors need after it ends (longest path to the end)."""
    tails = [0] * len(phases)
    for i in reversed(range(len(phases))):
        for j, before in enumerate(_predecessors(phases)):
            if i in before:
                tails[i] = max(tails[i], phases[j].gap_days + phases[j].duration_days + tails[j])
    return tails


# -- helpers --------------------------------------------------------------------------------


def get_template(session: Session, name: str) -> ReleaseTemplate:
    template = _find(session, name)
    if template is None:
        raise NotFound("release template", name)
    return template


def describe(template: ReleaseTemplate) -> dict[str, object]:
    """The template and its phases as JSON-ready values (the audit log's before/after)."""
    return {
        "name": template.name,
        "release_type": template.release_type.value,
        "description": template.description,
        "phases": [
            {
                "name": p.name,
                "type": p.type.name,
                "duration_days": p.duration_days,
                "gap_days": p.gap_days,
                "after": p.after,
                "required_tags": p.required_tags,
            }
            for p in template.phases
        ],
    }


def _find(session: Session, name: str) -> ReleaseTemplate | None:
    return session.exec(select(ReleaseTemplate).where(ReleaseTemplate.name == name)).first()


def _template_phases(session: Session, phases: list[TemplatePhaseIn]) -> list[TemplatePhase]:
    rows: list[TemplatePhase] = []
    for position, phase in enumerate(phases):
        field = f"phases[{position}]"
        earlier = {row.name for row in rows}
        if phase.name in earlier:
            raise InvalidInput(f"{field}.name", f"{phase.name!r} is used twice")
        unknown = sorted(set(phase.after or []) - earlier)
        if unknown:
            raise InvalidInput(f"{field}.after", f"not an earlier phase: {', '.join(unknown)}")
        env_type = _environment_type(session, phase.type, f"{field}.type")
        assert env_type.id is not None
        rows.append(
            TemplatePhase(
                position=position,
                type=env_type,
                type_id=env_type.id,
                **phase.model_dump(exclude={"type"}),
            )
        )
    return rows


def _environment_type(session: Session, name: str, field: str) -> EnvironmentType:
    found = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
    if found is None:
        raise InvalidInput(field, f"no environment type {name!r}")
    return found


def _dates(
    session: Session, data: FromTemplateIn, now: dt.datetime
) -> tuple[dt.date, dt.date | None]:
    """The release's first day and due date: as given, else its window's start (today if
    the window is open already) and cut-off."""
    today = now.date()
    if data.earliest_start is not None and data.earliest_start < today:
        raise InvalidInput("earliest_start", f"{data.earliest_start} is in the past")
    window = get_window(session, data.window_id) if data.window_id is not None else None
    start = data.earliest_start or (window.start if window else today)
    return max(start, today), data.due or (window.cutoff if window else None)


def _new_release(
    session: Session,
    template: ReleaseTemplate,
    data: FromTemplateIn,
    start: dt.date,
    due: dt.date | None,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Release:
    if session.exec(select(Release).where(Release.key == data.key)).first():
        raise InvalidInput("key", f"release {data.key!r} already exists")
    release = Release(
        key=data.key,
        title=data.title,
        type=template.release_type,
        priority=data.priority,
        owner=data.owner,
        earliest_start=start,
        due=due,
        window_id=data.window_id,
        status=ReleaseStatus.PLANNED,
    )
    session.add(release)
    audit.record(session, actor=actor, now=now, action="create", row=release)  # flushes
    assert release.id is not None
    session.add_all(_phase(release.id, data.key, row) for row in template.phases)
    record_status(
        session, release, None, actor=actor, now=now, reason=f"from template {template.name}"
    )
    return release


def _phase(release_id: int, release_key: str, row: TemplatePhase) -> Phase:
    after = None if row.after is None else [f"{release_key}-{name}" for name in row.after]
    return Phase(
        release_id=release_id,
        key=f"{release_key}-{row.name}",
        name=row.name,
        type_id=row.type_id,
        position=row.position,
        duration_days=row.duration_days,
        gap_days=row.gap_days,
        after=after,
        required_tags=list(row.required_tags),
    )


def _request(
    phase: TemplatePhase, release: Release, first: dt.date, last: dt.date | None
) -> BookingRequestIn:
    return BookingRequestIn(
        phase=f"{release.key}-{phase.name}",
        duration_days=phase.duration_days,
        earliest_start=first,
        latest_end=last,
        priority=release.priority,
        justification=f"{release.key} {phase.name}, from its release template",
    )
