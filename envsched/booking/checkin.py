"""Check-in and no-shows: the owner of a booking says they use it; one of a type that
requires check-in, not checked in within ``ENVSCHED_CHECKIN_HOURS`` of the start of its
first day (UTC; of its making, or of its type's switching check-in on, if that was later),
is released by the worker and its days are offered to the waitlist.

A booking is *checked in* when ``checked_in_at`` is set; one in use (the environment was
handed over) is never released either. Only confirmed bookings are released: a tentative
one is pencilled in (the planner's proposal, or a booking nobody promised to use), so it is
not checked in either; no path makes a tentative booking confirmed, the planner replaces it.

Releasing is safe to repeat and to run in two workers at once: each booking is released in
its own transaction that first locks its environment (the same lock every booking write
takes, check-in included) and then reads the booking again, so a booking checked in,
released or cancelled meanwhile is left alone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_
from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking.bookings import booking_transaction
from envsched.booking.giveback import offer_days
from envsched.booking.words import booking_words, status_words
from envsched.days import day_text, moment_text
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidState, NotFound
from envsched.inventory import lock_environment
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    EnvironmentType,
    User,
)
from envsched.permissions import require

DAY = dt.timedelta(days=1)
NO_SHOW = "no_show"  # the audit action of a release for want of a check-in


def check_in(
    sessions: SessionFactory, booking_id: int, *, actor: User | None, now: dt.datetime
) -> Booking:
    """Record that the booking's owner uses it (again: nothing changes), from its first day."""
    require(actor, "bookings:checkin")
    with booking_transaction(sessions) as session:
        booking = _booking(session, booking_id)
        if not is_owner(session, booking, actor):
            require(actor, "bookings:checkin-others")
        lock_environment(session, booking.environment_id)
        session.refresh(booking)
        _check_checkable(booking)
        if now.date() < booking.start:
            raise InvalidState(f"check-in opens on the first day, {day_text(booking.start)}")
        if booking.checked_in_at is None:
            before = audit.snapshot(booking)
            booking.checked_in_at, booking.updated_at = now, now
            audit.record(
                session, actor=actor, now=now, action="check_in", row=booking, before=before
            )
    return booking


def _check_checkable(booking: Booking) -> None:
    """Only a confirmed booking (or one in use) is checked in: a tentative one is never
    released for want of a check-in, so a check-in of it would be a flag nothing reads."""
    if booking.status == BookingStatus.TENTATIVE:
        raise InvalidState(
            f"{booking_words(booking)} is tentative: it is never released for want of a "
            f"check-in, so it needs none"
        )
    if booking.status not in LIVE_STATUSES:
        raise InvalidState(
            f"{booking_words(booking)} is {status_words(booking.status)}; "
            f"only a live booking is checked in"
        )


def is_owner(session: Session, booking: Booking, actor: User | None) -> bool:
    """Whether ``actor`` asked for the booking (its request's requester) or booked it."""
    if actor is None or actor.id is None:
        return False
    request = session.get(BookingRequest, booking.request_id) if booking.request_id else None
    owner = request.requester_id if request is not None else booking.created_by_id
    return owner == actor.id


def checkin_deadline(booking: Booking, hours: int) -> dt.datetime:
    since = booking.environment.type.checkin_since
    return checkin_due(booking.start, booking.created_at, hours, since)


def checkin_due(
    start: dt.date, made_at: dt.datetime | None, hours: int, since: dt.datetime | None = None
) -> dt.datetime:
    """When a booking must be checked in by: ``hours`` after the latest of its first day's
    start (UTC), its making (days offered from the waitlist today) and ``since``, when its
    type began to require check-in (no booking could be checked in before it had to)."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    return max(first, made_at or first, since or first) + dt.timedelta(hours=hours)


def needs_checkin(booking: Booking) -> bool:
    """Whether the booking still waits for its owner's check-in."""
    return (
        booking.environment.type.checkin_required
        and booking.status == BookingStatus.CONFIRMED
        and booking.checked_in_at is None
    )


# -- the worker's job -----------------------------------------------------------------------


def release_no_shows(sessions: SessionFactory, *, hours: int, now: dt.datetime) -> list[int]:
    """Release every confirmed booking of a check-in type not checked in by its deadline
    whose days are not all past; returns the ids this call released."""
    released = []
    for booking_id in _overdue(sessions, hours, now):
        with booking_transaction(sessions) as session:
            if _release_if_overdue(session, booking_id, hours, now):
                released.append(booking_id)
    return released


def _overdue(sessions: SessionFactory, hours: int, now: dt.datetime) -> list[int]:
    """Candidates, read without a lock (each is read again under its environment's)."""
    last_start = (now - dt.timedelta(hours=hours)).date()
    with read_transaction(sessions) as session:
        ids = session.exec(
            select(Booking.id)
            .join(Environment, col(Booking.environment_id) == Environment.id)
            .join(EnvironmentType, col(Environment.type_id) == EnvironmentType.id)
            .where(
                col(EnvironmentType.checkin_required).is_(True),
                Booking.status == BookingStatus.CONFIRMED,
                col(Booking.checked_in_at).is_(None),
                col(Booking.start) <= last_start,
                col(Booking.created_at) <= now - dt.timedelta(hours=hours),
                or_(
                    col(EnvironmentType.checkin_since).is_(None),
                    col(EnvironmentType.checkin_since) <= now - dt.timedelta(hours=hours),
                ),
                col(Booking.end) > now.date(),
            )
            .order_by(col(Booking.start), col(Booking.id))
        ).all()
    return [i for i in ids if i is not None]


def _release_if_overdue(session: Session, booking_id: int, hours: int, now: dt.datetime) -> bool:
    booking = _booking(session, booking_id)
    lock_environment(session, booking.environment_id)
    session.refresh(booking)  # as it is now, under the lock
    if not needs_checkin(booking) or now < checkin_deadline(booking, hours):
        return False
    before, freed_end = audit.snapshot(booking), booking.end
    booking.status, booking.updated_at = BookingStatus.RELEASED, now
    booking.end = max(min(now.date(), booking.end), booking.start + DAY)
    deadline = checkin_deadline(booking, hours)
    booking.note = f"{booking.note}\nreleased: not checked in by {moment_text(deadline)}".strip()
    audit.record(session, actor=None, now=now, action=NO_SHOW, row=booking, before=before)
    offer_days(
        session,
        booking.environment_id,
        max(booking.start, now.date()),
        freed_end,
        actor=None,
        now=now,
    )
    return True


def _booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("booking", booking_id)
    return booking
