"""Pages say dates and times in words (issue 14): "4 Jan 2027, 09:00 UTC", "January –
March 2027", never ``2027-01-04 09:00`` or ``2027-01``. A date field keeps its ISO
value: only the words a person reads are checked. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from envsched.accounts import tokens
from envsched.db import SessionFactory
from envsched.models import Role, User
from envsched.planning.whatif import service as whatif
from envsched.planning.whatif.environment_changes import AddMaintenance
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.helpers import NOW
from tests.web.page_world import PageWorld, day
from tests.web.test_words_pages import shown

Login = Callable[..., User]
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{4}-\d{2}\b(?!-)")
AT_NOW = "4 Jan 2027, 09:00 UTC"  # NOW in words


def iso_in(text: str) -> list[str]:
    return [f"…{text[max(0, m.start() - 40) : m.end() + 20]}…" for m in ISO.finditer(text)]


@pytest.fixture
def more_uat(estate: PageWorld, sessions: SessionFactory, user_of: UserOf) -> int:
    """A what-if by the planner: UAT-2 in maintenance 11–12 Jan 2027."""
    planner = user_of(Role.PLANNER, "paul")
    row = whatif.create_whatif(sessions, "more-uat", actor=planner, now=NOW, horizon_days=56)
    change = AddMaintenance(environment="UAT-2", start=day(7), end=day(9))
    whatif.add_change(sessions, row.id or 0, change, actor=planner)
    return row.id or 0


def test_a_whatif_says_who_made_it_when_and_its_changes_in_words(
    client: FlaskClient, login: Login, more_uat: int
) -> None:
    login(client, Role.VIEWER)
    text = shown(client, f"/what-ifs/{more_uat}")
    assert f"Made by paul on {AT_NOW}." in text
    assert f"as copied on {AT_NOW} (from 4 Jan 2027, 56 days)" in text
    assert "maintenance on UAT-2, 11–12 Jan 2027" in text
    assert not iso_in(text), iso_in(text)
    listed = shown(client, "/what-ifs")
    assert AT_NOW in listed and not iso_in(listed), iso_in(listed)


def test_a_request_says_when_it_was_asked_for_in_words(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    text = shown(client, f"/requests/{estate.request.id}")
    assert f"Requested by test_manager on {AT_NOW}" in text
    assert not iso_in(text), iso_in(text)


def test_a_user_and_their_tokens_say_when_in_words(
    client: FlaskClient, login: Login, sessions: SessionFactory, user_of: UserOf
) -> None:
    tester = user_of(Role.TEST_MANAGER, "tess")
    tokens.issue_token(
        sessions, "tess", actor=tester, now=NOW, expires_at=NOW + dt.timedelta(days=30)
    )
    login(client, Role.ADMIN)
    text = shown(client, "/users/tess")
    assert f"Added {AT_NOW}" in text
    assert "4 Jan 2027" in text and "valid until 2 Feb 2027" in text  # the token
    assert not iso_in(text), iso_in(text)
    listed = shown(client, "/users")
    assert "4 Jan 2027" in listed and not iso_in(listed), iso_in(listed)


def test_the_kpi_page_names_its_months_in_words(client: FlaskClient, login: Login) -> None:
    login(client, Role.VIEWER)
    text = shown(client, "/kpis?start=2027-01-01&months=3")
    assert "From the stored history: January – March 2027." in text
    assert "From the stored history: December 2026 – February 2027." in shown(
        client, "/kpis?start=2026-12-01&months=3"
    )
    assert not iso_in(text), iso_in(text)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/", "Today is Monday 4 Jan 2027."),
        ("/releases", "13 Feb 2027"),  # R1's due day
        ("/audit", AT_NOW),  # the token issued
        ("/account", "valid until 2 Feb 2027"),
    ],
)
def test_lists_say_their_dates_in_words(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    path: str,
    words: str,
) -> None:
    admin = login(client, Role.ADMIN)
    tokens.issue_token(
        sessions, admin.name, actor=admin, now=NOW, expires_at=NOW + dt.timedelta(days=30)
    )
    text = shown(client, path)
    assert words in text
    assert not iso_in(text), iso_in(text)


def test_the_environments_list_says_the_next_booking_in_words(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(sessions, estate.uat2, start=day(10), end=day(12), note="soak")
    login(client, Role.VIEWER)
    text = shown(client, "/environments")
    assert "14 Jan 2027" in text  # UAT-2's next booking
    assert not iso_in(text), iso_in(text)
