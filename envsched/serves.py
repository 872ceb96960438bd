"""What a booking is for, as people name it: its phase, else the first line of what was
said about it (its note, then why its request asked for it), else "a booking" (a page
that knows whose it is says "tara's UAT booking"). My work, the timeline,
notifications, the header's search, clash refusals and the audit log all name a booking
through here, so one booking reads the same everywhere.
"""

from __future__ import annotations

from envsched.models import Booking

NO_PHASE = "a booking"


def serves_text(phase: str | None, *said: str | None, otherwise: str = NO_PHASE) -> str:
    """``R1-UAT``; else the first line of the first of ``said`` with words in it ("soak
    test"); else ``otherwise`` ("a booking", or whose booking it is)."""
    if phase:
        return phase
    for text in said:
        if text and text.strip():
            return text.strip().splitlines()[0]
    return otherwise


def serves(booking: Booking, note: str | None = None, otherwise: str = NO_PHASE) -> str:
    """What ``booking`` serves (its phase and request are read from its session);
    ``note`` stands for its note when a change just rewrote it (a no-show's release)."""
    asked = booking.request.justification if booking.request is not None else None
    said = booking.note if note is None else note
    phase = booking.phase.key if booking.phase else None
    return serves_text(phase, said, asked, otherwise=otherwise)
