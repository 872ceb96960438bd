"""A booking series for API paths naming one (``series_id``, ``occurrence_id``): weekly on
Tuesdays on UAT-1, four runs from 2027-03-01, all booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from envsched.booking import SeriesIn, create_series, series_out
from envsched.db import SessionFactory
from tests.web.helpers import NOW


def series_values(sessions: SessionFactory, rule_path: str, environment: str) -> dict[str, Any]:
    if "series_id" not in rule_path:
        return {}
    data = SeriesIn(
        environment=environment,
        repeat="weekly",
        weekdays=["tue"],
        start=dt.date(2027, 3, 1),
        length_days=1,
        times=4,
        note="world series",
    )
    series = create_series(sessions, data, actor=None, now=NOW)
    shown = series_out(sessions, series.id or 0)
    return {"series_id": shown.id, "occurrence_id": shown.occurrences[0].id}


def series_ids(sessions: SessionFactory) -> dict[str, int]:
    """A series on UAT-2 for the page tables: ``series`` and its first run, ``series_run``."""
    values = series_values(sessions, "series_id", "UAT-2")
    return {"series": values["series_id"], "series_run": values["occurrence_id"]}
