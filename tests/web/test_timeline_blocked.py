"""Maintenance windows and freezes on the timelines: hatched, labelled bars on every lane of
their environment, under the bookings, with their days in the hover — on the figure alone,
and on the figure the environment page embeds (SQLite and PostgreSQL). The timeline page's
blocked days: tests/web/test_timeline_work.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.page_world import PageWorld, day
from tests.web.test_timeline_lanes import page_figure
from web.charts import MS_PER_DAY, timeline_figure
from web.queries import BlockedRow, BookingRow

Login = Callable[..., object]
D = dt.date.fromisoformat


def booking(id_: int, env: str, start: str, end: str) -> BookingRow:
    return BookingRow(id_, env, "SIT", D(start), D(end), "confirmed", None, None, None, f"b{id_}")


def window(env: str, start: str, end: str, reason: str = "patching") -> BlockedRow:
    return BlockedRow("maintenance", env, D(start), D(end), reason or "maintenance", reason)


def trace(figure: Any, name: str) -> Any:
    """A trace by name, from a ``go.Figure`` or the JSON a page embeds."""
    traces = figure["data"] if isinstance(figure, dict) else figure.data
    found = [t for t in traces if t["name"] == name]
    assert len(found) == 1, f"{name}: {[t['name'] for t in traces]}"
    return found[0]


def bars(figure: Any, name: str) -> list[tuple[str, str, str]]:
    """(line, label, first day shown) of each bar of trace ``name``."""
    found = trace(figure, name)
    return list(zip(found["y"], found["text"], found["base"], strict=True))


def test_a_window_is_a_hatched_bar_on_every_lane_of_its_environment_under_the_bookings() -> None:
    rows = [
        booking(1, "SIT-1", "2027-01-04", "2027-01-09"),
        booking(2, "SIT-1", "2027-01-05", "2027-01-07"),
    ]
    figure = timeline_figure(
        rows,
        set(),
        environments=["SIT-1", "SIT-2"],
        capacities={"SIT-1": 2},
        start=D("2027-01-01"),
        end=D("2027-02-01"),
        blocked=[window("SIT-1", "2027-01-11", "2027-01-14")],
    )
    assert bars(figure, "Maintenance") == [
        ("SIT-1 · 1", "patching", "2027-01-11"),
        ("SIT-1 · 2", "patching", "2027-01-11"),
    ]
    maintenance = trace(figure, "Maintenance")
    assert list(maintenance.x) == [3 * MS_PER_DAY] * 2
    assert maintenance.marker.pattern.shape == "/"
    assert figure.data[0].name == "Maintenance"  # drawn first: the bookings go on top


def test_the_hover_of_a_window_gives_its_reason_environment_and_its_own_days() -> None:
    figure = timeline_figure(
        [],
        set(),
        environments=["UAT-1"],
        start=D("2027-01-10"),
        end=D("2027-02-01"),
        blocked=[window("UAT-1", "2027-01-04", "2027-01-14", "DB refresh")],
    )
    maintenance = trace(figure, "Maintenance")
    # Cut to the chart's days, so its label shows; the hover keeps the window's own days.
    assert (list(maintenance.base), list(maintenance.x)) == (["2027-01-10"], [4 * MS_PER_DAY])
    assert list(maintenance.hovertext) == [
        "Maintenance: DB refresh<br>UAT-1: 4–13 Jan 2027 (10 days)"
    ]


def test_freezes_have_a_trace_of_their_own_and_no_blocked_days_no_trace() -> None:
    freeze = BlockedRow("freeze", "UAT-1", D("2027-01-18"), D("2027-01-25"), "year end", "")
    figure = timeline_figure(
        [],
        set(),
        environments=["UAT-1"],
        start=D("2027-01-01"),
        end=D("2027-02-01"),
        blocked=[freeze],
    )
    assert bars(figure, "Freeze") == [("UAT-1", "year end", "2027-01-18")]
    assert list(trace(figure, "Freeze").hovertext) == [
        "Freeze: year end<br>UAT-1: 18–24 Jan 2027 (7 days)"
    ]
    no_reason = timeline_figure(
        [],
        set(),
        environments=["UAT-1"],
        start=D("2027-01-01"),
        end=D("2027-02-01"),
        blocked=[window("UAT-1", "2027-01-05", "2027-01-06", "")],
    )
    assert list(trace(no_reason, "Maintenance").hovertext) == [
        "Maintenance: no reason given<br>UAT-1: 5 Jan 2027 (1 day)"
    ]
    plain = timeline_figure(
        [], set(), environments=["UAT-1"], start=D("2027-01-01"), end=D("2027-02-01")
    )
    assert [t.name for t in plain.data] == ["Booked", "Tentative", "Clash"]


def test_the_environment_page_draws_its_window_and_the_freezes_of_its_type(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_freeze(
        sessions, name="UAT freeze", start=day(30), end=day(33), types=["UAT"], reason="quarter end"
    )
    factories.make_freeze(sessions, name="SIT freeze", start=day(30), end=day(33), types=["SIT"])
    factories.make_window(sessions, estate.uat2, start=day(200), end=day(202))  # off the chart
    login(client, Role.VIEWER)
    figure = page_figure(client, "/environments/UAT-2")
    assert bars(figure, "Maintenance") == [("UAT-2", "patching", day(20).isoformat())]
    assert trace(figure, "Maintenance")["hovertext"] == [
        "Maintenance: patching<br>UAT-2: 24–25 Jan 2027 (2 days)"
    ]
    assert bars(figure, "Freeze") == [("UAT-2", "UAT freeze", day(30).isoformat())]
    assert trace(figure, "Freeze")["hovertext"] == [
        "Freeze: UAT freeze (quarter end)<br>UAT-2: 3–5 Feb 2027 (3 days)"
    ]
