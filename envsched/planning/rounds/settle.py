"""What a round's proposal, once in place, is checked against and what it settles.

Every booking a proposal wrote is checked as any booking is: the environment's days
(``availability.check_fits``), its phase's rules (``rulebook.check_placement``) and its
owner's team quota (``rulebook.quota``; a moved booking counts for the days it adds).
The phase is then booked, so its open requests are closed, naming the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking import Holding, check_placement, check_quota, close_request, owner_id
from envsched.days import day_text, days_text
from envsched.errors import BookingConflict
from envsched.inventory import check_fits as environment_fits
from envsched.inventory import lock_environment
from envsched.models import (
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    Environment,
    Phase,
    PlanRun,
    RequestStatus,
    User,
)
from envsched.run_titles import run_title


@dataclass(frozen=True)
class Accepting:
    """Who accepts which run's proposals when (and past a team quota, why)."""

    run: PlanRun
    actor: User | None
    now: dt.datetime
    quota_reason: str | None = None

    @property
    def note(self) -> str:
        """The run as people know it: "the nightly re-plan of 3 Dec 2026, 02:00"."""
        title = run_title(self.run)
        return f"the {title[:1].lower()}{title[1:]}"

    @property
    def by(self) -> str:
        """What acted, as the audit log and notifications say it ("a plan Erin accepted")."""
        return audit.plan_actor(self.actor)


def check_place(session: Session, booking: Booking, today: dt.date) -> None:
    """The environment's days (``availability.check_fits``) and the phase's rules
    (``rulebook.check_placement``) where the booking is now, its own days aside."""
    env = lock_environment(session, booking.environment_id)
    phase = session.get(Phase, booking.phase_id) if booking.phase_id else None
    if phase is not None:
        check_placement(
            session, phase, env, booking.start, booking.end, today=today, booking_id=booking.id
        )
    environment_fits(
        session,
        env,
        booking.start,
        booking.end,
        ignore_booking=booking.id,
        release_id=phase.release_id if phase else None,
    )


def check_team_quota(
    session: Session, context: Accepting, booking: Booking, held: Holding | None
) -> None:
    """The owner's team quota (a moved booking counts for the days it adds); past it only
    with the accepting manager's reason, which the booking's note keeps."""
    env = session.get_one(Environment, booking.environment_id)
    over = check_quota(
        session,
        env,
        booking.start,
        booking.end,
        owner_id(session, booking),
        approved=context.quota_reason is not None,
        booking_id=booking.id,
        holding=held,
        asking="this proposal",
    )
    if over and context.quota_reason:
        words = f"accepted over the quota ({over[0].message}): {context.quota_reason}"
        booking.note = f"{booking.note}\n{words}".strip()


def close_open_requests(session: Session, context: Accepting, booking: Booking) -> None:
    """The phase is booked now: a request still open for it would book it twice. The first
    one whose own days the booking keeps is approved with it (the booking becomes its
    requester's); the others are cancelled, saying where the phase was booked (both tell
    the requester). A booking that keeps the days of none of them, or a request's booking
    moved out of its days, is refused: the round never books a phase outside the days
    someone asked for it, and the request stays open for an approver to decide."""
    if booking.phase_id is None:
        return
    _check_request_days(session, booking)
    phase = session.get_one(Phase, booking.phase_id)
    where = f"{booking.environment.name}, {days_text(booking.start, booking.end)}"
    found = _open_requests(session, booking.phase_id)
    if (
        found
        and booking.request_id is None
        and not any(_keeps_days_asked(r, booking) for r in found)
    ):
        raise BookingConflict(
            f"{phase.key} on {where} is outside the days asked for it: "
            + "; ".join(_asked_days(session, r) for r in found),
            field="plan",
            rule="request_days",
        )
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


def _open_requests(session: Session, phase_id: int) -> list[BookingRequest]:
    return list(
        session.exec(
            select(BookingRequest)
            .where(
                BookingRequest.phase_id == phase_id,
                col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES),
            )
            .order_by(col(BookingRequest.priority).desc(), col(BookingRequest.id))
        ).all()
    )


def _check_request_days(session: Session, booking: Booking) -> None:
    """A booking made for a request stays inside the days the request asked for."""
    request = session.get(BookingRequest, booking.request_id) if booking.request_id else None
    if request is not None and not _keeps_days_asked(request, booking):
        raise BookingConflict(
            f"it would move the booking out of the days its request asked for: "
            f"{_asked_days(session, request)}",
            field="plan",
            rule="request_days",
        )


def _asked_days(session: Session, request: BookingRequest) -> str:
    """Whose request and the days it accepts, as its page says them: ``Tom Test's request,
    3 days from 1 Mar 2027, ending by 19 Mar 2027``."""
    days = f"{request.duration_days} days {'exactly from' if request.fixed else 'from'} "
    days += day_text(request.earliest_start)
    if request.latest_end is not None and not request.fixed:
        days += f", ending by {day_text(request.latest_end)}"
    requester = session.get_one(User, request.requester_id)
    return f"{requester.name}'s request, {days}"


def _keeps_days_asked(request: BookingRequest, booking: Booking) -> bool:
    """Whether ``booking`` lies in the days ``request`` asked for."""
    if request.fixed:
        return booking.start == request.earliest_start
    return booking.start >= request.earliest_start and (
        request.latest_end is None or booking.end <= request.latest_end
    )
