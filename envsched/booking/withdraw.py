"""Withdrawing a booking request: the requester (or an environment manager) takes it back.

A pending request (requested or waitlisted) is simply closed. An approved one may be
withdrawn too while its booking is still to come (neither in use nor on or past its
first day): the booking is cancelled with it (a member's booking of a stack booking with
every member's: a stack goes whole) and its days go to the waitlist. A booking
under way is handed back early from its own page instead, so the days used stay on
record; one that is over, given back or cancelled leaves nothing to withdraw.

``withdrawal_refused`` is the one rule: the service raises its reason, pages ask it
whether to offer the button. A withdrawal is not a decision: who approved, waitlisted
or refused the request, and when, stay on it (the audit log says who withdrew it).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking.bookings import booking_transaction
from envsched.booking.giveback import offer_days
from envsched.booking.requests import close_request, get_request
from envsched.booking.stack_parts import live_partners
from envsched.booking.words import booking_words, status_words
from envsched.db import SessionFactory
from envsched.errors import InvalidState
from envsched.models import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    RequestStatus,
    User,
)
from envsched.permissions import require

ONLY = "only a pending request, or an approved one whose booking has not started, can be withdrawn"


def withdraw_request(
    sessions: SessionFactory, request_id: int, *, actor: User | None, now: dt.datetime
) -> BookingRequest:
    """Close request ``request_id`` as cancelled; an approved one takes its booking along."""
    with booking_transaction(sessions) as session:
        request = get_request(session, request_id)
        if actor is None or actor.id != request.requester_id:
            require(actor, "requests:cancel-others")
        refused = withdrawal_refused(session, request, now.date())
        if refused:
            raise InvalidState(refused)
        if request.status == RequestStatus.APPROVED:
            _cancel_bookings(session, request, actor=actor, now=now)
        close_request(
            session,
            request,
            RequestStatus.CANCELLED,
            actor=actor,
            now=now,
            reason="withdrawn by the requester"
            if actor and actor.id == request.requester_id
            else "withdrawn",
            decision=False,
        )
    return request


def may_withdraw(session: Session, request: BookingRequest, today: dt.date) -> bool:
    """Would ``withdraw_request`` accept this request today (the actor aside)?"""
    return withdrawal_refused(session, request, today) is None


def withdrawal_refused(session: Session, request: BookingRequest, today: dt.date) -> str | None:
    """Why ``request`` cannot be withdrawn today, in words (None: it can)."""
    if request.status in OPEN_REQUEST_STATUSES:
        return None
    if request.status != RequestStatus.APPROVED:
        return f"the request is {request.status.value}; {ONLY}"
    live = _live_bookings(session, request)
    if not live:
        return _nothing_left(session, request)
    for booking in live:
        if booking.end <= today:
            return f"{booking_words(booking)} is over; {ONLY}"
        if _started(booking, today):
            return f"{booking_words(booking)} has started; hand it back early from its page instead"
    return None


def _nothing_left(session: Session, request: BookingRequest) -> str:
    """An approved request none of whose bookings is live: the last one and what became of it."""
    last = session.exec(
        select(Booking)
        .where(Booking.request_id == request.id)
        .order_by(col(Booking.end).desc(), col(Booking.id).desc())
    ).first()
    if last is None:
        return f"the request has no booking left; {ONLY}"
    return f"{booking_words(last)} is {status_words(last.status)}; {ONLY}"


def _live_bookings(session: Session, request: BookingRequest) -> list[Booking]:
    """The request's live bookings, each with its live stack partners, by environment."""
    own = session.exec(
        select(Booking).where(
            Booking.request_id == request.id, col(Booking.status).in_(LIVE_STATUSES)
        )
    ).all()
    whole = {
        b.id: b for booking in own for b in [booking, *live_partners(session, booking.id or 0)]
    }
    return sorted(whole.values(), key=lambda b: (b.environment_id, b.id or 0))


def _cancel_bookings(
    session: Session, request: BookingRequest, *, actor: User | None, now: dt.datetime
) -> None:
    for booking in _live_bookings(session, request):
        before = audit.snapshot(booking)
        booking.status, booking.updated_at = BookingStatus.CANCELLED, now
        booking.note = f"{booking.note}\ncancelled: request withdrawn".strip()
        audit.record(session, actor=actor, now=now, action="cancelled", row=booking, before=before)
        offer_days(
            session,
            booking.environment_id,
            max(booking.start, now.date()),
            booking.end,
            actor=actor,
            now=now,
        )


def _started(booking: Booking, today: dt.date) -> bool:
    return booking.status == BookingStatus.IN_USE or booking.start <= today
