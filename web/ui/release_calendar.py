"""The release calendar: twelve months of release windows, releases and their phases'
bookings, deployments, freezes and maintenance on one chart, with its iCal feed."""

from __future__ import annotations

from typing import Any

from flask import render_template

from envsched.services.release_calendar import calendar_months, release_calendar
from web import charts, release_charts
from web.auth import requires
from web.context import sessions, today
from web.ui.params import date_arg, int_arg


@requires("calendar:read")
def release_calendar_page() -> Any:
    months = int_arg("months", 12, low=1, high=24)
    start, end = calendar_months(date_arg("start", today()), months)
    items = release_calendar(sessions(), start, end)
    figure = release_charts.release_calendar_figure(items, start=start, end=end,
                                                    today=today())
    windows = [i for i in items if i.kind == "window"]
    return render_template("release_calendar.html", figure=charts.figure_json(figure),
                           start=start, end=end, months=months, windows=windows,
                           releases=sorted({i.lane for i in items if i.kind == "release"}))
