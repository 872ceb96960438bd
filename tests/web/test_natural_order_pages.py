"""Names are listed as people count them (issue 14): UAT-2 before UAT-10, R-2 before
R-10, on the environments list, the approvals queue (the other environment, the release
filter), a booking's move choices and the what-if editor's suggestions. The names are
made UAT-10 first, so neither the order they were made in nor the alphabet gives the
right one. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import Role
from envsched.planning.whatif import service as whatif
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.forms import page_text
from tests.web.helpers import NOW

Login = Callable[..., object]
COUNTED = ["UAT-1", "UAT-2", "UAT-10"]


@dataclass(frozen=True)
class Numbered:
    request: int  # an open UAT request, for R-10's phase
    booking: int  # a booking of no phase on UAT-1, days 0-4


@pytest.fixture
def numbered(sessions: SessionFactory, user_of: UserOf) -> Numbered:
    envs = {
        name: factories.make_environment(sessions, name=name, type="UAT")
        for name in ("UAT-10", "UAT-2", "UAT-1")
    }
    tester = user_of(Role.TEST_MANAGER)
    requests = []
    for key in ("R-10", "R-2"):
        release = factories.make_release(sessions, key=key, title=f"Release {key}")
        phase = factories.make_phase(sessions, release, key=f"{key}-UAT", type="UAT")
        requests.append(factories.make_request(sessions, tester, phase_id=phase.id))
    booking = factories.make_booking(sessions, envs["UAT-1"])
    return Numbered(requests[0].id or 0, booking.id or 0)


def options(page: str, select_id: str) -> list[str]:
    """The values a ``<select>`` (or ``<datalist>``) offers, in order, blanks left out."""
    found = re.search(rf'id="{select_id}".*?</(?:select|datalist)>', page, re.S)
    assert found, select_id
    return [v for v in re.findall(r'<option[^>]*?value="([^"]*)"', found.group(0)) if v]


def test_the_environments_list_counts_uat_2_before_uat_10(
    client: FlaskClient, login: Login, numbered: Numbered
) -> None:
    login(client, Role.VIEWER)
    page = page_text(client, "/environments")
    assert re.findall(r'href="/environments/(UAT-\d+)"', page) == COUNTED


def test_the_approvals_offer_environments_and_releases_in_counted_order(
    client: FlaskClient, login: Login, numbered: Numbered
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, "/approvals")
    assert options(page, f"env-{numbered.request}") == COUNTED  # the other environment
    assert re.findall(r"<option\s*>(R-\d+)</option>", page) == ["R-2", "R-10"]  # the filter


def test_a_booking_offers_its_moves_in_counted_order(
    client: FlaskClient, login: Login, numbered: Numbered
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, f"/bookings/{numbered.booking}")
    slots = re.findall(r'name="environment" value="(UAT-\d+)"', page)
    assert slots == ["UAT-2", "UAT-10", "UAT-1"]  # free today, then UAT-1 once it is
    assert options(page, "move-environment") == COUNTED


def test_the_whatif_editor_suggests_names_in_counted_order(
    client: FlaskClient, login: Login, numbered: Numbered, sessions: SessionFactory
) -> None:
    row = whatif.create_whatif(sessions, "numbers", actor=None, now=NOW, horizon_days=28)
    login(client, Role.PLANNER)
    page = page_text(client, f"/what-ifs/{row.id}")
    assert options(page, "names-environments") == COUNTED
    assert options(page, "names-releases") == ["R-2", "R-10"]


def test_release_pickers_count_r_2_before_r_10(
    client: FlaskClient, login: Login, numbered: Numbered
) -> None:
    login(client, Role.ADMIN)
    gates = page_text(client, "/gates")
    assert re.findall(r"<option\s*(?:selected)?>(R-\d+)</option>", gates) == ["R-2", "R-10"]
    booking = page_text(client, "/bookings/new")
    assert options(booking, "phase") == ["R-2-UAT", "R-10-UAT"]
    windows = page_text(client, "/release-windows")
    assigned = re.search(r'id="a-release".*?</select>', windows, re.S)
    assert assigned and re.findall(r"<option>(R-\d+)</option>", assigned.group(0)) == [
        "R-2",
        "R-10",
    ]
