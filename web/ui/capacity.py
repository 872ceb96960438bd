"""Capacity: demand against supply per type per week, and the shortfalls in env-days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from flask import render_template

from envsched.db import read_transaction
from envsched.planning import capacity_report, monday
from web import charts
from web.auth import requires
from web.context import sessions, today
from web.queries import type_names
from web.ui.params import date_arg, int_arg, text_arg

DEFAULT_WEEKS = 12


def shortfall_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The weeks a type is short, as plain values: type, week, last day, demand, supply,
    shortfall (environment-days)."""
    short = frame[frame["shortfall_days"] > 0].to_dict(orient="records")
    return [
        {
            "type": r["type"],
            "week": r["week_start"].date(),
            "last": r["week_start"].date() + dt.timedelta(days=6),
            "demand": int(r["demand_days"]),
            "supply": int(r["supply_days"]),
            "shortfall": int(r["shortfall_days"]),
        }
        for r in short
    ]


@requires("capacity:read")
def capacity() -> Any:
    start = monday(date_arg("start", today()))
    weeks = int_arg("weeks", DEFAULT_WEEKS, low=1, high=52)
    with read_transaction(sessions()) as session:
        types = type_names(session)
    type_name = text_arg("type")
    type_name = type_name if type_name in types else None
    frame = capacity_report(sessions(), start, weeks=weeks, type_name=type_name)
    shortfalls = shortfall_rows(frame)
    return render_template(
        "capacity.html",
        figure=charts.figure_json(charts.capacity_heatmap(frame)),
        shortfalls=shortfalls,
        start=start,
        weeks=weeks,
        types=types,
        type_name=type_name,
        total=sum(s["shortfall"] for s in shortfalls),
    )
