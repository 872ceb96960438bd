"""Releases and their phases, kept by release managers.

A new release gets its first status-history row; a status given to ``update_release``
takes the flow's step (``release_flow.step``: checked, recorded, and a cancellation
gives back the release's requests and bookings), like the lifecycle verbs. Phase
references are checked when stored: ``after`` names phases of the same release,
``environments`` names existing environments, the type exists. Positions stay dense
(0, 1, 2 …) so "the phase before" is always well defined.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking import booking_transaction
from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.inventory import serving_member, stack_members
from envsched.lifecycle.flow import check_plain_step, record_status, step
from envsched.lifecycle.lookup import get_phase, get_release
from envsched.lifecycle.shapes import PhaseIn, PhasePatch, ReleaseIn, ReleasePatch
from envsched.models import Environment, EnvironmentType, Phase, Release, Stack, User
from envsched.permissions import require


def create_release(
    sessions: SessionFactory, data: ReleaseIn, *, actor: User | None, now: dt.datetime
) -> Release:
    require(actor, "releases:write")
    _check_window(data.earliest_start, data.due)
    with sessions.begin() as session:
        if session.exec(select(Release).where(Release.key == data.key)).first():
            raise InvalidInput("key", f"release {data.key!r} already exists")
        release = Release(**data.model_dump())
        session.add(release)
        audit.record(session, actor=actor, now=now, action="create", row=release)
        record_status(session, release, None, actor=actor, now=now, reason="created")
    return release


def update_release(
    sessions: SessionFactory, key: str, data: ReleasePatch, *, actor: User | None, now: dt.datetime
) -> Release:
    require(actor, "releases:write")
    changes = data.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    with booking_transaction(sessions) as session:  # a cancellation offers freed days
        release = get_release(session, key)
        before = audit.snapshot(release)
        for field, value in changes.items():
            setattr(release, field, value)
        _check_window(release.earliest_start, release.due)
        audit.record(session, actor=actor, now=now, action="update", row=release, before=before)
        if status is not None and status != release.status:
            check_plain_step(release, status)
            step(session, release, status, actor=actor, now=now, reason="release updated")
    return release


def add_phase(
    sessions: SessionFactory,
    release_key: str,
    data: PhaseIn,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Phase:
    """Add a phase at ``data.position`` (default: last); later phases move down one."""
    require(actor, "releases:write")
    with sessions.begin() as session:
        release = get_release(session, release_key)
        if session.exec(select(Phase).where(Phase.key == data.key)).first():
            raise InvalidInput("key", f"phase {data.key!r} already exists")
        phases = _phases(session, release)
        _check_references(session, phases, data.after, data.environments)
        assert release.id is not None
        phase = Phase(
            release_id=release.id,
            type_id=_type_id(session, data.type),
            **data.model_dump(exclude={"type", "position"}),
        )
        _check_stacks(session, phase)
        session.add(phase)
        position = len(phases) if data.position is None else min(data.position, len(phases))
        _renumber([*phases[:position], phase, *phases[position:]])
        audit.record(session, actor=actor, now=now, action="create", row=phase)
    return phase


def update_phase(
    sessions: SessionFactory, key: str, data: PhasePatch, *, actor: User | None, now: dt.datetime
) -> Phase:
    require(actor, "releases:write")
    changes = data.model_dump(exclude_unset=True)
    with sessions.begin() as session:
        phase = get_phase(session, key)
        siblings = [p for p in _phases(session, phase.release) if p.id != phase.id]
        before = audit.snapshot(phase)
        _check_references(session, siblings, changes.get("after"), changes.get("environments"))
        if "type" in changes:
            phase.type_id = _type_id(session, changes.pop("type"))
        position = changes.pop("position", None)
        for field, value in changes.items():
            setattr(phase, field, value)
        _check_stacks(session, phase)
        if position is not None:
            _renumber([*siblings[:position], phase, *siblings[position:]])
        audit.record(session, actor=actor, now=now, action="update", row=phase, before=before)
    return phase


def _phases(session: Session, release: Release) -> list[Phase]:
    return list(
        session.exec(
            select(Phase)
            .where(Phase.release_id == release.id)
            .order_by(col(Phase.position), col(Phase.id))
        ).all()
    )


def _renumber(phases: list[Phase]) -> None:
    for position, phase in enumerate(phases):
        phase.position = position


def _check_window(earliest_start: dt.date | None, due: dt.date | None) -> None:
    if earliest_start and due and not earliest_start < due:
        raise InvalidInput("due", f"{due} must be after the earliest start {earliest_start}")


def _check_references(
    session: Session, siblings: list[Phase], after: list[str] | None, environments: list[str] | None
) -> None:
    unknown = sorted(set(after or []) - {p.key for p in siblings})
    if unknown:
        raise InvalidInput("after", f"not a phase of this release: {', '.join(unknown)}")
    if environments is not None:
        known = set(
            session.exec(
                select(Environment.name).where(col(Environment.name).in_(environments))
            ).all()
        )
        missing = [name for name in environments if name not in known]
        if missing:
            raise InvalidInput("environments", f"no environment named {', '.join(missing)}")


def _check_stacks(session: Session, phase: Phase) -> None:
    """A phase needing a whole stack names stored stacks, at least one, each with a
    member that serves the phase (``inventory.serving_member``, the rule booking the
    stack applies), and no environments besides (issue 16)."""
    stacks = phase.stacks
    if stacks is None:
        return
    if not stacks:
        raise InvalidInput("stacks", "name at least one stack, or leave stacks out")
    if phase.environments is not None:
        raise InvalidInput("stacks", "a phase names either its environments or its stacks")
    known = {s.name: s for s in session.exec(select(Stack).where(col(Stack.name).in_(stacks)))}
    missing = [name for name in stacks if name not in known]
    if missing:
        raise InvalidInput("stacks", f"no stack named {', '.join(missing)}")
    unserved = [
        name
        for name in stacks
        if serving_member(stack_members(session, known[name]), phase) is None
    ]
    if unserved:
        kind = session.get_one(EnvironmentType, phase.type_id).name
        raise InvalidInput(
            "stacks",
            f"{', '.join(unserved)} {'has' if len(unserved) == 1 else 'have'} no {kind} "
            f"environment with the tags {phase.key} needs",
        )


def _type_id(session: Session, name: str) -> int:
    found = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
    if found is None or found.id is None:
        raise InvalidInput("type", f"no environment type {name!r}")
    return found.id
