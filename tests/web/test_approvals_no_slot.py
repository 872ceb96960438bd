"""A request no eligible environment can take now: its card offers to reject or waitlist
it and no approval, and an approval sent anyway is refused in words, with no id."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.forms import page_text, post
from tests.web.page_world import PageWorld

Login = Callable[..., object]


def card(page: str, request_id: int | None) -> str:
    """The approvals card of the request (up to the next card or the page's end)."""
    found = re.search(
        rf'<article class="request" aria-labelledby="req-{request_id}">.*?</article>', page, re.S
    )
    assert found, f"no card for request {request_id}"
    return found.group(0)


def test_a_request_with_no_free_slot_offers_reject_and_waitlist_but_no_approval(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    nowhere = factories.make_request(sessions, type="UAT", duration_days=3, required_tags=["gpu"])
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, "/approvals")
    stuck, free = card(page, nowhere.id), card(page, estate.request.id)
    assert "No eligible environment has these days free now" in stuck
    assert ">Reject</button>" in stuck and ">Waitlist</button>" in stuck
    assert ">Approve</button>" not in stuck and 'name="slot"' not in stuck
    assert ">Approve</button>" in free


def test_an_approval_with_no_free_slot_is_refused_in_words_without_an_id(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    nowhere = factories.make_request(sessions, type="UAT", duration_days=3, required_tags=["gpu"])
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(client, f"/approvals/{nowhere.id}/approve", {"slot": ""})
    page = page_text(client, response.headers["Location"])
    assert "no eligible environment has 3 free days that the request's rules allow" in page
    assert f"request {nowhere.id}" not in page
