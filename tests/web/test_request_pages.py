"""A request's page: its free slots lead an approver to the approvals card that approves
to them; a decision says who took it and when; a request of no phase is headed in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from envsched.booking import approve_request
from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.forms import page_text
from tests.web.helpers import NOW
from tests.web.page_world import PageWorld

Login = Callable[..., object]


def test_an_approver_is_led_from_the_requests_slots_to_its_approvals_card(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, f"/requests/{estate.request.id}")
    assert f'href="/approvals?release=R1#req-{estate.request.id}"' in page
    assert "on the approvals page</a>" in page
    assert f'id="req-{estate.request.id}"' in page_text(client, "/approvals?release=R1")


def test_a_requester_sees_the_slots_as_a_list_with_no_approval_link(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    page = page_text(client, f"/requests/{estate.request.id}")
    assert 'id="suggested-slots"' in page and "/approvals" not in page
    assert "An environment manager approves the request to one of these" in page


def test_a_decision_says_who_took_it_and_when(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: Any
) -> None:
    eric = user_of(Role.ENVIRONMENT_MANAGER)
    approve_request(sessions, estate.request.id or 0, actor=eric, now=NOW)
    login(client, Role.TEST_MANAGER)
    page = page_text(client, f"/requests/{estate.request.id}")
    said = f"approved; decided by {eric.full_name or eric.name} on 4 Jan 2027, 09:00 UTC"
    assert f'<dd id="decision">{said}</dd>' in page


def test_a_request_of_no_phase_is_headed_by_its_days_with_no_dangling_dash(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    plain = factories.make_request(sessions, type="UAT", duration_days=3)
    login(client, Role.TEST_MANAGER)
    page = page_text(client, f"/requests/{plain.id}")
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "—" not in heading
    assert " ".join(re.sub(r"<[^>]+>", " ", heading).split()) == (
        "Request for 3 days of UAT , pending"
    )
    assert 'id="request-summary">3 days of UAT, from' in page
