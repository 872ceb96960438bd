"""User administration pages: adding a user, role, password, deactivation, API tokens
(the secret shown once). Each form: done, refused naming the field with nothing stored,
and 403 for every role but the ones holding ``users:admin``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.accounts import tokens
from envsched.db import SessionFactory, read_transaction
from envsched.models import ApiToken, AuditEntry, Role, User
from envsched.permissions import PERMISSIONS
from tests.web.forms import field_errors, page_text, post
from tests.web.helpers import PASSWORD, csrf_token

Login = Callable[..., User]
UserOf = Callable[..., User]
NEW = {
    "name": "nina",
    "full_name": "Nina New",
    "email": "nina@bank.example",
    "role": "test_manager",
    "password": "first-password-1",
}
NOT_ADMINS = [r for r in Role if r != Role.ADMIN and r not in PERMISSIONS["users:admin"]]


def stored(sessions: SessionFactory, name: str) -> User | None:
    with read_transaction(sessions) as session:
        return session.exec(select(User).where(User.name == name)).first()


def signs_in(client: FlaskClient, name: str, password: str) -> bool:
    """Can ``name`` sign in with ``password`` (in a browser of their own)?"""
    browser = client.application.test_client()
    response = browser.post(
        "/login", data={"name": name, "password": password, "csrf_token": csrf_token(browser)}
    )
    return response.status_code == 302


def test_an_admin_adds_a_user_who_can_then_sign_in(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    login(client, Role.ADMIN)
    response = post(client, "/users", NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/users/nina"
    page = page_text(client, "/users/nina")
    assert "User nina is added as test manager." in page and "nina@bank.example" in page
    nina = stored(sessions, "nina")
    assert nina is not None and (nina.role, nina.full_name) == (Role.TEST_MANAGER, "Nina New")
    assert "nina" in page_text(client, "/users")
    assert signs_in(client, "nina", "first-password-1")


def test_a_bad_user_names_every_field_keeps_no_password_and_stores_nothing(
    client: FlaskClient, login: Login, sessions: SessionFactory
) -> None:
    login(client, Role.ADMIN)
    response = post(
        client, "/users", {**NEW, "email": "nina.bank", "role": "", "password": "short"}
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "new-email": "'nina.bank' is not an email address",
        "new-role": "choose a role",
    }
    assert "short" not in response.get_data(as_text=True)
    service = post(client, "/users", {**NEW, "name": "nina new", "password": "short"})
    assert field_errors(service) == {"new-name": "must be 1 to 64 characters without spaces"}
    short = post(client, "/users", {**NEW, "password": "short"})
    assert field_errors(short) == {"new-password": "must be at least 8 characters"}
    taken = post(client, "/users", {**NEW, "name": "admin"})
    assert field_errors(taken) == {"new-name": "user 'admin' already exists"}
    assert stored(sessions, "nina") is None and stored(sessions, "nina new") is None


def test_an_admin_changes_a_role_but_not_the_last_admins_own(
    client: FlaskClient, login: Login, user_of: UserOf, sessions: SessionFactory
) -> None:
    user_of(Role.VIEWER)
    login(client, Role.ADMIN)
    assert post(client, "/users/viewer/role", {"role": "planner"}).status_code == 302
    assert "viewer is now planner." in page_text(client, "/users/viewer")
    viewer = stored(sessions, "viewer")
    assert viewer is not None and viewer.role == Role.PLANNER
    refused = post(client, "/users/admin/role", {"role": "viewer"})
    assert refused.status_code == 400
    assert field_errors(refused) == {
        "role-role": "admin is the last active admin; make someone else admin first"
    }
    bad = post(client, "/users/viewer/role", {"role": "boss"})
    assert field_errors(bad)["role-role"].startswith("'boss' is not one of: admin, ")
    admin = stored(sessions, "admin")
    assert admin is not None and admin.role == Role.ADMIN


def test_a_deactivated_user_cannot_sign_in_until_reactivated(
    client: FlaskClient, login: Login, user_of: UserOf, sessions: SessionFactory
) -> None:
    user_of(Role.PLANNER)
    login(client, Role.ADMIN)
    assert post(client, "/users/planner/active", {"active": "false"}).status_code == 302
    assert "planner is deactivated" in page_text(client, "/users/planner")
    assert post(client, "/users/admin/active", {"active": "false"}).status_code == 302
    assert "you cannot deactivate yourself" in page_text(client, "/users/admin")
    assert not signs_in(client, "planner", PASSWORD)
    assert post(client, "/users/planner/active", {"active": "true"}).status_code == 302
    with read_transaction(sessions) as session:
        actions = session.exec(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "app_user")
            .order_by(col(AuditEntry.id))
        ).all()
    assert actions == ["deactivate", "reactivate"]
    assert signs_in(client, "planner", PASSWORD)


def test_an_admin_sets_a_password_and_a_short_one_is_named(
    client: FlaskClient, login: Login, user_of: UserOf
) -> None:
    user_of(Role.PLANNER)
    login(client, Role.ADMIN)
    short = post(client, "/users/planner/password", {"password": "1234567"})
    assert short.status_code == 400
    assert field_errors(short) == {"password-password": "must be at least 8 characters"}
    assert (
        post(client, "/users/planner/password", {"password": "a new long one"}).status_code == 302
    )
    assert not signs_in(client, "planner", PASSWORD)
    assert signs_in(client, "planner", "a new long one")


def test_a_token_secret_is_shown_once_works_on_the_api_and_stops_when_revoked(
    client: FlaskClient, login: Login, user_of: UserOf, sessions: SessionFactory
) -> None:
    user_of(Role.PLANNER)
    login(client, Role.ADMIN)
    issued = post(
        client, "/users/planner/tokens", {"label": "jenkins", "valid_until": "2027-12-31"}
    )
    assert issued.status_code == 200
    assert issued.headers["Cache-Control"] == "no-store"
    with read_transaction(sessions) as session:
        token = session.exec(select(ApiToken)).one()
    page = issued.get_data(as_text=True)
    secret = page.split('id="new-secret" class="secret" readonly value="', 1)[1].split('"')[0]
    assert tokens.token_hash(secret) == token.token_hash
    assert str(token.expires_at) == "2028-01-01 00:00:00+00:00"
    assert secret not in page_text(client, "/users/planner")  # once only
    revoke_form = f'action="/users/planner/tokens/{token.id}/revoke"'
    assert revoke_form in client.get("/users/planner").get_data(as_text=True)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/environments", headers=bearer).status_code == 200
    assert post(client, f"/users/planner/tokens/{token.id}/revoke").status_code == 302
    assert "is revoked" in page_text(client, "/users/planner")
    assert client.get("/api/v1/environments", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {"label": "", "valid_until": "2026-12-31"},
            {
                "token-label": "say what the token is for",
                "token-valid_until": "2026-12-31 is in the past",
            },
        ),
        (
            {"label": "ci", "valid_until": "next week"},
            {"token-valid_until": "'next week' is not a date (YYYY-MM-DD)"},
        ),
    ],
)
def test_a_bad_token_form_names_the_field_and_issues_nothing(
    client: FlaskClient,
    login: Login,
    user_of: UserOf,
    sessions: SessionFactory,
    form: dict[str, str],
    errors: dict[str, str],
) -> None:
    user_of(Role.PLANNER)
    login(client, Role.ADMIN)
    response = post(client, "/users/planner/tokens", form)
    assert response.status_code == 400
    assert field_errors(response) == errors
    with read_transaction(sessions) as session:
        assert session.exec(select(ApiToken)).all() == []


def test_a_token_of_another_user_is_not_found(
    client: FlaskClient, login: Login, user_of: UserOf, sessions: SessionFactory
) -> None:
    user_of(Role.PLANNER)
    admin = login(client, Role.ADMIN)
    token, secret = tokens.issue_token(sessions, admin.name, actor=None, now=admin.created_at)
    assert post(client, f"/users/planner/tokens/{token.id}/revoke").status_code == 404
    assert client.get("/users/nobody").status_code == 404
    assert (
        client.get(
            "/api/v1/environments", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_other_roles_are_refused_every_user_page_and_nothing_changes(
    client: FlaskClient, login: Login, user_of: UserOf, sessions: SessionFactory, role: Role
) -> None:
    user_of(Role.PLANNER, "pat")
    me = login(client, role)
    assert client.get("/users").status_code == 403
    assert client.get("/users/pat").status_code == 403
    for path, data in [
        ("/users", {**NEW, "role": "admin"}),
        ("/users/pat/role", {"role": "admin"}),
        (f"/users/{me.name}/role", {"role": "admin"}),
        ("/users/pat/password", {"password": "taken over!"}),
        ("/users/pat/active", {"active": "false"}),
        ("/users/pat/tokens", {"label": "mine"}),
    ]:
        assert post(client, path, data).status_code == 403, path
    assert stored(sessions, "nina") is None
    pat, myself = stored(sessions, "pat"), stored(sessions, me.name)
    assert pat is not None and (pat.role, pat.active) == (Role.PLANNER, True)
    assert myself is not None and myself.role == role
    with read_transaction(sessions) as session:
        assert session.exec(select(ApiToken)).all() == []
