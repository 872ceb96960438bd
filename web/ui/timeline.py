"""The timeline to work on: environments (lanes) by days, drawn by vis-timeline.

The page carries ``LANES_PER_PAGE`` lanes (``?page=`` for the next ones) and the items
of the days first shown on them; ``timeline.js`` asks ``/timeline/items`` for more as
the reader scrolls or zooms out (one window of days on the page's lanes at a time), so
a page costs the same whether the estate has 15 environments or 150. A bar opens its
booking; days selected on a lane go to the request form or, for an environment manager,
to the direct booking form; an environment manager drags a bar to move it, through the move
API, which checks the rulebook and names the rule it refuses.

Filtered by release, the lanes are the environments the release books and the bars
are every booking on them: the release's own stand out, the others are faded, so days
taken by another release never look free.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from flask import jsonify, render_template, request, url_for

from envsched import health
from envsched.booking import StateClash, find_clashes
from envsched.db import read_transaction
from envsched.errors import InvalidInput
from envsched.health import HealthOut
from envsched.models import Environment
from envsched.permissions import can
from web import timeline_items
from web.auth import current_user, requires
from web.context import sessions, today
from web.queries import (
    BlockedRow,
    BookingRow,
    blocked_rows,
    booking_rows,
    environment_tags,
    environments,
    release_days,
    release_keys,
    type_names,
)
from web.ui.bookings import clash_bookings, grouped_clashes
from web.ui.paging import Paging, paging
from web.ui.params import date_arg, int_arg, text_arg

# How many weeks each zoom shows; "months" is what the page opens on.
ZOOM_WEEKS = {"weeks": 4, "months": 9, "quarter": 13}
DEFAULT_ZOOM = "months"
LONGEST_FETCH = dt.timedelta(days=400)  # one answer of /timeline/items at most
LANES_PER_PAGE = 25  # environments a page of the timeline shows


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the lanes and bookings to (None: everything)."""

    type: str | None
    tag: str | None
    release: str | None

    @classmethod
    def from_args(cls) -> Filters:
        return cls(text_arg("type"), text_arg("tag"), text_arg("release"))


@dataclass(frozen=True)
class Shown:
    """One window of days of the timeline: its lanes, bookings, blocked days, clashes."""

    lanes: list[dict[str, Any]]  # vis groups, one per environment (timeline_items.lanes)
    lane_names: list[str]
    page: Paging  # of the lanes the filters keep
    rows: list[BookingRow]
    blocked: list[BlockedRow]
    clashes: list[StateClash]
    clash_ids: set[int]
    down: dict[str, HealthOut]  # lanes whose health check finds them down, by name


@requires("timeline:read")
def timeline() -> Any:
    filters, zoom = Filters.from_args(), _zoom()
    with read_transaction(sessions()) as session:
        start, weeks = _window(session, today(), filters.release, ZOOM_WEEKS[zoom])
        choices = {
            "types": type_names(session),
            "releases": release_keys(session),
            "tags": environment_tags(session),
        }
    end = start + dt.timedelta(weeks=weeks)
    shown = _read(filters, start, end)
    own = [r for r in shown.rows if r.release == filters.release] if filters.release else []
    return render_template(
        "timeline.html",
        rows=shown.rows,
        clash_ids=shown.clash_ids,
        clashes=shown.clashes,
        clash_groups=grouped_clashes(shown.clashes),
        named=clash_bookings(shown.clashes),
        start=start,
        end=end,
        weeks=weeks,
        zoom=zoom,
        zooms=ZOOM_WEEKS,
        filters=filters,
        lane_names=shown.lane_names,
        page=shown.page,
        own=own,
        lanes_json=json.dumps(shown.lanes),
        items_json=json.dumps(_items(shown, filters)),
        rules_json=json.dumps(timeline_items.RULE_WORDS),
        down=shown.down,
        **choices,
    )


