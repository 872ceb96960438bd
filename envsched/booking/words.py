"""A booking as people know it: what it serves, where, which days ("R1-UAT on UAT-2
(3–7 Mar 2027)"), never its id. Clash messages, refusals and a round's notes all name a
booking through here."""

from __future__ import annotations

import datetime as dt

from envsched.days import days_text
from envsched.models import LIVE_STATUSES, Booking, BookingStatus
from envsched.serves import serves


def booking_words(booking: Booking) -> str:
    return (
        f"{serves(booking)} on {booking.environment.name} ({days_text(booking.start, booking.end)})"
    )


def status_words(status: BookingStatus) -> str:
    return status.value.replace("_", " ")


def has_past_days(status: str, start: dt.date, today: dt.date) -> bool:
    """In use, or its first day is past: the days it has had are history and cannot move
    (one starting today, not in use yet, may still move)."""
    return status == BookingStatus.IN_USE or start < today


def under_way(
    status: str, start: dt.date, checked_in_at: dt.datetime | None, today: dt.date
) -> bool:
    """In use, checked in, or its first day is past: it is handed back, not cancelled."""
    return checked_in_at is not None or has_past_days(status, start, today)


def shown_status(status: str, end: dt.date, today: dt.date) -> str:
    """A booking's state as people are told it, from its status and its days: a live
    booking whose days are over has ``ended``, whatever its status still says. The
    environment page, the search, the booking page and My work all show this one."""
    if status in LIVE_STATUSES and end <= today:
        return "ended"
    return BookingStatus(status).value


def state_words(status: str, end: dt.date, today: dt.date) -> str:
    """``shown_status`` in words (``in use``, ``ended``)."""
    return shown_status(status, end, today).replace("_", " ")
