"""The timeline: a Gantt chart of bookings by environment, clashes highlighted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template

from envsched.db import read_transaction
from envsched.models import Environment
from envsched.services.clashes import find_clashes
from web import charts
from web.auth import requires
from web.context import sessions, today
from web.ui.bookings import clash_bookings
from web.ui.params import date_arg, int_arg, text_arg
from web.ui.queries import (
    blocked_rows,
    booking_rows,
    environments,
    release_days,
    release_keys,
    type_names,
)

DEFAULT_WEEKS = 9


@requires("timeline:read")
def timeline() -> Any:
    day = today()
    type_name, release = text_arg("type"), text_arg("release")
    with read_transaction(sessions()) as session:
        start, weeks = _window(session, day, release)
        end = start + dt.timedelta(weeks=weeks)
        rows = booking_rows(session, start=start, end=end, type_name=type_name, release=release)
        shown_environments = _lines(session, rows, type_name, release)
        capacities = {env.name: env.capacity for env in shown_environments}
        blocked = blocked_rows(session, shown_environments, start=start, end=end)
        choices = {"types": type_names(session), "releases": release_keys(session)}
    shown = {r.id for r in rows}
    clashes = [c for c in find_clashes(sessions()) if c.start < end and c.end > start
               and shown.intersection(c.booking_ids)]
    clash_ids = {i for c in clashes for i in c.booking_ids} & shown
    figure = charts.timeline_figure(rows, clash_ids, environments=list(capacities),
                                    capacities=capacities, blocked=blocked, start=start, end=end,
                                    today=day)
    return render_template("timeline.html", figure=charts.figure_json(figure), rows=rows,
                           clash_ids=clash_ids, clashes=clashes, named=clash_bookings(clashes),
                           start=start, end=end,
                           weeks=weeks, filters={"type": type_name, "release": release},
                           **choices)


def _window(session: Any, day: dt.date, release: str | None) -> tuple[dt.date, int]:
    """The weeks asked for; by default from last week on, or, for one release, from the
    week of its first live booking to its last (a release planned months ahead shows)."""
    start = day - dt.timedelta(days=day.weekday() + 7)
    weeks = DEFAULT_WEEKS
    span = release_days(session, release) if release else None
    if span is not None:
        first, last = span
        start = first - dt.timedelta(days=first.weekday())  # the week of its first booking
        weeks = max(weeks, -(-(last - start).days // 7))  # whole weeks to its last
    return date_arg("start", start), int_arg("weeks", min(weeks, 52), low=1, high=52)


def _lines(session: Any, rows: list[Any], type_name: str | None,
           release: str | None) -> list[Environment]:
    """Every environment of the type (idle ones too), or those a release books, by name:
    the chart draws up to its capacity in lanes, and marks any more."""
    found = environments(session, type_name=type_name)
    booked = {r.environment for r in rows}
    return [env for env in found if not release or env.name in booked]
