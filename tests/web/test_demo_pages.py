"""The demo bank as a release manager meets it in the browser's pages: KPIs with a year of
history, the release train's windows, the templates, gates in every state, a release's
way to production and the release calendar with its windows and deployments.

The demo is loaded for the app's clock (``helpers.NOW``), as ``envsched demo`` loads it
for today, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.demo import load_demo
from envsched.insight import PER_KIND
from envsched.models import BookingRequest, Phase
from tests.web.helpers import NOW, csrf_token

RELEASE_MANAGER = {"name": "rita", "password": "demo-release-2027"}


@pytest.fixture
def rita(client: FlaskClient, sessions: SessionFactory) -> FlaskClient:
    """The demo's release manager, signed in with her demo password."""
    load_demo(sessions, NOW)
    response = client.post("/login", data={**RELEASE_MANAGER, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def figure(text: str, chart_id: str) -> dict[str, Any]:
    """The Plotly figure a chart ``<div>`` carries in its ``data-figure`` attribute."""
    found = re.search(rf'id="{chart_id}" data-figure="([^"]+)"', text)
    assert found, chart_id
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


def trace(chart: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in chart["data"] if t["name"] == name)


def test_the_kpi_page_counts_a_year_of_releases_month_by_month(rita: FlaskClient) -> None:
    text = page(rita, "/kpis")
    for outcome in ("PAY-2.1", "CBS-6.0", "LOS-9.0", "MOB-4.0", "CBS-6.0.1"):
        assert outcome in text  # late, backed out, cancelled in test, without sign-offs
    releases = figure(text, "kpi-releases-chart")
    deployed = [
        on_time + late
        for on_time, late in zip(
            trace(releases, "On time")["y"], trace(releases, "Late")["y"], strict=True
        )
    ]
    assert len(deployed) == 12 and sum(deployed) >= 11 and sum(1 for n in deployed if n) >= 8
    assert max(trace(releases, "Backed out")["y"]) == 1
    clashes = figure(text, "kpi-clashes-chart")
    assert sum(trace(clashes, "Clashes")["y"]) >= 1
    assert sum(1 for days in trace(clashes, "Lead time (days)")["y"] if days) >= 10
    assert "No release was deployed in this period" not in text


def test_the_release_windows_page_shows_the_published_train_with_its_releases(
    rita: FlaskClient,
) -> None:
    text = page(rita, "/release-windows")
    assert "Monthly release train" in text and "never" not in text  # published
    windows = re.findall(
        r'<tr(?: class="muted")?><th scope="row" class="nowrap">(\d{4}-\d\d)</th>', text
    )
    assert len(windows) >= 12
    for key in ("CBS-6.1", "OLB-5.1", "PAY-2.2", "PAY-2.4"):
        assert f'/releases/{key}/lifecycle"><span class="nowrap">{key}</span></a>' in text


def test_the_templates_and_gates_pages_show_the_demos_decisions(rita: FlaskClient) -> None:
    templates = page(rita, "/release-templates")
    for name in ("Major release", "Minor release", "Emergency fix"):
        assert name in templates
    aml = page(rita, "/gates?release=AML-8.1")
    states = set(re.findall(r'<span class="badge gate-(signed|vetoed|waived|open)">', aml))
    assert {"signed", "vetoed", "open"} <= states
    assert "Two severity 1 defects open in sanctions screening" in aml
    crm = page(rita, "/gates?release=CRM-7.1")
    assert "waived" in crm and "deferred to CRM-7.2" in crm


def test_a_backed_out_release_shows_its_way_to_production(rita: FlaskClient) -> None:
    text = page(rita, "/releases/CBS-6.0/lifecycle")
    for step in ("planned", "in test", "ready", "deployed", "backed out"):
        assert step in text
    assert "Restore the core-banking database from the 22:00 snapshot" in text  # back-out plan
    assert "INC0081734" in text and "CHG0031388" in text


def test_the_release_calendar_of_the_past_year_draws_windows_and_deployments(
    rita: FlaskClient,
) -> None:
    year_ago = (NOW.date() - dt.timedelta(days=330)).isoformat()
    text = page(rita, f"/release-calendar?view=gantt&start={year_ago}&months=12")
    chart = figure(text, "release-calendar-chart")
    assert len(trace(chart, "Release window")["y"]) >= 11
    assert len(trace(chart, "Deployment")["x"]) >= 11
    assert any(
        label == "CBS-6.0 backed out" and plan.startswith("back-out plan: Restore")
        for label, plan in trace(chart, "Deployment")["customdata"]
    )


def test_a_deployed_release_page_shows_its_window_and_the_bookings_it_handed_back(
    rita: FlaskClient,
) -> None:
    text = page(rita, "/releases/PAY-2.1")
    assert "4 of 4" in text and "not booked" not in text
    assert text.count(">released</span>") == 4  # every phase's environment handed back
    assert re.search(
        r"Release window</dt><dd><a href=\"/release-windows\">\d{4}-\d\d</a>: "
        r"code cut-off \d{1,2} \w{3} \d{4}, go-live",
        text,
    )


def test_a_search_with_more_phases_than_shown_says_so_and_shows_them_all(
    rita: FlaskClient, sessions: SessionFactory
) -> None:
    with sessions() as session:
        keys = [k for k in session.exec(select(Phase.key)).all() if "PAY" in k]
    assert len(keys) > PER_KIND
    text = html.unescape(page(rita, "/search?q=PAY"))
    assert "The first " in text and f"{PER_KIND} phases shown; more match." in text
    assert '<a href="/search?q=PAY&amp;kind=phase">' in page(rita, "/search?q=PAY")
    every = html.unescape(page(rita, "/search?q=PAY&kind=phase"))
    assert all(f">{key}</a>" in every for key in keys)
    assert f"{len(keys)} found for “PAY”" in every and "more match" not in every


def test_my_work_tells_each_request_apart_by_its_link(
    client: FlaskClient, sessions: SessionFactory
) -> None:
    load_demo(sessions, NOW)
    tom = {"name": "tom", "password": "demo-test-2027", "csrf_token": csrf_token(client)}
    assert client.post("/login", data=tom).status_code == 302
    text = html.unescape(page(client, "/my"))
    links = re.findall(r'<a href="/requests/\d+">([^<]+)</a>', text)
    assert len(links) >= 4 and len(set(links)) == len(links), links
    assert any(re.fullmatch(r"10 days of PERF from \d+ \w{3} \d{4}: “.+”", link) for link in links)


@pytest.mark.parametrize("path", ["/releases/CBS-6.1", "/releases/PAY-2.1/lifecycle"])
def test_a_release_says_its_dates_in_words(rita: FlaskClient, path: str) -> None:
    shown = re.sub(r"<[^>]+>", " ", page(rita, path).split("<main", 1)[1])
    assert not re.search(r"\d{4}-\d\d-\d\d", shown), re.search(r".{60}\d{4}-\d\d-\d\d.{20}", shown)


def test_keys_and_window_names_are_kept_whole_on_the_release_pages(rita: FlaskClient) -> None:
    """A phone wraps a cell between words, never inside a key (CBS-6.0.1) or a window's
    name (2026-12): each is in a span that does not wrap."""
    whole = '<span class="nowrap">{}</span>'
    assert whole.format("CBS-6.0.1") in page(rita, "/releases")
    kpis = page(rita, "/kpis")
    late = kpis.split("<dt>Late</dt>", 1)[1].split("</dd>", 1)[0]
    assert whole.format("PAY-2.1") in late and whole.format("OBA-11.0") in late
    windows = page(rita, "/release-windows")
    assert re.search(r'<th scope="row" class="nowrap">\d{4}-\d{2}</th>', windows)


def test_a_requests_phase_is_kept_whole_on_its_page(
    rita: FlaskClient, sessions: SessionFactory
) -> None:
    with sessions() as session:
        of_phase = col(Phase.id) == BookingRequest.phase_id
        asked, key = session.exec(
            select(BookingRequest.id, Phase.key).join(Phase, of_phase)
        ).first() or (None, "")
    assert asked is not None, "the demo has requests for phases"
    said = page(rita, f"/requests/{asked}").split("<dt>For</dt>", 1)[1].split("</dd>", 1)[0]
    assert f'<span class="nowrap">{key}</span>' in said