@requires("timeline:read")
def timeline_items_json() -> Any:
    """``{"start", "end", "items"}``: the bookings and blocked days of ``[start, end)`` on
    the lanes the filters keep; 400 naming the parameter that is wrong."""
    try:
        start, end = _fetch_window()
    except InvalidInput as exc:
        return jsonify({"error": exc.to_dict()}), 400
    filters = Filters.from_args()
    shown = _read(filters, start, end)
    return jsonify(
        {"start": start.isoformat(), "end": end.isoformat(), "items": _items(shown, filters)}
    )


def _items(shown: Shown, filters: Filters) -> list[dict[str, Any]]:
    movable = can(current_user(), "bookings:move")
    return [
        *timeline_items.blocked_items(shown.blocked),
        *timeline_items.booking_items(
            shown.rows,
            shown.clash_ids,
            movable=movable,
            today=today(),
            page=url_for("ui.booking_detail", booking_id=0).replace("/0", "/{id}"),
            release=filters.release,
        ),
    ]


def _read(filters: Filters, start: dt.date, end: dt.date) -> Shown:
    """The page's lanes (``?page=``) and what is on them in ``[start, end)``; every
    booking on them, even when the filters name a release (its own are marked)."""
    with read_transaction(sessions()) as session:
        kept = timeline_items.natural_order(_lanes(session, filters))
        page = paging(len(kept), LANES_PER_PAGE)
        lanes = kept[page.offset : page.last_row]
        names = [env.name for env in lanes]
        rows = booking_rows(session, start=start, end=end, environments=names)
        blocked = blocked_rows(session, lanes, start=start, end=end)
        down = health.down_among(session, names)
        drawn = timeline_items.lanes(lanes, down)
    shown_ids = {r.id for r in rows}
    clashes = [
        c
        for c in find_clashes(sessions())
        if c.start < end and c.end > start and shown_ids.intersection(c.booking_ids)
    ]
    return Shown(
        drawn,
        names,
        page,
        rows,
        blocked,
        clashes,
        {i for c in clashes for i in c.booking_ids} & shown_ids,
        down,
    )


def _lanes(session: Any, filters: Filters) -> list[Environment]:
    """Every environment of the type and tag (idle ones too, so free days show), or for
    a release those its live bookings are on."""
    found = environments(session, type_name=filters.type, tag=filters.tag)
    if not filters.release:
        return list(found)
    booked = {r.environment for r in booking_rows(session, release=filters.release)}
    return [env for env in found if env.name in booked]


def _zoom() -> str:
    asked = request.args.get("zoom", "")
    return asked if asked in ZOOM_WEEKS else DEFAULT_ZOOM


def _window(
    session: Any, day: dt.date, release: str | None, zoom_weeks: int
) -> tuple[dt.date, int]:
    """The weeks asked for; by default from last week on, or, for one release, from the
    week of its first live booking to its last (a release planned months ahead shows)."""
    start = day - dt.timedelta(days=day.weekday() + 7)
    weeks = zoom_weeks
    span = release_days(session, release) if release else None
    if span is not None:
        first, last = span
        start = first - dt.timedelta(days=first.weekday())  # the week of its first booking
        weeks = max(weeks, -(-(last - start).days // 7))  # whole weeks to its last
    return date_arg("start", start), int_arg("weeks", min(weeks, 52), low=1, high=52)


def _fetch_window() -> tuple[dt.date, dt.date]:
    start, end = _date_param("start"), _date_param("end")
    if end <= start:
        raise InvalidInput("end", f"{end} is not after start {start}")
    if end - start > LONGEST_FETCH:
        raise InvalidInput("end", f"at most {LONGEST_FETCH.days} days at a time")
    return start, end


def _date_param(name: str) -> dt.date:
    raw = request.args.get(name, "").strip()
    if not raw:
        raise InvalidInput(name, "give a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(name, f"{raw!r} is not a date (YYYY-MM-DD)") from None
