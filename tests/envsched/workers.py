"""Code the concurrency tests run in separate processes (importable by a fork server)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from envsched.booking.shapes import BookingIn
from envsched.db import create_engine, session_factory
from envsched.errors import BookingConflict
from envsched.settings import Settings

BOOKED, CONFLICT = "booked", "conflict"


def book_once(
    url: str, environment: str, start: dt.date, end: dt.date, barrier: Any, results: Any
) -> None:
    """Wait for every process to be ready, then try one direct booking; report the outcome."""
    engine = create_engine(Settings(database_url=url))
    sessions = session_factory(engine)
    data = BookingIn(environment=environment, start=start, end=end)
    now = dt.datetime.now(dt.UTC)
    barrier.wait()
    try:
        results.put(attempt(sessions, data, now))
    finally:
        engine.dispose()


def attempt(sessions: Any, data: BookingIn, now: dt.datetime) -> str:
    from envsched.booking.bookings import book_direct

    try:
        book_direct(sessions, data, actor=None, now=now)
    except BookingConflict:
        return CONFLICT
    return BOOKED
