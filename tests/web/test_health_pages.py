"""Environment health on the pages and in the API, on SQLite and PostgreSQL: the URL set
on the environment page (environment managers and admins only; a bad one refused next to
its field), the state in words and colour with its history after real probes of a local
server, the "down" badge on the timeline's lane, the flag on the dashboard; the API's
``health`` on an environment, its history endpoint and its PUT."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.health import probe_environments, set_health_url
from envsched.models import EnvironmentHealth, Role
from envsched.permissions import PERMISSIONS
from envsched.settings import Settings
from tests.envsched.health_server import HealthServer
from tests.web.api_world import Caller, World, error_of
from tests.web.forms import field_errors, page_text, post
from tests.web.helpers import NOW
from tests.web.page_world import PageWorld

Login = Callable[..., object]
MINUTE = dt.timedelta(minutes=1)
PROBING = Settings(health_timeout_seconds=2, health_down_minutes=15)
NOT_KEEPERS = [r for r in Role if r != Role.ADMIN and r not in PERMISSIONS["health:write"]]


def probe_at(sessions: SessionFactory, at: dt.datetime) -> None:
    """What the worker's job does at ``at``."""
    probe_environments(sessions, PROBING, lambda: at)


def stored_urls(sessions: SessionFactory) -> list[str]:
    with read_transaction(sessions) as session:
        return [row.url for row in session.exec(select(EnvironmentHealth)).all()]


