"""Bookings sharing an environment's days on lanes of their own, on the figures the pages
really embed (environment page, what-if comparison), on SQLite and PostgreSQL. (The
timeline page stacks them with vis-timeline: tests/web/test_timeline_work.py.)"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.page_world import PageWorld, day
from web.ui.whatif_view import plan_timeline

Login = Callable[..., object]
CLASH_RED = "#a4161a"
BLOCKED_TRACES = {"Maintenance", "Freeze"}


def page_figure(client: FlaskClient, path: str) -> dict[str, Any]:
    """The figure of the page's (first) chart, as ``app.js`` receives it."""
    response = client.get(path)
    assert response.status_code == 200, path
    found = re.search(r'class="chart"[^>]* data-figure="([^"]+)"', response.get_data(as_text=True))
    assert found, f"no chart on {path}"
    figure: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return figure


def lines_by_label(figure: dict[str, Any]) -> dict[str, str]:
    """The line each booking's bar is drawn on, by the bar's label (phase, note or
    "booking N"); hatched maintenance and freeze bars are not bookings."""
    return {
        text: y
        for trace in figure["data"]
        if trace["name"] not in BLOCKED_TRACES
        for text, y in zip(trace["text"], trace["y"], strict=True)
    }


def share_sit1(sessions: SessionFactory, estate: PageWorld) -> None:
    """SIT-1 (capacity 2) holds R1-SIT on days 0-4; add one booking overlapping it and one
    that starts after R1-SIT has ended."""
    factories.make_booking(sessions, estate.sit1, start=day(2), end=day(8), note="perf smoke")
    factories.make_booking(sessions, estate.sit1, start=day(6), end=day(9), note="late smoke")


def test_a_booking_past_the_capacity_gets_its_own_red_lane_on_the_environment_page(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(sessions, estate.sit1, start=day(1), end=day(4), note="second")
    factories.make_booking(sessions, estate.sit1, start=day(2), end=day(3), note="third")
    login(client, Role.VIEWER)
    figure = page_figure(client, "/environments/SIT-1")
    clash = next(t for t in figure["data"] if t["name"] == "Clash")
    assert dict(zip(clash["text"], clash["y"], strict=True)) == {
        "R1-SIT": "SIT-1 · 1",
        "second": "SIT-1 · 2",
        "third": "SIT-1 · 3 (over)",
    }
    assert clash["marker"]["color"] == CLASH_RED
    assert "#fbe9e9" in [s.get("fillcolor") for s in figure["layout"]["shapes"]]


def test_the_environment_page_draws_its_own_lanes(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    share_sit1(sessions, estate)
    login(client, Role.VIEWER)
    figure = page_figure(client, "/environments/SIT-1")
    assert lines_by_label(figure) == {
        "R1-SIT": "SIT-1 · 1",
        "perf smoke": "SIT-1 · 2",
        "late smoke": "SIT-1 · 1",
    }
    assert page_figure(client, "/environments/UAT-1")["layout"]["yaxis"]["categoryarray"] == [
        "UAT-1"
    ]  # capacity 1, one booking: as it always was


def test_a_what_if_plan_puts_parallel_phases_on_lanes_of_the_shared_environment() -> None:
    scenario = {
        "environments": [
            {"id": "SIT-1", "type": "SIT", "capacity": 2},
            {"id": "UAT-1", "type": "UAT"},
        ]
    }
    plan = {
        "assignments": [
            {
                "phase": "R1-SIT",
                "release": "R1",
                "environment": "SIT-1",
                "start": "2027-01-04",
                "end": "2027-01-14",
            },
            {
                "phase": "R2-SIT",
                "release": "R2",
                "environment": "SIT-1",
                "start": "2027-01-08",
                "end": "2027-01-18",
                "moved": True,
            },
            {
                "phase": "R1-UAT",
                "release": "R1",
                "environment": "UAT-1",
                "start": "2027-01-14",
                "end": "2027-01-19",
            },
        ]
    }
    figure = json.loads(plan_timeline(plan, scenario, day(0), day(21)))
    assert lines_by_label(figure) == {
        "R1-SIT": "SIT-1 · 1",
        "R2-SIT": "SIT-1 · 2",
        "R1-UAT": "UAT-1",
    }
    assert all(" (over)" not in label for label in figure["layout"]["yaxis"]["categoryarray"])
