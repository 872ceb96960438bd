"""Pages at an enterprise's size: the same number of SQL statements whatever the number of
releases, environments and bookings (no query per row); long lists a page at a time; the
request form's phases found by a search instead of listed by the thousand."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from envsched.db import SessionFactory
from envsched.models import (
    Booking,
    BookingRequest,
    Environment,
    MaintenanceWindow,
    Phase,
    Release,
    ReleaseStatus,
    Role,
    User,
)
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.helpers import csrf_token

Login = Callable[..., object]
DAY0 = factories.DAY0
PAGES = [
    "/",
    "/timeline",
    "/capacity",
    "/kpis",
    "/releases",
    "/releases/R001",
    "/release-calendar",
    "/release-calendar?view=gantt",
    "/environments",
    "/environments/SIT-1",
    "/requests/new",
    "/gates",
    "/release-windows",
]


def add_estate(sessions: SessionFactory, releases: range, environments: range) -> None:
    """Releases ``R<n>`` of two phases (SIT then UAT), environments ``SIT-<n>`` and
    ``UAT-<n>``; each release's SIT phase booked, one a week, on the SIT environments, and
    its UAT phase asked for by a test manager."""
    with sessions.begin() as session:
        sit, uat = (factories.type_id(session, t) for t in ("SIT", "UAT"))
        tester = _tester(session)
        envs = [
            Environment(name=f"{t}-{n}", type_id=i)
            for n in environments
            for t, i in (("SIT", sit), ("UAT", uat))
        ]
        session.add_all(envs)
        rows = [
            Release(key=f"R{n:03}", title=f"release {n}", earliest_start=DAY0) for n in releases
        ]
        session.add_all(rows)
        session.flush()
        for n, release in zip(releases, rows, strict=True):
            first = Phase(
                release_id=release.id or 0,
                key=f"R{n:03}-SIT",
                type_id=sit,
                duration_days=5,
                position=0,
            )
            second = Phase(
                release_id=release.id or 0,
                key=f"R{n:03}-UAT",
                type_id=uat,
                duration_days=3,
                position=1,
            )
            session.add_all([first, second])
            session.flush()
            start = DAY0 + dt.timedelta(weeks=n)  # one release a week: no two overlap
            session.add(
                Booking(
                    environment_id=(envs[2 * (n % len(environments))].id or 0),
                    phase_id=first.id,
                    start=start,
                    end=start + dt.timedelta(days=5),
                    created_at=factories.NOW,
                    updated_at=factories.NOW,
                )
            )
            session.add(
                BookingRequest(
                    requester_id=tester,
                    phase_id=second.id,
                    environment_type_id=uat,
                    duration_days=3,
                    earliest_start=start + dt.timedelta(days=5),
                    created_at=factories.NOW,
                )
            )


def _tester(session: Session) -> int:
    """The test manager who asks for every UAT phase, made on first use."""
    found = session.exec(select(User).where(User.name == "tess")).first()
    if found is None:
        found = User(name="tess", role=Role.TEST_MANAGER, created_at=factories.NOW)
        session.add(found)
        session.flush()
    return found.id or 0


def figure(page: str, chart_id: str) -> dict[str, Any]:
    found = re.search(rf'id="{chart_id}" data-figure="([^"]+)"', page)
    assert found, chart_id
    return dict(json.loads(html.unescape(found.group(1))))


@contextmanager
def counted(engine: Engine) -> Iterator[list[int]]:
    count = [0]

    def note(*_args: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", note)


def statements_per_page(client: FlaskClient, engine: Engine) -> dict[str, int]:
    found = {}
    for page in PAGES:
        with counted(engine) as count:
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        found[page] = count[0]
    return found


def test_every_page_runs_as_many_statements_for_three_times_the_estate(
    client: FlaskClient, login: Login, sessions: SessionFactory, engine: Engine, user_of: UserOf
) -> None:
    add_estate(sessions, range(1, 11), range(1, 4))
    login(client, Role.ENVIRONMENT_MANAGER)
    small = statements_per_page(client, engine)
    add_estate(sessions, range(11, 31), range(4, 10))  # a new state: nothing kept
    large = statements_per_page(client, engine)
    assert large == small


def test_the_release_list_shows_a_hundred_releases_a_page_and_the_rest_on_page_two(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    add_estate(sessions, range(1, 106), range(1, 3))
    login(client, Role.VIEWER)
    first = client.get("/releases").get_data(as_text=True)
    second = client.get("/releases?page=2").get_data(as_text=True)
    assert "105 releases, 1–100 shown" in first and "Page 1 of 2" in first
    assert 'href="/releases?page=2"' in first
    shown = re.findall(r'href="/releases/(R\d+)"', second)
    assert shown == [f"R{n:03}" for n in range(101, 106)]
    assert "R001" not in second and "101–105 shown" in second


def test_the_request_form_offers_the_first_phases_and_its_search_finds_the_others(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    add_estate(sessions, range(1, 201), range(1, 3))  # 200 UAT phases not booked yet
    login(client, Role.TEST_MANAGER)
    form = client.get("/requests/new").get_data(as_text=True)
    assert "Showing 150 of 200 phases" in form
    assert 'value="R001-UAT"' in form and 'value="R200-UAT"' not in form
    assert 'value="R001-SIT"' not in form  # booked: nothing left to request
    found = client.get("/requests/new?q=R200").get_data(as_text=True)
    assert re.findall(r'<option value="(R[^"]+)"', found) == ["R200-UAT"]
    answer = client.get("/requests/phases?q=r200-u&phase=R002-UAT").get_json()
    assert [(g["release"], [p["key"] for p in g["phases"]]) for g in answer["groups"]] == [
        ("R002", ["R002-UAT"]),
        ("R200", ["R200-UAT"]),
    ]
    assert answer["total"] == 1


def test_a_phase_found_by_search_can_be_requested(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    add_estate(sessions, range(1, 101), range(1, 3))
    login(client, Role.TEST_MANAGER)
    response = client.post(
        "/requests/new",
        data={
            "csrf_token": csrf_token(client, "/requests/new"),
            "phase": "R100-UAT",
            "duration_days": "3",
            "earliest_start": str(DAY0 + dt.timedelta(days=30)),
            "priority": "2",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "is submitted for approval" in response.get_data(as_text=True)


def test_the_form_opened_for_a_release_offers_its_phases_beyond_the_first_ones(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    add_estate(sessions, range(1, 201), range(1, 3))
    with sessions.begin() as session:
        closed = session.exec(select(Release).where(Release.key == "R001")).one()
        closed.status = ReleaseStatus.DEPLOYED
    login(client, Role.TEST_MANAGER)
    form = client.get("/requests/new?release=R199").get_data(as_text=True)
    assert re.search(r'<option value="R199-UAT"[^>]*\sselected>', form)
    assert 'value="R001-UAT"' not in form  # a deployed release has nothing to request


def test_the_account_page_lists_feed_addresses_a_hundred_at_a_time(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    add_estate(sessions, range(1, 101), range(1, 4))  # 6 environments and 100 releases
    login(client, Role.VIEWER)
    first = client.get("/account").get_data(as_text=True)
    second = client.get("/account?page=2").get_data(as_text=True)
    assert "/calendar/environments/SIT-1.ics" in first and "Page 1 of 2" in first
    assert "/calendar/releases/R094.ics" in first and "R095.ics" not in first
    assert re.findall(r"/calendar/releases/(R\d+)\.ics", second) == [
        f"R{n:03}" for n in range(95, 101)
    ]


def test_the_release_calendar_gantt_draws_forty_releases_a_page_and_their_maintenance(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    add_estate(sessions, range(1, 51), range(1, 3))  # all from DAY0: by key on a tie
    with sessions.begin() as session:
        for name, offset in (("SIT-1", 0), ("SIT-2", 1), ("UAT-1", 0), ("SIT-1", 40)):
            env = session.exec(select(Environment).where(Environment.name == name)).one()
            start = DAY0 + dt.timedelta(days=offset)  # UAT-1: booked by no release
            session.add(
                MaintenanceWindow(
                    environment_id=env.id or 0,
                    reason="patching",
                    start=start,
                    end=start + dt.timedelta(days=2),
                )
            )
    login(client, Role.VIEWER)
    first = client.get("/release-calendar?view=gantt").get_data(as_text=True)
    second = client.get(f"/release-calendar?view=gantt&start={DAY0}&months=12&page=2").get_data(
        as_text=True
    )
    assert "Releases 1–40 of 50" in first and "Page 1 of 2" in first
    assert 'href="/release-calendar?page=2&amp;view=gantt' in first
    shown = re.findall(r'href="/releases/(R\d+)"', second)
    assert shown == [f"R{n:03}" for n in range(41, 51)]
    assert "Releases 41–50 of 50" in second and "R040-SIT" not in second
    maintenance = next(
        t for t in figure(second, "release-calendar-chart")["data"] if t["name"] == "Maintenance"
    )  # overlapping windows: one bar
    assert maintenance["text"] == ["2 environments", "SIT-1"]
    assert maintenance["customdata"][0][2] == "maintenance of SIT-1, SIT-2"