def test_a_manager_sets_the_url_and_the_page_follows_the_probes(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    health_server: HealthServer,
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, "/environments/UAT-1")
    assert "No health check: nobody probes UAT-1." in page and "Add a health check" in page
    response = post(client, "/environments/UAT-1/health", {"url": health_server.url})
    assert response.status_code == 302 and response.location.endswith("#health-h")
    page = page_text(client, "/environments/UAT-1")
    assert f"UAT-1 is probed at {health_server.url} from now on." in page
    assert (  # said once, by the badge, then what happens next
        '<span class="badge health-badge health-unknown">Not checked yet</span>\n    The worker '
        "checks UAT-1 on its interval; its health URL was set 4 Jan 2027, 09:00 UTC.</p>" in page
    )
    assert "Not checked yet</span></a> health URL set 4 Jan 2027, 09:00 UTC" in page
    assert page.lower().count("not checked yet") == 2 and "is not checked yet" not in page

    probe_at(sessions, NOW - 40 * MINUTE)
    health_server.status = 503
    probe_at(sessions, NOW - 30 * MINUTE)
    page = page_text(client, "/environments/UAT-1")
    assert (
        '<span class="badge health-badge health-down">Down</span>\n    UAT-1 has been down '
        "since 4 Jan 2027, 08:30 UTC (HTTP 503 Service Unavailable)." in page
    )
    assert "Flagged:" not in page  # 30 minutes down, but nobody has looked since
    dashboard = page_text(client, "/")  # down at once, and it says when the flag comes
    assert "1 environment down" in dashboard and (
        "(HTTP 503 Service Unavailable) — not flagged yet: if still down at 08:45 UTC, it is "
        "flagged and its bookers and the environment managers are told" in dashboard
    )
    assert "10 minutes" in page and "until now" in page  # up 08:20 to 08:30, down since

    probe_at(sessions, NOW)
    page = page_text(client, "/environments/UAT-1")
    assert "Flagged:</strong> down longer than 15 minutes." in page
    timeline = page_text(client, "/timeline")
    assert "Down now:" in timeline and '<span class=\\"lane-down\\">down</span>' in timeline
    assert "Its lane carries a red “down” badge." in timeline  # one, not "their lanes"
    dashboard = page_text(client, "/")
    assert "1 environment down" in dashboard and (
        "flagged</strong> at 09:00 UTC, its bookers and the environment managers told" in dashboard
    )
    news = page_text(client, "/notifications")  # the environment manager is told in the app
    assert (
        '<a href="/environments/UAT-1#health-h"><span class="nowrap">UAT-1</span> has been '
        'down since <span class="nowrap">4 Jan 2027</span>, 08:30 UTC '
        "(HTTP 503 Service Unavailable), longer than 15 minutes." in news
    )

    health_server.status = 200
    probe_at(sessions, NOW + MINUTE)
    page = page_text(client, "/environments/UAT-1")
    assert '<span class="badge health-badge health-up">Up</span>' in page
    assert "Flagged:" not in page and "Down now:" not in page_text(client, "/timeline")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            "ftp://uat-1.example.test/",
            "'ftp://uat-1.example.test/' is not an http:// or https:// URL",
        ),
        ("uat-1.example.test", "'uat-1.example.test' is not an http:// or https:// URL"),
        ("https://", "'https://' names no host"),
    ],
)
def test_a_bad_url_on_the_page_is_named_next_to_its_field_and_nothing_is_stored(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    url: str,
    problem: str,
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(client, "/environments/UAT-1/health", {"url": url})
    assert response.status_code == 400
    assert field_errors(response) == {"health-url": problem}
    assert "Health check URL: " + problem in response.get_data(as_text=True).replace("&#39;", "'")
    assert stored_urls(sessions) == []


@pytest.mark.parametrize("role", NOT_KEEPERS)
def test_other_roles_see_the_health_but_may_not_set_the_url(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    set_health_url(
        sessions, "UAT-1", "https://uat-1.example.test/", actor=None, now=NOW, settings=PROBING
    )
    login(client, role)
    page = page_text(client, "/environments/UAT-1")
    assert "The worker checks UAT-1" in page and "Save health URL" not in page
    response = post(client, "/environments/UAT-1/health", {"url": "https://evil.example.test/"})
    assert response.status_code == 403
    assert stored_urls(sessions) == ["https://uat-1.example.test/"]


def test_an_admin_may_set_the_url_and_an_empty_one_ends_the_checks(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ADMIN)
    assert (
        post(client, "/environments/UAT-1/health", {"url": "https://a.test/h"}).status_code == 302
    )
    assert stored_urls(sessions) == ["https://a.test/h"]
    assert post(client, "/environments/UAT-1/health", {"url": ""}).status_code == 302
    assert stored_urls(sessions) == []
    assert "UAT-1 has no health check now." in page_text(client, "/environments/UAT-1")


# -- the API ----------------------------------------------------------------------------


def test_the_api_shows_health_on_the_environment_and_its_history(
    call: Caller, world: World, sessions: SessionFactory, health_server: HealthServer
) -> None:
    assert call(Role.VIEWER, "GET", "/api/v1/environments/UAT-1").get_json()["health"] is None
    put = call(
        Role.ENVIRONMENT_MANAGER,
        "PUT",
        "/api/v1/environments/UAT-1/health",
        {"url": health_server.url},
    )
    assert put.status_code == 200
    assert put.get_json()["health"]["state"] == "unknown" and put.get_json()["history"] == []
    probe_at(sessions, NOW + MINUTE)
    health_server.status = 502
    probe_at(sessions, NOW + 2 * MINUTE)
    shown = call(Role.VIEWER, "GET", "/api/v1/environments/UAT-1").get_json()["health"]
    assert shown == {
        "url": health_server.url,
        "state": "down",
        "since": "2027-01-04T09:02:00Z",
        "checked_at": "2027-01-04T09:02:00Z",
        "status_code": 502,
        "detail": "HTTP 502 Bad Gateway",
        "flagged_at": None,
    }
    listed = call(Role.VIEWER, "GET", "/api/v1/environments", type="UAT").get_json()["items"]
    assert [row["health"] and row["health"]["state"] for row in listed] == ["down", None]
    history = call(Role.VIEWER, "GET", "/api/v1/environments/UAT-1/health").get_json()
    assert history["environment"] == "UAT-1" and history["health"] == shown
    assert [(c["state"], c["status_code"], c["at"]) for c in history["history"]] == [
        ("down", 502, "2027-01-04T09:02:00Z"),
        ("up", 200, "2027-01-04T09:01:00Z"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"url": "ftp://uat-1.example.test/"}, "url", "is not an http:// or https:// URL"),
        ({"url": "http://"}, "url", "names no host"),
        ({"url": 5}, "url", "string"),
        ({"address": "https://uat-1.example.test/"}, "address", "unknown field"),
    ],
)
def test_a_bad_body_is_400_naming_the_field(
    call: Caller,
    world: World,
    sessions: SessionFactory,
    body: dict[str, object],
    field: str,
    problem: str,
) -> None:
    response = call(Role.ENVIRONMENT_MANAGER, "PUT", "/api/v1/environments/UAT-1/health", body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_input" and problem in error["fields"][field]
    assert stored_urls(sessions) == []


def test_the_api_refuses_other_roles_and_unknown_environments(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    body = {"url": "https://uat-1.example.test/"}
    for role in NOT_KEEPERS:
        assert call(role, "PUT", "/api/v1/environments/UAT-1/health", body).status_code == 403
    assert call(Role.ADMIN, "PUT", "/api/v1/environments/NOPE-9/health", body).status_code == 404
    assert call(Role.VIEWER, "GET", "/api/v1/environments/NOPE-9/health").status_code == 404
    assert call(Role.ADMIN, "PUT", "/api/v1/environments/UAT-1/health", body).status_code == 200
    assert (
        call(Role.ADMIN, "PUT", "/api/v1/environments/UAT-1/health", {"url": None}).get_json()[
            "health"
        ]
        is None
    )
    assert stored_urls(sessions) == []


def test_the_page_states_the_workers_interval_and_down_minutes_not_its_own(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    health_server: HealthServer,
) -> None:
    """The web process runs with the defaults (60 seconds, 15 minutes); the worker here
    probes every 7 seconds and flags after 3 minutes, and the page says the worker's."""
    worker = Settings(health_timeout_seconds=2, health_interval_seconds=7, health_down_minutes=3)
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, "/environments/UAT-2")
    assert "the worker asks it on its interval whether it is up" in page  # no probe yet
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=worker)
    health_server.status = 503
    probe_environments(sessions, worker, lambda: NOW)
    probe_environments(sessions, worker, lambda: NOW + 3 * MINUTE)
    page = page_text(client, "/environments/UAT-1")
    assert "Flagged:</strong> down longer than 3 minutes." in page
    assert "; the worker checks every 7 seconds</dd>" in page
    assert "60 seconds" not in page and "15 minutes" not in page
    other = page_text(client, "/environments/UAT-2")  # no URL: the worker's last round says
    assert "the worker asks it every 7 seconds whether it is up" in other
