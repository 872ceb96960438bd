"""What a request needs from the app: the database sessions, the settings and the clock.

Views and API handlers call these instead of reaching into ``current_app`` themselves,
so the one place the app keeps them (``app.extensions["envsched"]``) is named once.
The clock lives here because the web is an edge: services take ``now`` as a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import current_app, g

from envsched.db import SessionFactory
from envsched.settings import Settings

Clock = Callable[[], dt.datetime]
JOINED_SESSIONS = "envsched_joined_sessions"


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _extension() -> dict[str, Any]:
    return current_app.extensions["envsched"]


def sessions() -> SessionFactory:
    """The session factory of the app's database; while a request's write runs under an
    idempotency key, the one that joins that write's transaction (``web.api.idempotency``)."""
    joined: SessionFactory | None = g.get(JOINED_SESSIONS)
    return joined if joined is not None else _extension()["sessions"]


def settings() -> Settings:
    return _extension()["settings"]


def now() -> dt.datetime:
    """The current time, aware UTC (tests may give the app another clock)."""
    clock: Clock = _extension()["clock"]
    return clock()


def today() -> dt.date:
    return now().date()
