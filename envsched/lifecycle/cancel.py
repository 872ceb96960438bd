"""What cancelling a release gives back: its open booking requests and its live bookings.

A release manager who cancels a release expects nothing of it to keep asking for or
holding environments, and the days it held to go to whoever waits for them:

* each open request of its phases (requested, waitlisted) is cancelled, the reason
  naming the release;
* each live booking of its phases gives its days back the way ``cancel_booking`` and
  ``release_early`` do: one not started yet is cancelled, one running is released from
  today (its past days stay history), one already over is left alone; a stack booked
  for one of its phases gives back every member's booking, as a stack booking goes whole;
* the days freed from today on are offered to the waitlist, as ``cancel_booking`` does.

Requests go first, so the release's own waitlisted requests are not offered its days.
All inside the caller's transaction (the status change), every change audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from envsched import audit
from envsched.booking import close_request, offer_days
from envsched.inventory import lock_environment
from envsched.models import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Phase,
    Release,
    RequestStatus,
    StackBooking,
    StackBookingPart,
    User,
)

Days = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Withdrawn:
    """What cancelling a release gives back, or would: the open requests' ids, and the live
    bookings' ids — those not started (cancelled) and those running (released today)."""

    requests: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()
    released: tuple[int, ...] = ()

    @property
    def bookings(self) -> tuple[int, ...]:
        return self.cancelled + self.released


def withdraw_release(
    session: Session, release: Release, *, actor: User | None, now: dt.datetime, reason: str = ""
) -> Withdrawn:
    why = f"release {release.key} cancelled" + (f": {reason}" if reason else "")
    requests, bookings = (
        _open_requests(session, release),
        _live_bookings(session, release, now.date()),
    )
    withdrawn = _withdrawn(requests, bookings, now.date())
    for request in requests:
        close_request(session, request, RequestStatus.CANCELLED, actor=actor, now=now, reason=why)
    freed: dict[int, list[Days]] = defaultdict(list)
    for booking in bookings:  # in environment order: locks are always taken alike
        freed[booking.environment_id].append(
            _give_back(session, booking, why, actor=actor, now=now)
        )
    for environment_id, days in freed.items():
        for start, end in _merged(days):
            offer_days(session, environment_id, start, end, actor=actor, now=now)
    return withdrawn


def held_by(session: Session, release: Release, today: dt.date) -> Withdrawn:
    """What cancelling ``release`` today would give back (read only: for a warning)."""
    return _withdrawn(
        _open_requests(session, release), _live_bookings(session, release, today), today
    )


def _open_requests(session: Session, release: Release) -> Sequence[BookingRequest]:
    return session.exec(
        select(BookingRequest)
        .where(
            col(BookingRequest.phase_id).in_(_phase_ids(release)),
            col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES),
        )
        .order_by(col(BookingRequest.id))
    ).all()


def _live_bookings(session: Session, release: Release, today: dt.date) -> Sequence[Booking]:
    """Its live bookings not over by ``today`` (with every member's booking of a stack
    booked for one of its phases), by environment (the order locks go in)."""
    stacked = (
        select(StackBookingPart.booking_id)
        .join(StackBooking, col(StackBooking.id) == StackBookingPart.stack_booking_id)
        .where(col(StackBooking.phase_id).in_(_phase_ids(release)))
    )
    return session.exec(
        select(Booking)
        .where(
            or_(col(Booking.phase_id).in_(_phase_ids(release)), col(Booking.id).in_(stacked)),
            col(Booking.status).in_(LIVE_STATUSES),
            Booking.end > today,
        )
        .order_by(col(Booking.environment_id), col(Booking.start), col(Booking.id))
    ).all()


def _phase_ids(release: Release) -> SelectOfScalar[int | None]:
    return select(col(Phase.id)).where(Phase.release_id == release.id)


def _withdrawn(
    requests: Sequence[BookingRequest], bookings: Sequence[Booking], today: dt.date
) -> Withdrawn:
    return Withdrawn(
        tuple(r.id or 0 for r in requests),
        tuple(b.id or 0 for b in bookings if b.start >= today),
        tuple(b.id or 0 for b in bookings if b.start < today),
    )


def _give_back(
    session: Session, booking: Booking, why: str, *, actor: User | None, now: dt.datetime
) -> Days:
    """Cancel ``booking`` (not started) or end it today (running); the days it frees."""
    today = now.date()
    lock_environment(session, booking.environment_id)
    before, freed = audit.snapshot(booking), (max(booking.start, today), booking.end)
    if booking.start >= today:
        booking.status = BookingStatus.CANCELLED
    else:
        booking.status, booking.end = BookingStatus.RELEASED, today
    booking.note = f"{booking.note}\n{booking.status.value}: {why}".strip()
    booking.updated_at = now
    audit.record(
        session, actor=actor, now=now, action=booking.status.value, row=booking, before=before
    )
    return freed


def _merged(days: list[Days]) -> list[Days]:
    """Touching or overlapping runs of days as one, so a request may span two bookings."""
    runs: list[Days] = []
    for start, end in sorted(days):
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs
