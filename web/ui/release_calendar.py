"""The release calendar: release windows, go-lives and freezes on a month grid (the
default), or twelve months of windows, releases and their phases' bookings,
deployments, freezes and maintenance on one Gantt chart (``?view=gantt``); with its
iCal feed.

An enterprise has a thousand releases a year and a hundred environments: the Gantt
chart draws ``RELEASES_PER_PAGE`` releases (by their first day) and pages through the
rest, with the windows, the freezes, and the maintenance of the environments those
releases book, one bar per run of days some of them are in maintenance (on one line,
separate bars would only hide each other), naming them. The month grid shows windows,
go-lives and freezes only, read for its months alone (``grid_items``), so it needs no
paging and costs the same however many releases there are; the iCal feed holds every
item."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from envsched.inventory import natural_key
from envsched.lifecycle import (
    FREEZES_LANE,
    MAINTENANCE_LANE,
    WINDOWS_LANE,
    CalendarItem,
    calendar_months,
    grid_items,
    release_calendar,
)
from web import charts, release_charts
from web.auth import requires
from web.context import sessions, today
from web.month_grid import WEEKDAYS, month_grid
from web.ui.paging import Paging, paging
from web.ui.params import date_arg, int_arg

VIEWS = ("months", "gantt")
RELEASES_PER_PAGE = 40
NAMED_IN_A_RUN = 12  # environments a maintenance bar names on hover
SHARED_LANES = (WINDOWS_LANE, FREEZES_LANE, MAINTENANCE_LANE)


@requires("calendar:read")
def release_calendar_page() -> Any:
    months = int_arg("months", 12, low=1, high=24)
    view = request.args.get("view", "months")
    view = view if view in VIEWS else "months"
    start, end = calendar_months(date_arg("start", today()), months)
    shown: dict[str, Any] = {}
    if view == "gantt":
        items = release_calendar(sessions(), start, end)
        page_items, shown["page"] = _one_page(items)
        figure = release_charts.release_calendar_figure(
            page_items, start=start, end=end, today=today()
        )
        shown["figure"] = charts.figure_json(figure)
        shown["releases"] = sorted(
            {i.lane for i in page_items if i.kind == "release"}, key=natural_key
        )
    else:
        items = grid_items(sessions(), start, end)
        shown["grid"] = month_grid(items, start, end, today())
    windows = [i for i in items if i.kind == "window"]
    return render_template(
        "release_calendar.html",
        view=view,
        start=start,
        end=end,
        months=months,
        windows=windows,
        weekdays=WEEKDAYS,
        **shown,
    )


def _one_page(items: list[CalendarItem]) -> tuple[list[CalendarItem], Paging]:
    """The items of the page's releases, the windows and freezes, and the maintenance of
    the environments the page's releases book."""
    lanes = [lane for lane in release_charts.lane_order(items) if lane not in SHARED_LANES]
    page = paging(len(lanes), RELEASES_PER_PAGE)
    shown = set(lanes[page.offset : page.last_row])
    booked = {i.environment for i in items if i.kind == "phase" and i.lane in shown}
    down = [i for i in items if i.kind == "maintenance" and i.environment in booked]
    return [
        *(i for i in items if i.lane in shown or i.lane in (WINDOWS_LANE, FREEZES_LANE)),
        *_runs(down),
    ], page


def _runs(windows: list[CalendarItem]) -> list[CalendarItem]:
    """Overlapping or touching maintenance windows as one item per run of days, naming the
    environments (a run of one window is that window)."""
    runs: list[list[CalendarItem]] = []
    for window in sorted(windows, key=lambda i: (i.start, i.end)):
        if runs and window.start <= max(i.end for i in runs[-1]):
            runs[-1].append(window)
        else:
            runs.append([window])
    return [run[0] if len(run) == 1 else _run(run) for run in runs]


def _run(run: list[CalendarItem]) -> CalendarItem:
    names = sorted({i.environment for i in run}, key=natural_key)
    shown = ", ".join(names[:NAMED_IN_A_RUN]) + (" …" if len(names) > NAMED_IN_A_RUN else "")
    return CalendarItem(
        "maintenance",
        MAINTENANCE_LANE,
        run[0].start,
        max(i.end for i in run),
        f"{len(names)} environments" if len(names) > 1 else names[0],
        f"maintenance of {shown}",
        f"maintenance-{run[0].uid}",
    )
