"""A booking as people know it: what it serves, where, which days ("R1-UAT on UAT-2
(3–7 Mar 2027)"), never its id. Clash messages, refusals and a round's notes all name a
booking through here."""

from __future__ import annotations

from envsched.days import days_text
from envsched.models import Booking, BookingStatus
from envsched.serves import serves


def booking_words(booking: Booking) -> str:
    return (
        f"{serves(booking)} on {booking.environment.name} ({days_text(booking.start, booking.end)})"
    )


def status_words(status: BookingStatus) -> str:
    return status.value.replace("_", " ")
