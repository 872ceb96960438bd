"""Putting a round's proposals in place: every one that still fits, the rest refused one by one.

A moved proposal moves its booking (the same row, so its owner and request stay
attached; a stack booking moves whole, every member's booking with it); a placed
proposal becomes a new tentative booking (on a stack, one per member). Each is checked as
any other booking is, against the state with every proposal in place (``settle``: the
environment's days, the phase's rules, the owner's team quota), and closes its phase's
open requests. Past a quota a proposal is refused naming it, and stays open: an
environment manager may accept it alone with a reason (``quota_reason``), as an
approval past the quota takes one.

Proposals are applied together inside a savepoint of the caller's transaction: every
booking is put where the plan wants it, then each is checked against the final state (so
two bookings may swap days; on PostgreSQL the exclusion constraint is deferred to the end
of the attempt). When one of them does not fit, the attempt is undone, that proposal is
refused with its own reason, and the others are tried again, until the rest applies.
An error only the database's guard sees is charged to the last proposal checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking import (
    EXCLUSION_CONSTRAINT,
    Holding,
    RuleBreak,
    RuleBroken,
    is_second_booking,
    live_partners,
    move_stack_locked,
    place_stack,
    stack_booking_of,
)
from envsched.db import is_postgresql
from envsched.errors import BookingConflict, EnvschedError, InvalidState
from envsched.inventory import environment_named
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    Phase,
    PlanRun,
    Stack,
    User,
)
from envsched.models.round_results import MovedProposal, Place, PlacedProposal, Proposal
from envsched.planning.rounds.settle import (
    Accepting,
    check_place,
    check_team_quota,
    close_open_requests,
)


@dataclass(frozen=True)
class Chosen:
    """One proposal of a run to apply: a booking moved or a phase placed."""

    proposal: Proposal

    @property
    def phase(self) -> str:
        return self.proposal.phase


@dataclass(frozen=True)
class Refused:
    """A proposal that did not apply, and the error that says why."""

    chosen: Chosen
    error: EnvschedError


@dataclass(frozen=True)
class _Put:
    """What putting one proposal in place wrote: its phase's booking first (on a stack,
    every member's), and the days each moved booking held before (for the quota)."""

    bookings: list[Booking]
    held: dict[int, Holding]


def apply_proposals(
    session: Session,
    run: PlanRun,
    chosen: list[Chosen],
    *,
    actor: User | None,
    now: dt.datetime,
    quota_reason: str | None = None,
) -> list[Refused]:
    """Apply every chosen proposal that fits; return the others with their reasons
    (past a team quota only with an environment manager's ``quota_reason``)."""
    context = Accepting(run, actor, now, quota_reason)
    pending, refused = list(chosen), []
    while pending:
        failure = _attempt(session, context, pending)
        if failure is None:
            break
        refused.append(failure)
        pending = [c for c in pending if c is not failure.chosen]
    return refused


def _attempt(session: Session, context: Accepting, group: list[Chosen]) -> Refused | None:
    """Apply ``group`` together inside a savepoint; on a refusal undo it and say whose."""
    postgresql = is_postgresql(session)
    blamed = group[-1]  # the proposal at hand when something goes wrong
    try:
        with session.begin_nested():
            if postgresql:
                session.execute(text(f"SET CONSTRAINTS {EXCLUSION_CONSTRAINT} DEFERRED"))
            touched = []
            for chosen in group:
                blamed = chosen
                touched.append(_put_in_place(session, context, chosen))
            session.flush()
            for chosen, put in zip(group, touched, strict=True):
                blamed = chosen
                for booking in put.bookings:
                    check_place(session, booking, context.now.date())
                close_open_requests(session, context, put.bookings[0])
                for booking in put.bookings:  # its owner is known now: the request's
                    check_team_quota(session, context, booking, put.held.get(booking.id or 0))
            if postgresql:  # the deferred guard checks now, inside the savepoint
                session.execute(text(f"SET CONSTRAINTS {EXCLUSION_CONSTRAINT} IMMEDIATE"))
    except EnvschedError as error:
        return Refused(blamed, error)
    except IntegrityError as error:
        return Refused(blamed, _refusal_of(error))
    return None


def _refusal_of(error: IntegrityError) -> EnvschedError:
    if EXCLUSION_CONSTRAINT in str(error.orig):
        return BookingConflict("the environment is already booked on these days")
    if is_second_booking(error):
        return RuleBroken(
            [RuleBreak("one_per_phase", "the phase has another live booking", "phase")]
        )
    first_line = str(error.orig).splitlines()[0] if str(error.orig) else "a constraint"
    return InvalidState(f"the database refused it: {first_line}")


