"""What cancelling a release gives back: its open booking requests and its live bookings.

A release manager who cancels a release expects nothing of it to keep asking for or
holding environments, and the days it held to go to whoever waits for them:

* each open request of its phases (requested, waitlisted) is cancelled, the reason
  naming the release;
* each live booking of its phases gives its days back the way ``cancel_booking`` and
  ``release_early`` do: one not started yet is cancelled, one running is released from
  today (its past days stay history), one already over is left alone;
* the days freed from today on are offered to the waitlist, as ``cancel_booking`` does.

Requests go first, so the release's own waitlisted requests are not offered its days.
All inside the caller's transaction (the status change), every change audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched.models import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Phase,
    Release,
    RequestStatus,
    User,
)
from envsched.services import audit
from envsched.services.availability import lock_environment
from envsched.services.booking import offer_days
from envsched.services.requests import close_request

Days = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Withdrawn:
    """What a cancellation gave back: request ids and booking ids."""

    requests: tuple[int, ...]
    bookings: tuple[int, ...]


def withdraw_release(session: Session, release: Release, *, actor: User | None,
                     now: dt.datetime, reason: str = "") -> Withdrawn:
    why = f"release {release.key} cancelled" + (f": {reason}" if reason else "")
    phase_ids = select(Phase.id).where(Phase.release_id == release.id)
    requests = session.exec(select(BookingRequest).where(
        col(BookingRequest.phase_id).in_(phase_ids),
        col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES))
        .order_by(col(BookingRequest.id))).all()
    for request in requests:
        close_request(session, request, RequestStatus.CANCELLED, actor=actor, now=now,
                      reason=why)
    bookings = session.exec(select(Booking).where(
        col(Booking.phase_id).in_(phase_ids), col(Booking.status).in_(LIVE_STATUSES),
        Booking.end > now.date())
        .order_by(col(Booking.environment_id), col(Booking.start), col(Booking.id))).all()
    freed: dict[int, list[Days]] = defaultdict(list)
    for booking in bookings:  # in environment order: locks are always taken alike
        freed[booking.environment_id].append(
            _give_back(session, booking, why, actor=actor, now=now))
    for environment_id, days in freed.items():
        for start, end in _merged(days):
            offer_days(session, environment_id, start, end, actor=actor, now=now)
    return Withdrawn(tuple(r.id or 0 for r in requests), tuple(b.id or 0 for b in bookings))


def _give_back(session: Session, booking: Booking, why: str, *, actor: User | None,
               now: dt.datetime) -> Days:
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
    audit.record(session, actor=actor, now=now, action=booking.status.value, row=booking,
                 before=before)
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
