"""My account: every signed-in user changes their own password (proving the current one),
issues and revokes their own API tokens (the secret shown once, on a page not stored),
and finds their calendar feed URLs, which work in a calendar client."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.accounts import tokens, users
from envsched.db import SessionFactory, read_transaction
from envsched.models import ApiToken, Role, User
from tests.envsched import factories
from tests.web.forms import field_errors, page_text, post
from tests.web.helpers import NOW, PASSWORD, csrf_token

Login = Callable[..., User]
NEW_PASSWORD = "a-new-password-9"


def signs_in(client: FlaskClient, name: str, password: str) -> bool:
    browser = client.application.test_client()
    response = browser.post(
        "/login", data={"name": name, "password": password, "csrf_token": csrf_token(browser)}
    )
    return response.status_code == 302


def tokens_of(sessions: SessionFactory, user: User) -> list[ApiToken]:
    with read_transaction(sessions) as session:
        return list(
            session.exec(
                select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
            ).all()
        )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_changes_its_own_password(client: FlaskClient, login: Login, role: Role) -> None:
    me = login(client, role)
    response = post(
        client, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Your password is changed." in page_text(client, "/account")
    assert signs_in(client, me.name, NEW_PASSWORD)
    assert not signs_in(client, me.name, PASSWORD)


def test_a_wrong_current_password_is_refused_next_to_the_field(
    client: FlaskClient, login: Login
) -> None:
    me = login(client, Role.VIEWER)
    response = post(
        client,
        "/account/password",
        {"current_password": "not-my-password", "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert field_errors(response) == {"password-current_password": "is not your current password"}
    page = response.get_data(as_text=True)
    assert "not-my-password" not in page and NEW_PASSWORD not in page
    assert signs_in(client, me.name, PASSWORD)
    assert not signs_in(client, me.name, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"current_password": PASSWORD, "password": "short"},
            "password",
            f"must be at least {users.MIN_PASSWORD} characters",
        ),
        (
            {"current_password": "", "password": NEW_PASSWORD},
            "current_password",
            "give your current password",
        ),
    ],
)
def test_a_bad_password_change_names_the_field(
    client: FlaskClient, login: Login, data: dict[str, str], field: str, message: str
) -> None:
    me = login(client, Role.PLANNER)
    response = post(client, "/account/password", data)
    assert response.status_code == 400
    assert field_errors(response) == {f"password-{field}": message}
    assert signs_in(client, me.name, PASSWORD)


def test_a_password_change_without_the_csrf_token_is_refused(
    client: FlaskClient, login: Login
) -> None:
    me = login(client, Role.VIEWER)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert signs_in(client, me.name, PASSWORD)


def test_a_token_issued_on_the_page_is_shown_once_and_works_until_revoked(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    me = login(client, Role.TEST_MANAGER)
    response = post(client, "/account/tokens", {"label": "my-laptop"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(
        r'id="new-secret" class="secret" readonly value="([^"]+)"', response.get_data(as_text=True)
    )
    assert secret is not None
    bearer = {"Authorization": f"Bearer {html.unescape(secret.group(1))}"}
    api = client.application.test_client()
    assert api.get("/api/v1/environments", headers=bearer).status_code == 200
    again = page_text(client, "/account")
    assert "my-laptop" in again and secret.group(1) not in again
    [token] = tokens_of(sessions, me)
    revoke_form = f'action="/account/tokens/{token.id}/revoke"'
    assert revoke_form in client.get("/account").get_data(as_text=True)
    revoked = post(client, f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert "is revoked" in page_text(client, "/account")
    assert api.get("/api/v1/environments", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": ""}, "label"),
        ({"label": "x" * 65}, "label"),
        ({"label": "ci", "valid_until": "2026-12-31"}, "valid_until"),  # before NOW
        ({"label": "ci", "valid_until": "soon"}, "valid_until"),
    ],
)
def test_a_bad_token_form_names_the_field_and_issues_nothing(
    client: FlaskClient, login: Login, sessions: SessionFactory, data: dict[str, str], field: str
) -> None:
    me = login(client, Role.RELEASE_MANAGER)
    response = post(client, "/account/tokens", data)
    assert response.status_code == 400
    assert set(field_errors(response)) == {f"token-{field}"}
    assert tokens_of(sessions, me) == []


def test_nobody_revokes_another_users_token_from_their_account(
    client: FlaskClient, login: Login, user_of: Callable[..., User], sessions: SessionFactory
) -> None:
    other = user_of(Role.PLANNER)
    token, _secret = tokens.issue_token(
        sessions, other.name, actor=None, now=NOW, label="planners-robot"
    )
    login(client, Role.ENVIRONMENT_MANAGER)
    assert post(client, f"/account/tokens/{token.id}/revoke").status_code == 404
    assert "planners-robot" not in page_text(client, "/account")
    assert [t.revoked_at for t in tokens_of(sessions, other)] == [None]


def test_the_feed_urls_on_the_page_open_the_calendars(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    factories.make_environment(sessions, name="UAT-1", type="UAT")
    factories.make_release(sessions, key="R1", title="Payments")
    login(client, Role.VIEWER)
    page = page_text(client, "/account")
    urls = re.findall(r"http://localhost(/calendar/[^\s\"<]+)", page)
    assert {url.split("?")[0] for url in urls} == {
        "/calendar/release-calendar.ics",
        "/calendar/environments/UAT-1.ics",
        "/calendar/releases/R1.ics",
    }
    calendar_client = client.application.test_client()  # no session: the URL alone
    for url in urls:
        feed = calendar_client.get(url)
        assert feed.status_code == 200, url
        assert feed.mimetype == "text/calendar"
