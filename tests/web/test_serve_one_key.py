"""``envsched serve --server gunicorn --workers 2`` without ``ENVSCHED_SECRET_KEY``: both
workers sign with the key kept in the instance folder, so a browser whose every request
lands on either worker signs in and submits forms, and feed URLs survive a restart."""

from __future__ import annotations

import http.client
import http.cookies
import json
import re
import stat
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from envsched.db import SessionFactory
from envsched.inventory import environments as inventory
from envsched.inventory.shapes import EnvironmentIn
from envsched.models import Role
from tests.fixtures.web import UserOf
from tests.web.helpers import NOW, PASSWORD
from tests.web.test_serve import free_port, running

GUNICORN = ("gunicorn", ["--workers=2", "--threads=2"])
ROUND_TRIPS = 10
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Browser:
    """Keeps its cookies, opens a new connection for every request: the kernel hands each
    to either worker."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)
        headers = {"Cookie": cookies} if cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            self._keep(response.headers.get_all("Set-Cookie") or [])
            return response.status, text
        finally:
            connection.close()

    def _keep(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def csrf_token(self, path: str) -> str:
        """The page's CSRF token; empty if the page did not open (signed out)."""
        _status, page = self.send("GET", path)
        found = _CSRF_META.search(page)
        return found.group(1) if found else ""

    def sign_in(self) -> bool:
        token = self.csrf_token("/login")
        status, _page = self.send(
            "POST", "/login", {"name": "viewer", "password": PASSWORD, "csrf_token": token}
        )
        return status == 302


def sign_in_and_submit(port: int, trip: int) -> bool:
    """Sign in, open My account and issue an API token there: four requests."""
    browser = Browser(port)
    if not browser.sign_in():
        return False
    token = browser.csrf_token("/account")
    status, _page = browser.send(
        "POST", "/account/tokens", {"csrf_token": token, "label": f"trip-{trip}"}
    )
    return status == 200


def feed_urls(port: int) -> dict[str, str]:
    browser = Browser(port)
    assert browser.sign_in()
    status, body = browser.send("GET", "/api/v1/me/feeds")
    assert status == 200, body
    return dict(json.loads(body))


def test_two_workers_without_a_key_sign_in_and_submit_every_time(
    database_url: str, user_of: UserOf, tmp_path: Path
) -> None:
    user_of(Role.VIEWER)
    instance = tmp_path / "instance"
    unset = {"ENVSCHED_SECRET_KEY": None, "ENVSCHED_INSTANCE_PATH": str(instance)}
    with running(*GUNICORN, database_url, environment=unset) as port:
        worked = [sign_in_and_submit(port, trip) for trip in range(ROUND_TRIPS)]
    assert sum(worked) == ROUND_TRIPS, worked
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_a_feed_url_stays_the_same_and_works_after_a_restart(
    database_url: str, user_of: UserOf, sessions: SessionFactory, tmp_path: Path
) -> None:
    user_of(Role.VIEWER)
    inventory.create_environment_type(sessions, "UAT", actor=None, now=NOW)
    inventory.create_environment(
        sessions, EnvironmentIn(name="UAT-1", type="UAT"), actor=None, now=NOW
    )
    unset = {"ENVSCHED_SECRET_KEY": None, "ENVSCHED_INSTANCE_PATH": str(tmp_path)}
    port = free_port()
    with running(*GUNICORN, database_url, port=port, environment=unset):
        before = feed_urls(port)
    with running(*GUNICORN, database_url, port=port, environment=unset):
        after = feed_urls(port)
        feed = urlsplit(before["environment"].replace("{name}", "UAT-1"))
        status, calendar = Browser(port).send("GET", f"{feed.path}?{feed.query}")
    assert after == before
    assert status == 200 and "BEGIN:VCALENDAR" in calendar