def _put_in_place(session: Session, context: Accepting, chosen: Chosen) -> _Put:
    if isinstance(chosen.proposal, MovedProposal):
        return _move(session, context, chosen.proposal)
    assert isinstance(chosen.proposal, PlacedProposal)
    return _place(session, context, chosen.proposal)


def _move(session: Session, context: Accepting, proposal: MovedProposal) -> _Put:
    booking = session.get(Booking, proposal.booking)
    before = proposal.before
    if (
        booking is None
        or booking.status != BookingStatus.TENTATIVE
        or booking.pinned
        or _where(session, booking) != before.environment
        or booking.start.isoformat() != before.start
    ):
        raise InvalidState(
            f"booking {proposal.booking} of {proposal.phase} changed since the round; plan again"
        )
    whole = [booking, *live_partners(session, booking.id or 0)]
    held = {b.id or 0: Holding.of(b) for b in whole}
    snapshot = audit.snapshot(booking)
    stacked = stack_booking_of(session, booking.id or 0) is not None
    moved = _moved_whole(session, context, booking, proposal) if stacked else None
    if moved is None:
        _put(session, booking, proposal.to)
    booking.forced_reason = ""  # where the plan puts it, it follows the rules (checked)
    booking.note = f"{booking.note}\nmoved by {context.note}".strip()
    booking.updated_at = context.now
    audit.record(
        session,
        actor=context.actor,
        now=context.now,
        action="replan_move",
        row=booking,
        before=snapshot,
        by=context.by,
    )
    return _Put(moved or [booking], held)


def _where(session: Session, booking: Booking) -> str:
    """Where a round sees the booking: its stack, for a member's booking of a stack
    booking; else its environment."""
    group = stack_booking_of(session, booking.id or 0)
    if group is None:
        return booking.environment.name
    return session.get_one(Stack, group.stack_id).name


def _moved_whole(
    session: Session, context: Accepting, booking: Booking, proposal: MovedProposal
) -> list[Booking]:
    """A stack booking moves whole: to the stack and days the plan gives its phase."""
    to = proposal.to
    if session.exec(select(Stack.id).where(Stack.name == to.environment)).first() is None:
        raise InvalidState(
            f"the booking of {proposal.phase} holds the whole stack {proposal.before.environment}"
            f" and the round puts the phase on {to.environment} alone; cancel the stack "
            "booking or plan again"
        )
    return move_stack_locked(
        session,
        booking,
        to.environment,
        dt.date.fromisoformat(to.start),
        dt.date.fromisoformat(to.end),
        actor=context.actor,
        now=context.now,
        note=f"moved by {context.note}",
    )


def _place(session: Session, context: Accepting, proposal: PlacedProposal) -> _Put:
    phase = session.exec(select(Phase).where(Phase.key == proposal.phase)).first()
    if phase is None:
        raise InvalidState(f"phase {proposal.phase} no longer exists; plan again")
    if session.exec(
        select(Booking.id).where(
            Booking.phase_id == phase.id, col(Booking.status).in_(LIVE_STATUSES)
        )
    ).first():
        raise InvalidState(f"phase {phase.key} was booked since the round; plan again")
    actor, now = context.actor, context.now
    if session.exec(select(Stack.id).where(Stack.name == proposal.place.environment)).first():
        return _place_on_stack(session, context, proposal, phase)
    booking = Booking(
        environment_id=0,
        phase_id=phase.id,
        start=dt.date.min,
        end=dt.date.max,
        status=BookingStatus.TENTATIVE,
        note=f"proposed by {context.note}",
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
    )
    _put(session, booking, proposal.place)
    session.add(booking)
    audit.record(session, actor=actor, now=now, action="propose", row=booking)
    return _Put([booking], {})


def _place_on_stack(
    session: Session, context: Accepting, proposal: PlacedProposal, phase: Phase
) -> _Put:
    """A stack phase placed on a stack: every member booked tentatively at once (each
    checked as it is booked, ``booking.place_stack``); every member's booking is
    returned (the phase's own first), to be checked again with the other proposals in
    place."""
    placed = place_stack(
        session,
        proposal.place.environment,
        dt.date.fromisoformat(proposal.place.start),
        dt.date.fromisoformat(proposal.place.end),
        phase=phase,
        status=BookingStatus.TENTATIVE,
        note=f"proposed by {context.note}",
        actor=context.actor,
        now=context.now,
        field="plan",
        over_quota=context.quota_reason is not None,
    )
    members = [session.get_one(Booking, part.booking) for part in placed.bookings]
    return _Put(sorted(members, key=lambda b: b.phase_id is None), {})


def _put(session: Session, booking: Booking, where: Place) -> None:
    env = environment_named(session, where.environment, field="plan")
    assert env.id is not None
    booking.environment_id, booking.exclusive = env.id, env.capacity == 1
    booking.start = dt.date.fromisoformat(where.start)
    booking.end = dt.date.fromisoformat(where.end)
