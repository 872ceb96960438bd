"""A request's page: its free slots lead an approver to the approvals card that approves
to them; a decision says who took it and when; a request of no phase is headed in words."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from envsched.models import Role
from tests.web.forms import page_text
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
