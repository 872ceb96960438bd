"""Giving booked days back: cancel a booking, release it early, and offer the freed days
to the waitlist, highest priority first, in the same transaction.

A member's booking of a stack booking is given back with every live member's: a stack is
booked whole, so cancelling or handing back one member (its page, the API) does the same
to the whole stack booking, as the stack's own cancel does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking.bookings import book_locked, booking_transaction
from envsched.booking.free_slots import find_free_slots
from envsched.booking.requests import close_request, request_rules
from envsched.booking.rulebook import RuleBroken
from envsched.booking.rulebook.quota import owner_id
from envsched.booking.stack_parts import live_partners
from envsched.booking.words import booking_words, status_words, under_way
from envsched.days import day_text, days_text
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, InvalidState, NotFound
from envsched.inventory import check_eligible, lock_environment
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    RequestStatus,
    User,
)
from envsched.permissions import require


def cancel_booking(
    sessions: SessionFactory,
    booking_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> Booking:
    """Cancel a live booking not under way; its days still ahead are offered to the
    waitlist. One under way (checked in, in use, or started before today) is handed back
    instead: the days it has had are history (``under_way``), so ``InvalidState``."""
    today = now.date()
    return _give_back(
        sessions, booking_id, actor=actor, now=now, change=lambda b: _cancel(b, reason, today)
    )


def release_early(
    sessions: SessionFactory,
    booking_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    on: dt.date | None = None,
) -> Booking:
    """End a live booking on ``on``, the first day given back (default ``hand_back_day``:
    tomorrow, so today is kept); ``[on, end)`` goes to the waitlist."""
    day = on or hand_back_day(now.date())
    return _give_back(sessions, booking_id, actor=actor, now=now, change=lambda b: _release(b, day))


def hand_back_day(today: dt.date) -> dt.date:
    """The first day a booking handed back gives back: tomorrow. Today is kept, as the
    booking may be in use all day (one that starts today may be handed back too)."""
    return today + dt.timedelta(days=1)


def may_hand_back(start: dt.date, end: dt.date, today: dt.date) -> bool:
    """Under way today, with a day after today to give back (``release_early``'s rule)."""
    return start < hand_back_day(today) < end


def _cancel(booking: Booking, reason: str, today: dt.date) -> None:
    if under_way(booking.status, booking.start, booking.checked_in_at, today):
        raise InvalidState(
            f"{booking_words(booking)} is under way since {day_text(booking.start)}; "
            "hand it back instead of cancelling it"
        )
    booking.status = BookingStatus.CANCELLED
    if reason:
        booking.note = f"{booking.note}\ncancelled: {reason}".strip()


def _release(booking: Booking, day: dt.date) -> None:
    if not booking.start < day < booking.end:
        raise InvalidInput(
            "on",
            f"the booking ({days_text(booking.start, booking.end)}) has no days to give "
            f"back from {day_text(day)}; cancel a booking that has not started",
        )
    booking.end = day
    booking.status = BookingStatus.RELEASED


def _give_back(
    sessions: SessionFactory,
    booking_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    change: Callable[[Booking], None],
) -> Booking:
    with booking_transaction(sessions) as session:
        booking = _live_booking(session, booking_id, actor)
        whole = sorted([booking, *live_partners(session, booking_id)], key=_environment_id)
        for member in whole:  # in environment order, as a stack's cancel locks them
            give_back_locked(session, member, change, actor=actor, now=now)
    return booking


def _environment_id(booking: Booking) -> int:
    return booking.environment_id


def cancel_locked(
    session: Session, booking: Booking, reason: str, *, actor: User | None, now: dt.datetime
) -> None:
    """Cancel live ``booking`` in the caller's transaction (the caller checked who may);
    its days still ahead go to the waitlist, as ``cancel_booking``'s do, and one under way
    is refused as there (a stack booking's member, a run of a series)."""
    if booking.status not in LIVE_STATUSES:
        raise InvalidState(f"{booking_words(booking)} is {status_words(booking.status)}, not live")
    today = now.date()
    give_back_locked(session, booking, lambda b: _cancel(b, reason, today), actor=actor, now=now)


def give_back_locked(
    session: Session,
    booking: Booking,
    change: Callable[[Booking], None],
    *,
    actor: User | None,
    now: dt.datetime,
) -> None:
    lock_environment(session, booking.environment_id)
    before, freed_end = audit.snapshot(booking), booking.end
    change(booking)
    booking.updated_at = now
    audit.record(
        session, actor=actor, now=now, action=booking.status.value, row=booking, before=before
    )
    freed_start = booking.end if booking.status == BookingStatus.RELEASED else booking.start
    offer_days(
        session,
        booking.environment_id,
        max(freed_start, now.date()),
        freed_end,
        actor=actor,
        now=now,
    )


def _live_booking(session: Session, booking_id: int, actor: User | None) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("booking", booking_id)
    if not _is_own(session, booking, actor):
        require(actor, "bookings:cancel-others")
    if booking.status not in LIVE_STATUSES:
        raise InvalidState(f"{booking_words(booking)} is {status_words(booking.status)}, not live")
    return booking


def _is_own(session: Session, booking: Booking, actor: User | None) -> bool:
    """Whose it is: its request's requester, else who booked it (``owner_id``)."""
    return actor is not None and owner_id(session, booking) == actor.id


def offer_days(
    session: Session,
    environment_id: int,
    start: dt.date,
    end: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
) -> list[Booking]:
    """Approve, in priority order, each waitlisted request that fits inside the freed days
    (inside the caller's transaction)."""
    if not start < end:
        return []
    env = lock_environment(session, environment_id)
    waiting = session.exec(
        select(BookingRequest)
        .where(BookingRequest.status == RequestStatus.WAITLISTED)
        .order_by(
            col(BookingRequest.priority).desc(),
            col(BookingRequest.created_at),
            col(BookingRequest.id),
        )
    )
    booked = []
    for request in waiting.all():
        booking = _offer_one(session, env, request, start, end, actor=actor, now=now)
        if booking is not None:
            booked.append(booking)
    return booked


def _offer_one(
    session: Session,
    env: Environment,
    request: BookingRequest,
    start: dt.date,
    end: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Booking | None:
    rules = request_rules(session, request, now.date())
    try:
        check_eligible(env, type_id=rules.type_id, tags=rules.tags, names=rules.environments)
    except InvalidInput:
        return None
    latest = min(end, rules.before) if rules.before else end
    slots = find_free_slots(
        session,
        None,
        request.duration_days,
        max(start, rules.after),
        environments=[env.name],
        before=latest,
        limit=1,
    )
    if not slots:
        return None
    try:
        booking = book_locked(session, env, slots[0].start, request, actor=actor, now=now)
    except RuleBroken:  # its phase was booked meanwhile, or its order no longer allows it
        return None
    close_request(
        session,
        request,
        RequestStatus.APPROVED,
        actor=actor,
        now=now,
        reason=f"offered freed days on {env.name}",
        by=audit.WAITLIST,
    )
    return booking
