"""My work: one page of what is the signed-in person's to do or to know: their requests
(withdraw one), their bookings (hand one back, or cancel one not started), the gates their
role signs that are due, the requests waiting for an environment manager's decision, and
their unread notifications; check in a booking whose type requires it, and see the team's
use of its quotas this month. Every action is the same form its own page has, coming
back here; the service still decides.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlmodel import Session

from envsched import booking, notify
from envsched.booking import get_request, may_withdraw
from envsched.db import read_transaction
from envsched.insight import due_gates, my_booking_ids
from envsched.models import User
from envsched.permissions import can
from web.auth import current_user, requires
from web.context import sessions, settings, today
from web.queries import BookingRow, RequestRow, bookings_by_id, request_rows
from web.ui.bookings import booking_powers

MY_REQUESTS = 50
WAITING_SHOWN = 5
UNREAD_SHOWN = 5


@requires("work:read")
def my_work() -> Any:
    user = current_user()
    assert user is not None  # @requires signed them in
    with read_transaction(sessions()) as session:
        requests = _my_requests(session, user)
        bookings = _my_bookings(session, user)
        gates = due_gates(session, user, today())
        waiting = request_rows(session, open_only=True) if can(user, "requests:decide") else None
    return render_template(
        "my_work.html",
        requests=requests,
        bookings=bookings,
        gates=gates,
        waiting=waiting,
        waiting_shown=WAITING_SHOWN,
        unread=notify.notifications(sessions(), user, unread_only=True, limit=UNREAD_SHOWN),
        unread_total=notify.unread_count(sessions(), user),
        team_usage=booking.my_team_usage(sessions(), user, today()),
    )


def _my_requests(session: Session, user: User) -> list[tuple[RequestRow, bool]]:
    """Their requests, newest first, each with whether they may withdraw it today."""
    rows = sorted(
        request_rows(session, requester_id=user.id, limit=MY_REQUESTS),
        key=lambda r: (r.created_at, r.id),
        reverse=True,
    )
    may = can(user, "requests:cancel")
    return [(r, may and may_withdraw(session, get_request(session, r.id), today())) for r in rows]


def _my_bookings(session: Session, user: User) -> list[tuple[BookingRow, Any, booking.CheckIn]]:
    """Their live bookings, by start, each with what they may do to it now and its
    check-in (a stack booking's members as one)."""
    ids = my_booking_ids(session, user)
    rows = bookings_by_id(session, ids)
    checkins = booking.checkins(session, ids, hours=settings().checkin_hours)
    return [
        (rows[i], booking_powers(user, rows[i], False, checkins[i]), checkins[i])
        for i in ids
        if i in rows and i in checkins
    ]
