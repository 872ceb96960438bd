"""Check-in and no-shows: the owner of a booking says they use it; one of a type that
requires check-in, not checked in within ``ENVSCHED_CHECKIN_HOURS`` of the start of its
first day (UTC; of its making, or of its type's switching check-in on, if that was later),
is released by the worker and its days are offered to the waitlist.

A booking is *checked in* when ``checked_in_at`` is set; one in use (the environment was
handed over) is never released either. Only confirmed bookings are released: a tentative
one is pencilled in (the planner's proposal, or a booking nobody promised to use), so it is
not checked in either; no path makes a tentative booking confirmed, the planner replaces it.

A stack booking is one booking of several environments, so it is checked in and released
as one (``CheckIn``, read from the booking with its partners, ``with_partners``): checking
in any member checks in every live member; it waits for a check-in when a member's type
requires one and none is checked in or in use, until the earliest of those members'
deadlines; then every live member is released in one transaction, each one's days offered
to the waitlist, and its owner told once, naming the stack.

Releasing is safe to repeat and to run in two workers at once: each booking (with its
stack booking's members) is released in its own transaction that first locks their
environments (the same locks every booking write takes, check-in included) and then reads
them again, so a booking checked in, released or cancelled meanwhile is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking.bookings import booking_transaction
from envsched.booking.giveback import offer_days
from envsched.booking.stack_parts import with_partners
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
# the other members of a stack booking released with it (their owner is told once, by
# the entry ``NO_SHOW`` of one member: ``_told``)
NO_SHOW_WITH_STACK = "no_show_with_stack"


@dataclass(frozen=True)
class CheckIn:
    """A booking's check-in, its stack booking's live members taken as one: ``required``
    when a member's type requires check-in; ``due``, the earliest of those members'
    deadlines; ``waiting`` while it is confirmed, nobody checked a member in and none is
    in use (then the worker releases it once ``due`` has passed)."""

    required: bool
    checked_in_at: dt.datetime | None
    due: dt.datetime | None
    waiting: bool


def checkin_of(whole: list[Booking], hours: int) -> CheckIn:
    """The check-in of a booking with its stack booking's live members (``with_partners``)."""
    required = [b for b in whole if b.environment.type.checkin_required]
    checked = min((b.checked_in_at for b in whole if b.checked_in_at), default=None)
    in_use = any(b.status == BookingStatus.IN_USE for b in whole)
    return CheckIn(
        required=bool(required),
        checked_in_at=checked,
        due=min((checkin_deadline(b, hours) for b in required), default=None),
        waiting=checked is None and not in_use and any(needs_checkin(b) for b in whole),
    )


def checkins(session: Session, booking_ids: Collection[int], *, hours: int) -> dict[int, CheckIn]:
    """The check-in of each of these bookings, by id, as pages show it (two statements,
    in the caller's read)."""
    found = with_partners(session, booking_ids)
    return {i: checkin_of(whole, hours) for i, whole in found.items()}


def check_in(
    sessions: SessionFactory, booking_id: int, *, actor: User | None, now: dt.datetime
) -> Booking:
    """Record that the booking's owner uses it (again: nothing changes), from its first day;
    a member's booking of a stack booking checks in every live member."""
    require(actor, "bookings:checkin")
    with booking_transaction(sessions) as session:
        booking = _booking(session, booking_id)
        if not is_owner(session, booking, actor):
            require(actor, "bookings:checkin-others")
        whole = _locked_whole(session, booking_id)
        _check_checkable(booking)
        if now.date() < booking.start:
            raise InvalidState(f"check-in opens on the first day, {day_text(booking.start)}")
        for member in whole:
            if member.checked_in_at is None:
                before = audit.snapshot(member)
                member.checked_in_at, member.updated_at = now, now
                audit.record(
                    session, actor=actor, now=now, action="check_in", row=member, before=before
                )
    return booking


def _locked_whole(session: Session, booking_id: int) -> list[Booking]:
    """The booking and its stack booking's live members (itself first), their environments
    locked in id order (as every stack write locks them) and each read again under the
    locks."""
    whole = with_partners(session, [booking_id])[booking_id]
    for env_id in sorted({b.environment_id for b in whole}):
        lock_environment(session, env_id)
    for member in whole:
        session.refresh(member)
    return [b for b in whole if b is whole[0] or b.status in LIVE_STATUSES]


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
    whose days are not all past, a stack booking's members with it; returns the ids of the
    bookings this call released."""
    released: list[int] = []
    for booking_id in _overdue(sessions, hours, now):
        with booking_transaction(sessions) as session:
            released += _release_if_overdue(session, booking_id, hours, now)
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


def _release_if_overdue(
    session: Session, booking_id: int, hours: int, now: dt.datetime
) -> list[int]:
    """Release the booking, with its stack booking's live members, if it still waits for a
    check-in past its deadline (read again under the locks); the ids released."""
    _booking(session, booking_id)
    whole = _locked_whole(session, booking_id)
    state = checkin_of(whole, hours)
    if not state.waiting or state.due is None or now < state.due:
        return []
    told = _told(whole)
    for member in whole:
        _release(session, member, state.due, now, NO_SHOW if member is told else NO_SHOW_WITH_STACK)
    return [b.id or 0 for b in whole]


def _told(whole: list[Booking]) -> Booking:
    """The member whose release tells the owner (once for a stack booking): the one its
    request made, else the phase's own, else the first by environment."""
    return min(whole, key=lambda b: (b.request_id is None, b.phase_id is None, b.environment_id))


def _release(
    session: Session, booking: Booking, deadline: dt.datetime, now: dt.datetime, action: str
) -> None:
    """Release ``booking`` from today (at least its first day kept on record) and offer the
    days it frees to the waitlist, as a cancel's are."""
    before, freed_end = audit.snapshot(booking), booking.end
    booking.status, booking.updated_at = BookingStatus.RELEASED, now
    booking.end = max(min(now.date(), booking.end), booking.start + DAY)
    booking.note = f"{booking.note}\nreleased: not checked in by {moment_text(deadline)}".strip()
    audit.record(session, actor=None, now=now, action=action, row=booking, before=before)
    offer_days(
        session,
        booking.environment_id,
        max(booking.start, now.date()),
        freed_end,
        actor=None,
        now=now,
    )


def _booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("booking", booking_id)
    return booking
