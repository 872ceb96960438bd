"""The release calendar, gates and KPI pages: figures asserted on their data, the pages
for every role, gate decisions through the forms, the CSV export and the iCal feed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from envsched.db import SessionFactory
from envsched.lifecycle.calendar import (
    FREEZES_LANE,
    MAINTENANCE_LANE,
    WINDOWS_LANE,
    CalendarItem,
)
from envsched.models import Deployment, ReleaseWindow, Role, User
from envsched.permissions import PERMISSIONS
from tests.envsched import factories
from tests.web.api_world import D, World
from tests.web.helpers import NOW, csrf_token
from web.calendar import feed_token
from web.charts import MS_PER_DAY
from web.release_charts import (
    clashes_and_lead_time_figure,
    lane_order,
    release_calendar_figure,
    releases_trend_figure,
    time_to_implement_figure,
    utilisation_trend_figure,
)

Login = Callable[..., User]
ITEMS = [
    CalendarItem("window", WINDOWS_LANE, D("2027-03-01"), D("2027-03-28"), "2027-Q1"),
    CalendarItem("go_live", WINDOWS_LANE, D("2027-03-27"), D("2027-03-28"), "go-live"),
    CalendarItem("release", "R2", D("2027-04-01"), D("2027-05-01"), "R2"),
    CalendarItem("release", "R1", D("2027-02-01"), D("2027-03-28"), "R1"),
    CalendarItem("phase", "R1", D("2027-02-01"), D("2027-02-11"), "R1-SIT", "SIT-1"),
    CalendarItem("phase", "R1", D("2027-02-15"), D("2027-02-20"), "R1-UAT", "UAT-1"),
    CalendarItem("deployment", "R1", D("2027-03-27"), D("2027-03-28"), "R1 deployed"),
    CalendarItem("maintenance", MAINTENANCE_LANE, D("2027-02-22"), D("2027-02-24"), "UAT-1"),
    CalendarItem("freeze", FREEZES_LANE, D("2027-12-20"), D("2028-01-04"), "year end"),
]
MONTHLY = [
    {
        "month": "2027-01",
        "deployed": 1,
        "on_time": 1,
        "late": 0,
        "backed_out": 0,
        "failed": 0,
        "clashes": 2,
        "lead_time_days": 6.5,
        "utilisation_UAT": 40.0,
        "utilisation_SIT": 5.0,
    },
    {
        "month": "2027-02",
        "deployed": 3,
        "on_time": 1,
        "late": 2,
        "backed_out": 1,
        "failed": 1,
        "clashes": 0,
        "lead_time_days": None,
        "utilisation_UAT": 80.0,
        "utilisation_SIT": 0.0,
    },
]


# -- figures -----------------------------------------------------------------------------------


def test_the_calendar_stacks_windows_then_releases_by_first_day_then_freezes_and_maintenance() -> (
    None
):
    assert lane_order(ITEMS) == [WINDOWS_LANE, "R1", "R2", FREEZES_LANE, MAINTENANCE_LANE]
    figure = release_calendar_figure(ITEMS, start=D("2027-01-01"), end=D("2028-01-01"))
    assert list(figure.layout.yaxis.categoryarray) == [
        MAINTENANCE_LANE,
        FREEZES_LANE,
        "R2",
        "R1",
        WINDOWS_LANE,
    ]
    assert list(figure.layout.xaxis.range) == ["2027-01-01", "2028-01-01"]


def test_the_calendar_draws_each_phase_booking_on_its_release_line() -> None:
    figure = release_calendar_figure(ITEMS, start=D("2027-01-01"), end=D("2028-01-01"))
    by_name = {t.name: t for t in figure.data}
    phases = by_name["Phase booking"]
    assert list(phases.y) == ["R1", "R1"]
    assert list(phases.base) == ["2027-02-01", "2027-02-15"]
    assert list(phases.x) == [10 * MS_PER_DAY, 5 * MS_PER_DAY]
    assert list(phases.text) == ["SIT", "UAT"]  # on R1's line; the hover names it whole
    assert [c[0] for c in phases.customdata] == ["R1-SIT", "R1-UAT"]
    assert [c[1] for c in phases.customdata] == [
        "1–10 Feb 2027 (10 days)",
        "15–19 Feb 2027 (5 days)",
    ]  # last days
    assert list(by_name["Release span"].y) == ["R2", "R1"]
    assert list(by_name["Release window"].x) == [27 * MS_PER_DAY]
    assert list(by_name["Freeze"].base) == ["2027-12-20"]
    assert list(by_name["Maintenance"].text) == ["UAT-1"]


def test_a_window_begun_before_the_first_day_shown_starts_its_bar_and_words_there() -> None:
    # its words sit at the bar's start: drawn from before the chart, "2027-Q1" would
    # show clipped ("027-Q1"); the hover still says the window's own days
    figure = release_calendar_figure(ITEMS, start=D("2027-03-10"), end=D("2028-01-01"))
    window = {t.name: t for t in figure.data}["Release window"]
    assert list(window.base) == ["2027-03-10"] and list(window.x) == [18 * MS_PER_DAY]
    assert list(window.text) == ["2027-Q1"]
    assert window.customdata[0][1].startswith("1–27 Mar 2027")


def test_go_lives_and_deployments_are_markers_on_their_day() -> None:
    figure = release_calendar_figure(
        ITEMS, start=D("2027-01-01"), end=D("2028-01-01"), today=D("2027-01-04")
    )
    by_name = {t.name: t for t in figure.data}
    assert (list(by_name["Go-live"].x), list(by_name["Go-live"].y)) == (
        ["2027-03-27"],
        [WINDOWS_LANE],
    )
    assert (list(by_name["Deployment"].x), list(by_name["Deployment"].y)) == (
        ["2027-03-27"],
        ["R1"],
    )
    assert [shape.x0 for shape in figure.layout.shapes] == ["2027-01-04"]


def test_the_release_trend_stacks_on_time_and_late_with_failures_as_lines() -> None:
    figure = releases_trend_figure(MONTHLY)
    by_name = {t.name: t for t in figure.data}
    assert list(by_name["On time"].y) == [1, 1]
    assert list(by_name["Late"].y) == [0, 2]
    assert list(by_name["Backed out"].y) == [0, 1]
    assert list(by_name["Failed"].x) == ["2027-01", "2027-02"]
    assert figure.layout.barmode == "stack"


def test_clashes_lead_time_and_utilisation_trends_plot_each_month() -> None:
    clashes = {t.name: t for t in clashes_and_lead_time_figure(MONTHLY).data}
    assert list(clashes["Clashes"].y) == [2, 0]
    assert list(clashes["Lead time (days)"].y) == [6.5, None]
    assert clashes["Lead time (days)"].yaxis == "y2"
    utilisation = {t.name: list(t.y) for t in utilisation_trend_figure(MONTHLY).data}
    assert utilisation == {"SIT": [5.0, 0.0], "UAT": [40.0, 80.0]}


def test_time_to_implement_whiskers_run_from_best_to_worst() -> None:
    figure = time_to_implement_figure(
        [{"type": "major", "releases": 2, "average_days": 52.5, "best_days": 37, "worst_days": 68}]
    )
    bar = figure.data[0]
    assert (list(bar.x), list(bar.y)) == (["major"], [52.5])
    assert (list(bar.error_y.array), list(bar.error_y.arrayminus)) == ([15.5], [15.5])


# -- pages ----------------------------------------------------------------------------------------

PAGES = [
    ("/release-calendar", "calendar:read"),
    ("/gates?release=R1", "gates:read"),
    ("/kpis", "kpis:read"),
    ("/kpis.csv", "kpis:read"),
]


@pytest.mark.parametrize("role", list(Role))
def test_the_release_pages_answer_each_role_by_the_matrix(
    client: FlaskClient, login: Login, world: World, role: Role
) -> None:
    login(client, role)
    for path, permission in PAGES:
        allowed = role == Role.ADMIN or role in PERMISSIONS[permission]
        assert client.get(path).status_code == (200 if allowed else 403), path


def test_the_release_pages_need_a_sign_in(client: FlaskClient, world: World) -> None:
    for path, _ in PAGES:
        assert client.get(path).status_code in (302, 401), path


@pytest.fixture
def history(world: World, sessions: SessionFactory) -> World:
    factories.make_booking(
        sessions,
        world.sit1,
        phase_id=world.sit_phase.id,
        start=D("2027-01-11"),
        end=D("2027-01-21"),
    )
    with sessions.begin() as session:
        session.add(
            ReleaseWindow(
                name="2027-Q1",
                start=D("2027-03-01"),
                cutoff=D("2027-03-20"),
                go_live=D("2027-03-27"),
            )
        )
        assert world.release.id is not None
        session.add(
            Deployment(release_id=world.release.id, deployed_on=D("2027-01-28"), recorded_at=NOW)
        )
    return world


def _figure(page: str, chart_id: str) -> dict[str, object]:
    found = re.search(rf'id="{chart_id}" data-figure="([^"]+)"', page)
    assert found, chart_id
    text = found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")
    figure: dict[str, object] = json.loads(text.replace("&#39;", "'"))
    return figure


def test_the_calendar_page_shows_the_stored_release_on_its_chart(
    client: FlaskClient, login: Login, history: World
) -> None:
    login(client, Role.VIEWER)
    page = client.get("/release-calendar?view=gantt").get_data(as_text=True)
    figure = _figure(page, "release-calendar-chart")
    traces = {t["name"]: t for t in figure["data"]}  # type: ignore[attr-defined]
    assert traces["Phase booking"]["text"] == ["SIT"]  # on R1's line
    assert traces["Phase booking"]["customdata"][0][0] == "R1-SIT"
    assert traces["Release window"]["y"] == [WINDOWS_LANE]
    assert "2027-Q1" in page and "/calendar/release-calendar.ics?token=" in page


def test_the_calendar_opens_on_a_month_grid_of_windows_go_lives_and_freezes(
    client: FlaskClient, login: Login, history: World, sessions: SessionFactory
) -> None:
    factories.make_freeze(
        sessions, name="Q1 close", start=D("2027-03-29"), end=D("2027-04-02"), types=["STAGING"]
    )
    login(client, Role.VIEWER)
    page = client.get("/release-calendar").get_data(as_text=True)
    assert 'id="release-calendar-chart"' not in page  # the Gantt is a click away
    assert 'href="/release-calendar?view=gantt' in page
    march = re.search(r"<caption>March 2027</caption>(.*?)</table>", page, re.S)
    assert march, "no month table for March 2027"
    days = {
        int(day): " ".join(re.sub(r"<[^>]+>", " ", body).split())
        for day, body in re.findall(
            r'<span class="day-number">(\d+).*?</span>(.*?)</td>', march.group(1), re.S
        )
    }
    assert days[1] == "2027-Q1 opens" and days[20] == "2027-Q1 code cut-off"
    assert days[27] == "2027-Q1 go-live" and days[29] == "Q1 close freeze begins"
    assert len(re.findall(r'<td class="in-window', march.group(1))) == 27  # 1–27 March
    assert len(re.findall(r"<caption>\w+ 20\d\d</caption>", page)) == 12


def test_a_go_live_in_a_freeze_shows_both_each_label_whole_in_its_title(
    client: FlaskClient, login: Login, history: World, sessions: SessionFactory
) -> None:
    factories.make_freeze(sessions, name="Easter", start=D("2027-03-25"), end=D("2027-03-30"))
    login(client, Role.VIEWER)
    page = client.get("/release-calendar?start=2027-03-01&months=1").get_data(as_text=True)
    go_live = re.search(r'<span class="day-number">27</span>(.*?)</td>', page, re.S)
    assert go_live, "no 27 March"
    cell = go_live.group(1)
    assert re.findall(r'class="mark mark-(\w+)" title="([^"]*)"', cell) == [
        ("go_live", "2027-Q1 go-live"),
        ("frozen", "Easter freeze"),
    ]
    assert " ".join(re.sub(r"<[^>]+>", " ", cell).split()) == "2027-Q1 go-live Easter freeze"


def test_the_kpi_page_shows_counts_and_trends(
    client: FlaskClient, login: Login, history: World
) -> None:
    login(client, Role.RELEASE_MANAGER)
    page = client.get("/kpis").get_data(as_text=True)
    figure = _figure(page, "kpi-releases-chart")
    on_time = next(t for t in figure["data"] if t["name"] == "On time")  # type: ignore
    assert on_time["x"][-1] == "2027-01" and on_time["y"][-1] == 1
    assert "Without operational sign-off" in page and "R1" in page


def test_the_kpis_export_as_csv(client: FlaskClient, login: Login, history: World) -> None:
    login(client, Role.VIEWER)
    response = client.get("/kpis.csv?start=2027-01-01&months=2")
    assert response.mimetype == "text/csv"
    assert "kpis-monthly-2027-01-to-2027-02.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["month"], r["deployed"], r["on_time"]) for r in rows] == [
        ("2027-01", "1", "1"),
        ("2027-02", "0", "0"),
    ]
    types = client.get("/kpis.csv?start=2027-01-01&months=2&table=time_to_implement")
    assert types.get_data(as_text=True).splitlines() == [
        "type,releases,average_days,best_days,worst_days",
        "minor,1,17.0,17,17",
    ]
    assert client.get("/kpis.csv?table=secrets").status_code == 404


def test_the_gates_page_offers_each_role_only_its_decisions(
    app: Flask, client: FlaskClient, login: Login, world: World
) -> None:
    login(client, Role.TEST_MANAGER)
    page = client.get("/gates?release=R1").get_data(as_text=True)
    assert page.count(">Sign off</button>") == 4  # the phases' entry and exit gates
    assert ">Waive</button>" not in page
    other = app.test_client()
    login(other, Role.RELEASE_MANAGER)
    page = other.get("/gates?release=R1").get_data(as_text=True)
    assert page.count(">Sign off</button>") == 1  # go/no-go
    assert page.count(">Waive</button>") == 5


def test_a_gate_is_signed_and_refused_through_the_page(
    app: Flask, client: FlaskClient, login: Login, world: World
) -> None:
    other = app.test_client()
    login(other, Role.RELEASE_MANAGER)
    form = {"phase": "R1-UAT", "kind": "exit", "csrf_token": csrf_token(other, "/gates")}
    refused = other.post("/releases/R1/gates/sign", data=form, follow_redirects=True)
    assert "As a release manager, you may not sign off this gate" in refused.get_data(as_text=True)
    login(client, Role.TEST_MANAGER)
    form["csrf_token"] = csrf_token(client, "/gates")
    done = client.post(
        "/releases/R1/gates/sign", data={**form, "note": "green"}, follow_redirects=True
    )
    text = done.get_data(as_text=True)
    assert "R1: R1-UAT exit gate signed off." in text
    assert "“green”" in text
    assert text.count(">Sign off</button>") == 3  # not again on the signed gate


def test_a_waiver_through_the_page_needs_the_release_manager(
    app: Flask, client: FlaskClient, login: Login, world: World
) -> None:
    other = app.test_client()
    login(other, Role.TEST_MANAGER)
    form = {"kind": "go_no_go", "reason": "deadline", "csrf_token": csrf_token(other, "/")}
    assert other.post("/releases/R1/gates/waive", data=form).status_code == 403
    login(client, Role.RELEASE_MANAGER)
    form["csrf_token"] = csrf_token(client, "/")
    page = client.post("/releases/R1/gates/waive", data=form, follow_redirects=True)
    assert "R1: Go/no-go gate waived." in page.get_data(as_text=True)


def test_the_release_calendar_feed_has_every_item_as_an_all_day_event(
    app: Flask, client: FlaskClient, history: World
) -> None:
    with app.test_request_context():
        token = feed_token(history.tester)
    response = client.get(f"/calendar/release-calendar.ics?token={token}")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events: dict[str, Any] = {
        str(e["uid"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")
    }
    window = next(e for uid, e in events.items() if uid.startswith("window-"))
    assert (window["dtstart"].dt, window["dtend"].dt) == (D("2027-03-01"), D("2027-03-28"))
    assert not isinstance(window["dtstart"].dt, dt.datetime)
    summaries = sorted(str(e["summary"]) for e in events.values())
    assert "R1: R1-SIT" in summaries and "R1: R1 deployed" in summaries
    assert client.get("/calendar/release-calendar.ics?token=1.bad").status_code == 401
