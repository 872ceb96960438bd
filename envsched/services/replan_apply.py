"""Turning a round's proposals into bookings, all of them or one at a time, in one transaction.

A moved proposal moves its tentative booking (same row, so its owner and request stay
attached); a placed proposal becomes a new tentative booking. Every booking touched is
first put where the plan wants it, then each is checked under its environment's lock
against the final state (on PostgreSQL the exclusion constraint is deferred to commit,
so two bookings may swap days). Anything wrong — a booking changed since the round, a
phase booked meanwhile, a clash — raises and the transaction leaves every booking as
it was. Only the newest finished round can be accepted: an older one is out of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, is_postgresql, read_transaction
from envsched.errors import InvalidInput, InvalidState, NotFound
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    Phase,
    PlanRun,
    PlanRunStatus,
    Role,
    User,
)
from envsched.services import audit
from envsched.services.availability import check_fits, environment_named, lock_environment
from envsched.services.booking import EXCLUSION_CONSTRAINT, booking_transaction
from envsched.services.users import require_role

Proposal = dict[str, Any]
Wanted = Callable[[Proposal], bool]


def accept_run(sessions: SessionFactory, run_id: int, *, actor: User | None,
               now: dt.datetime) -> PlanRun:
    """Apply every proposal of run ``run_id`` not applied yet; on failure mark it failed."""
    require_role(actor, Role.ENVIRONMENT_MANAGER)
    with read_transaction(sessions) as session:
        _acceptable_run(session, run_id)  # a run that may not be accepted stays as it is
    try:
        return _apply(sessions, run_id, lambda _p: True, actor=actor, now=now)
    except Exception as error:
        mark_failed(sessions, run_id, f"applying the plan failed: {error}", now)
        raise


def accept_proposal(sessions: SessionFactory, run_id: int, phase: str, *,
                    actor: User | None, now: dt.datetime) -> PlanRun:
    """Apply the one proposal of run ``run_id`` for ``phase``; the rest stay proposed."""
    require_role(actor, Role.ENVIRONMENT_MANAGER)
    return _apply(sessions, run_id, lambda p: p["phase"] == phase, actor=actor, now=now,
                  one=phase)


def mark_failed(sessions: SessionFactory, run_id: int, error: str, now: dt.datetime) -> None:
    with sessions.begin() as session:
        run = session.get_one(PlanRun, run_id)
        run.status, run.error = PlanRunStatus.FAILED, error
        run.finished_at = max(now, run.started_at)


def _apply(sessions: SessionFactory, run_id: int, wanted: Wanted, *, actor: User | None,
           now: dt.datetime, one: str | None = None) -> PlanRun:
    with booking_transaction(sessions) as session:
        run = _acceptable_run(session, run_id)
        diff = {**run.diff, "moved": [dict(p) for p in run.diff["moved"]],
                "placed": [dict(p) for p in run.diff["placed"]]}
        chosen = [(kind, p) for kind in ("moved", "placed") for p in diff[kind]
                  if wanted(p) and not p["applied"]]
        if one is not None and not chosen:
            raise InvalidInput("phase", f"run {run_id} proposes nothing open for {one!r}")
        apply_proposals(session, run, chosen, actor=actor, now=now)
        for _kind, proposal in chosen:
            proposal["applied"] = True
        run.diff = diff
        _mark_applied(run, actor, now)
    return run


def _acceptable_run(session: Session, run_id: int) -> PlanRun:
    run = session.get(PlanRun, run_id)
    if run is None:
        raise NotFound("plan run", run_id)
    if run.status != PlanRunStatus.DONE or run.dry_run:
        kind = "a dry run" if run.dry_run else f"{run.status.value}"
        raise InvalidState(f"plan run {run_id} is {kind}: it has no plan to accept")
    newer = session.exec(select(PlanRun.id).where(
        PlanRun.status == PlanRunStatus.DONE, col(PlanRun.dry_run).is_(False),
        col(PlanRun.id) > run_id)).first()
    if newer is not None:
        raise InvalidState(f"plan run {run_id} is out of date: run {newer} is newer")
    return run


def _mark_applied(run: PlanRun, actor: User | None, now: dt.datetime) -> None:
    proposals = [*run.diff["moved"], *run.diff["placed"]]
    if all(p["applied"] for p in proposals):
        run.applied, run.applied_at = True, now
        run.applied_by_id = actor.id if actor else None


def apply_proposals(session: Session, run: PlanRun, chosen: list[tuple[str, Proposal]], *,
                    actor: User | None, now: dt.datetime) -> list[Booking]:
    """Put every chosen proposal in place, then check each against the final state."""
    if is_postgresql(session):
        session.execute(text(f"SET CONSTRAINTS {EXCLUSION_CONSTRAINT} DEFERRED"))
    note = f"plan run {run.id}"
    touched = [(_move(session, p, note, actor=actor, now=now) if kind == "moved"
                else _place(session, p, note, actor=actor, now=now)) for kind, p in chosen]
    session.flush()
    for booking in touched:
        env = lock_environment(session, booking.environment_id)
        phase = session.get(Phase, booking.phase_id) if booking.phase_id else None
        check_fits(session, env, booking.start, booking.end, ignore_booking=booking.id,
                   release_id=phase.release_id if phase else None)
    return touched


def _move(session: Session, proposal: Proposal, note: str, *, actor: User | None,
          now: dt.datetime) -> Booking:
    booking = session.get(Booking, proposal["booking"])
    before = proposal["from"]
    if (booking is None or booking.status != BookingStatus.TENTATIVE or booking.pinned
            or booking.environment.name != before["environment"]
            or booking.start.isoformat() != before["start"]):
        raise InvalidState(f"booking {proposal['booking']} of {proposal['phase']} changed "
                           "since the round; plan again")
    snapshot = audit.snapshot(booking)
    _put(session, booking, proposal["to"])
    booking.note = f"{booking.note}\nmoved by {note}".strip()
    booking.updated_at = now
    audit.record(session, actor=actor, now=now, action="replan_move", row=booking,
                 before=snapshot)
    return booking


def _place(session: Session, proposal: Proposal, note: str, *, actor: User | None,
           now: dt.datetime) -> Booking:
    phase = session.exec(select(Phase).where(Phase.key == proposal["phase"])).first()
    if phase is None:
        raise InvalidState(f"phase {proposal['phase']} no longer exists; plan again")
    if session.exec(select(Booking.id).where(Booking.phase_id == phase.id,
                                             col(Booking.status).in_(LIVE_STATUSES))).first():
        raise InvalidState(f"phase {phase.key} was booked since the round; plan again")
    booking = Booking(environment_id=0, phase_id=phase.id, start=dt.date.min, end=dt.date.max,
                      status=BookingStatus.TENTATIVE, note=f"proposed by {note}",
                      created_at=now, updated_at=now, created_by_id=actor.id if actor else None)
    _put(session, booking, proposal)
    session.add(booking)
    audit.record(session, actor=actor, now=now, action="propose", row=booking)
    return booking


def _put(session: Session, booking: Booking, where: dict[str, str]) -> None:
    env = environment_named(session, where["environment"], field="plan")
    assert env.id is not None
    booking.environment_id, booking.exclusive = env.id, env.capacity == 1
    booking.start = dt.date.fromisoformat(where["start"])
    booking.end = dt.date.fromisoformat(where["end"])
