"""What a booking is for, as people name it: its phase, else the first line of what was
said about it (its note, then why its request asked for it), else that it serves no
phase. My work, the timeline, notifications, the header's search, clash refusals and the
audit log all name a booking through here, so one booking reads the same everywhere.
"""

from __future__ import annotations

from envsched.models import Booking

NO_PHASE = "a booking for no phase"


def serves_text(phase: str | None, *said: str | None) -> str:
    """``R1-UAT``; else the first line of the first of ``said`` with words in it ("soak
    test"); else "a booking for no phase"."""
    if phase:
        return phase
    for text in said:
        if text and text.strip():
            return text.strip().splitlines()[0]
    return NO_PHASE


def serves(booking: Booking) -> str:
    """What ``booking`` serves (its phase and request are read from its session)."""
    asked = booking.request.justification if booking.request is not None else None
    return serves_text(booking.phase.key if booking.phase else None, booking.note, asked)
