"""The dashboard: what needs attention today, for the person signed in.

Environments whose health check finds them down (flagged, or when they will be if still
down), clashes today and in the coming fortnight, capacity shortfalls in the next four
weeks, the requests waiting for this user (to decide, or their own still open), their
upcoming bookings, and this week's demand against supply per environment type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from flask import render_template

from envsched import health
from envsched.booking import find_clashes
from envsched.db import read_transaction
from envsched.health import HealthOut
from envsched.permissions import can
from envsched.planning import capacity_report, monday
from web import charts
from web.auth import current_user, requires
from web.context import sessions, today
from web.queries import booking_rows, request_rows
from web.ui.bookings import clash_bookings, grouped_clashes
from web.ui.capacity import shortfall_rows

LOOKAHEAD = dt.timedelta(days=14)
SHORTFALL_WEEKS = 4


@requires("dashboard:read")
def dashboard() -> Any:
    user = current_user()
    assert user is not None and user.id is not None
    day = today()
    deciding = can(user, "requests:decide")
    with read_transaction(sessions()) as session:
        waiting = request_rows(session, open_only=True, requester_id=None if deciding else user.id)
        mine = booking_rows(session, start=day, owner_id=user.id)[:15]
        down = health.down_among(session)
        worker = health.worker_settings(session)
    frame = capacity_report(sessions(), day, weeks=SHORTFALL_WEEKS)
    shares = _this_week(frame, monday(day))
    clashes = _clashes_near(day)
    return render_template(
        "dashboard.html",
        today=day,
        clashes=clashes,
        clash_groups=grouped_clashes(clashes),
        named=clash_bookings(clashes),
        deciding=deciding,
        waiting=waiting,
        mine=mine,
        shortfalls=shortfall_rows(frame),
        shares=shares,
        utilisation=charts.figure_json(charts.utilisation_figure(shares)),
        down=down,
        flags_due=_flags_due(down, worker),
    )


def _flags_due(
    down: dict[str, HealthOut], worker: health.WorkerSettings | None
) -> dict[str, dt.datetime]:
    """When each environment down and not flagged yet is flagged if it stays down (none
    before the worker's first probe: its set minutes are not known)."""
    if worker is None:
        return {}
    wait = dt.timedelta(minutes=worker.down_minutes)
    return {name: h.since + wait for name, h in down.items() if h.flagged_at is None}


def _clashes_near(day: dt.date) -> list[Any]:
    return [c for c in find_clashes(sessions()) if c.start <= day + LOOKAHEAD and c.end > day]


def _this_week(frame: pd.DataFrame, week: dt.date) -> list[tuple[str, float]]:
    """Demand as a share of supply (per cent) per type in ``week``."""
    rows = frame[frame["week_start"] == pd.Timestamp(week)].to_dict(orient="records")
    return [
        (
            str(r["type"]),
            round(100.0 * r["demand_days"] / r["supply_days"], 1) if r["supply_days"] else 0.0,
        )
        for r in rows
    ]
