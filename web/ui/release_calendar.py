"""The release calendar: release windows, go-lives and freezes on a month grid (the
default), or twelve months of windows, releases and their phases' bookings,
deployments, freezes and maintenance on one Gantt chart (``?view=gantt``); with its
iCal feed."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from envsched.services.release_calendar import calendar_months, release_calendar
from web import charts, release_charts
from web.auth import requires
from web.context import sessions, today
from web.month_grid import WEEKDAYS, month_grid
from web.ui.params import date_arg, int_arg

VIEWS = ("months", "gantt")


@requires("calendar:read")
def release_calendar_page() -> Any:
    months = int_arg("months", 12, low=1, high=24)
    view = request.args.get("view", "months")
    view = view if view in VIEWS else "months"
    start, end = calendar_months(date_arg("start", today()), months)
    items = release_calendar(sessions(), start, end)
    shown: dict[str, Any] = {}
    if view == "gantt":
        figure = release_charts.release_calendar_figure(items, start=start, end=end,
                                                        today=today())
        shown["figure"] = charts.figure_json(figure)
    else:
        shown["grid"] = month_grid(items, start, end, today())
    windows = [i for i in items if i.kind == "window"]
    return render_template("release_calendar.html", view=view, start=start, end=end,
                           months=months, windows=windows, weekdays=WEEKDAYS,
                           releases=sorted({i.lane for i in items if i.kind == "release"}),
                           **shown)
