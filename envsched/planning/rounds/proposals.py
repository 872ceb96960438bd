"""Putting a round's proposals in place: every one that still fits, the rest refused one by one.

A moved proposal moves its booking (the same row, so its owner and request stay
attached); a placed proposal becomes a new tentative booking. Each is checked as any
other booking is: the environment's days (``availability.check_fits``) and its phase's
rules (``rulebook.check_placement``), against the state with every proposal in place.
The phase is then booked, so its open requests are closed, naming the run.

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
    RuleBreak,
    RuleBroken,
    check_placement,
    close_request,
    is_second_booking,
    place_stack,
)
from envsched.days import days_text
from envsched.db import is_postgresql
from envsched.errors import BookingConflict, EnvschedError, InvalidState
from envsched.inventory import check_fits, environment_named, lock_environment
from envsched.models import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Phase,
    PlanRun,
    RequestStatus,
    Stack,
    User,
)
from envsched.models.round_results import MovedProposal, Place, PlacedProposal, Proposal


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
class _Context:
    run: PlanRun
    actor: User | None
    now: dt.datetime

    @property
    def note(self) -> str:
        return f"plan run {self.run.id}"

    @property
    def by(self) -> str:
        return audit.plan_actor(self.actor)


def apply_proposals(
    session: Session, run: PlanRun, chosen: list[Chosen], *, actor: User | None, now: dt.datetime
) -> list[Refused]:
    """Apply every chosen proposal that fits; return the others with their reasons."""
    context = _Context(run, actor, now)
    pending, refused = list(chosen), []
    while pending:
        failure = _attempt(session, context, pending)
        if failure is None:
            break
        refused.append(failure)
        pending = [c for c in pending if c is not failure.chosen]
    return refused


def _attempt(session: Session, context: _Context, group: list[Chosen]) -> Refused | None:
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
            for chosen, booking in zip(group, touched, strict=True):
                blamed = chosen
                _check_fits(session, booking, context.now.date())
                _close_open_requests(session, context, booking)
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


def _put_in_place(session: Session, context: _Context, chosen: Chosen) -> Booking:
    if isinstance(chosen.proposal, MovedProposal):
        return _move(session, context, chosen.proposal)
    assert isinstance(chosen.proposal, PlacedProposal)
    return _place(session, context, chosen.proposal)


def _check_fits(session: Session, booking: Booking, today: dt.date) -> None:
    env = lock_environment(session, booking.environment_id)
    phase = session.get(Phase, booking.phase_id) if booking.phase_id else None
    if phase is not None:
        check_placement(
            session, phase, env, booking.start, booking.end, today=today, booking_id=booking.id
        )
    check_fits(
        session,
        env,
        booking.start,
        booking.end,
        ignore_booking=booking.id,
        release_id=phase.release_id if phase else None,
    )


def _move(session: Session, context: _Context, proposal: MovedProposal) -> Booking:
    booking = session.get(Booking, proposal.booking)
    before = proposal.before
    if (
        booking is None
        or booking.status != BookingStatus.TENTATIVE
        or booking.pinned
        or booking.environment.name != before.environment
        or booking.start.isoformat() != before.start
    ):
        raise InvalidState(
            f"booking {proposal.booking} of {proposal.phase} changed since the round; plan again"
        )
    snapshot = audit.snapshot(booking)
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
    return booking


def _place(session: Session, context: _Context, proposal: PlacedProposal) -> Booking:
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
    return booking


def _place_on_stack(
    session: Session, context: _Context, proposal: PlacedProposal, phase: Phase
) -> Booking:
    """A stack phase placed on a stack: every member booked tentatively at once (each
    checked as it is booked, ``booking.place_stack``); the phase's own booking is
    returned, to be checked again with the other proposals in place."""
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
    )
    members = [session.get_one(Booking, part.booking) for part in placed.bookings]
    return next(b for b in members if b.phase_id is not None)


def _put(session: Session, booking: Booking, where: Place) -> None:
    env = environment_named(session, where.environment, field="plan")
    assert env.id is not None
    booking.environment_id, booking.exclusive = env.id, env.capacity == 1
    booking.start = dt.date.fromisoformat(where.start)
    booking.end = dt.date.fromisoformat(where.end)


def _close_open_requests(session: Session, context: _Context, booking: Booking) -> None:
    """The phase is booked now: a request still open for it would book it twice. The first
    one whose own days the booking keeps is approved with it (the booking becomes its);
    the others are cancelled, saying where the phase was booked."""
    if booking.phase_id is None:
        return
    phase = session.get_one(Phase, booking.phase_id)
    where = f"{booking.environment.name}, {days_text(booking.start, booking.end)}"
    found = session.exec(
        select(BookingRequest)
        .where(
            BookingRequest.phase_id == booking.phase_id,
            col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES),
        )
        .order_by(col(BookingRequest.priority).desc(), col(BookingRequest.id))
    ).all()
    for request in found:
        if booking.request_id is None and _keeps_days_asked(request, booking):
            booking.request_id = request.id
            close_request(
                session,
                request,
                RequestStatus.APPROVED,
                actor=context.actor,
                now=context.now,
                reason=f"booked by {context.note}: {where}",
                by=context.by,
            )
        else:
            close_request(
                session,
                request,
                RequestStatus.CANCELLED,
                actor=context.actor,
                now=context.now,
                reason=f"phase {phase.key} was booked by {context.note}: {where}",
                by=context.by,
            )


def _keeps_days_asked(request: BookingRequest, booking: Booking) -> bool:
    """Whether ``booking`` lies in the days ``request`` asked for."""
    if request.fixed:
        return booking.start == request.earliest_start
    return booking.start >= request.earliest_start and (
        request.latest_end is None or booking.end <= request.latest_end
    )
