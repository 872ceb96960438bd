"""An environment's health as people read it, on pages, in mails and notifications:
"down since 4 Jan 2027, 09:00 UTC (HTTP 503 Service Unavailable)", "38 minutes"."""

from __future__ import annotations

import datetime as dt

from envsched.days import moment_text
from envsched.models import HealthState

STATE_WORDS = {
    HealthState.UNKNOWN: "not checked yet",
    HealthState.UP: "up",
    HealthState.DOWN: "down",
}


def span_text(length: dt.timedelta) -> str:
    """``38 minutes``, ``2 hours 5 minutes``, ``3 days 4 hours``; under a minute: ``under
    a minute``."""
    minutes = int(length.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    said = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(said[:2])


def state_text(state: HealthState, since: dt.datetime, detail: str = "") -> str:
    """``down since 4 Jan 2027, 09:00 UTC (HTTP 503 Service Unavailable)``."""
    if state == HealthState.UNKNOWN:
        return f"not checked yet (health URL set {moment_text(since)})"
    said = f"{STATE_WORDS[state]} since {moment_text(since)}"
    return f"{said} ({detail})" if detail else said
