"""Sessions end: after signing out, a new password, deactivation or a new role, a copy of
the user's session cookie (another device, or a thief) opens nothing any more."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from envsched.accounts import tokens, users
from envsched.db import SessionFactory
from envsched.models import Role, User
from tests.web.forms import post
from tests.web.helpers import NOW, PASSWORD

Login = Callable[..., User]
NEW_PASSWORD = "a-new-password-9"


def copy_of(client: FlaskClient) -> FlaskClient:
    """A second browser holding the same session cookie as ``client``."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client has no session cookie"
    other = client.application.test_client()
    other.set_cookie("session", cookie.value)
    return other


def opens_pages(client: FlaskClient) -> bool:
    """The dashboard opens (200), rather than sending to the sign-in page (302)."""
    status = client.get("/").status_code
    assert status in (200, 302), status
    return status == 200


def opens_the_api(client: FlaskClient) -> bool:
    status = client.get("/api/v1/environments").status_code
    assert status in (200, 401), status
    return status == 200


def test_a_copied_cookie_works_while_the_session_lasts(client: FlaskClient, login: Login) -> None:
    login(client, Role.VIEWER)
    thief = copy_of(client)
    assert opens_pages(thief) and opens_the_api(thief)


def test_signing_out_ends_the_copied_cookie_too(client: FlaskClient, login: Login) -> None:
    login(client, Role.VIEWER)
    thief = copy_of(client)
    assert post(client, "/logout").status_code == 302
    assert not opens_pages(client)
    assert not opens_pages(thief) and not opens_the_api(thief)


def test_signing_out_on_one_device_ends_the_others(client: FlaskClient, login: Login) -> None:
    login(client, Role.VIEWER)
    laptop = client.application.test_client()
    login(laptop, Role.VIEWER)
    assert post(client, "/logout").status_code == 302
    assert not opens_pages(laptop)


def test_changing_your_password_ends_the_copies_but_not_your_own_session(
    client: FlaskClient, login: Login
) -> None:
    login(client, Role.TEST_MANAGER)
    thief = copy_of(client)
    response = post(
        client, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert opens_pages(client) and opens_the_api(client)
    assert not opens_pages(thief) and not opens_the_api(thief)


def test_a_password_set_by_an_admin_ends_the_users_sessions(
    client: FlaskClient, login: Login
) -> None:
    login(client, Role.PLANNER)
    admin = client.application.test_client()
    login(admin, Role.ADMIN)
    assert post(admin, "/users/planner/password", {"password": NEW_PASSWORD}).status_code == 302
    assert not opens_pages(client)
    assert opens_pages(admin)


def test_an_admin_setting_their_own_password_stays_signed_in(
    client: FlaskClient, login: Login
) -> None:
    login(client, Role.ADMIN)
    thief = copy_of(client)
    assert post(client, "/users/admin/password", {"password": NEW_PASSWORD}).status_code == 302
    assert opens_pages(client)
    assert not opens_pages(thief)


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(
    client: FlaskClient, login: Login
) -> None:
    login(client, Role.PLANNER)
    thief = copy_of(client)
    admin = client.application.test_client()
    login(admin, Role.ADMIN)
    assert post(admin, "/users/planner/active", {"active": "false"}).status_code == 302
    assert not opens_pages(thief)
    assert post(admin, "/users/planner/active", {"active": "true"}).status_code == 302
    assert not opens_pages(client) and not opens_pages(thief)


@pytest.mark.parametrize("way", ["page", "api"])
def test_a_new_role_ends_the_users_sessions(
    way: str, client: FlaskClient, login: Login, csrf_headers: Callable[..., dict[str, str]]
) -> None:
    login(client, Role.VIEWER)
    thief = copy_of(client)
    admin = client.application.test_client()
    login(admin, Role.ADMIN)
    if way == "page":
        changed = post(admin, "/users/viewer/role", {"role": "planner"})
        assert changed.status_code == 302
    else:
        changed = admin.patch(
            "/api/v1/users/viewer", json={"role": "planner"}, headers=csrf_headers(admin)
        )
        assert changed.status_code == 200, changed.get_json()
    assert not opens_pages(client) and not opens_pages(thief)
    assert opens_pages(admin)


def test_a_change_that_keeps_the_role_keeps_the_sessions(
    client: FlaskClient, login: Login, csrf_headers: Callable[..., dict[str, str]]
) -> None:
    login(client, Role.VIEWER)
    admin = client.application.test_client()
    login(admin, Role.ADMIN)
    changed = admin.patch(
        "/api/v1/users/viewer",
        json={"role": "viewer", "full_name": "V"},
        headers=csrf_headers(admin),
    )
    assert changed.status_code == 200, changed.get_json()
    assert opens_pages(client)


def test_a_deactivated_users_api_token_is_refused_and_works_again_after_reactivation(
    client: FlaskClient, user_of: Callable[..., User], sessions: SessionFactory
) -> None:
    """Deactivation refuses tokens without revoking them (README, "Sessions and sign-in")."""
    admin = user_of(Role.ADMIN)
    user_of(Role.TEST_MANAGER, "robot")
    _token, secret = tokens.issue_token(sessions, "robot", actor=None, now=NOW)
    bearer = {"Authorization": f"Bearer {secret}"}
    users.set_active(sessions, "robot", False, actor=admin, now=NOW)
    refused = client.get("/api/v1/environments", headers=bearer)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "invalid, expired or revoked API token"
    users.set_active(sessions, "robot", True, actor=admin, now=NOW)
    assert client.get("/api/v1/environments", headers=bearer).status_code == 200


def test_a_session_from_before_session_versions_is_refused(
    client: FlaskClient, login: Login
) -> None:
    """A cookie signed before the upgrade carries a user id and no version."""
    user = login(client, Role.VIEWER)
    with client.session_transaction() as session:
        session.clear()
        session["user_id"] = user.id
    assert not opens_pages(client)
