"""/api/v1/users, their API tokens, and /api/v1/environment-types.

Users are admins' business; tokens are admins' or their owner's; a token's secret is in
the 201 answer that issued it and in no listing. Every role outside the matrix is
covered by ``test_api_permissions``; here the refusals that depend on who asks.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.models import ApiToken, AuditEntry, Role, User
from tests.web.api_world import Caller, World, error_of
from tests.web.helpers import csrf_token

ADMIN, TESTER, VIEWER = Role.ADMIN, Role.TEST_MANAGER, Role.VIEWER
USERS = "/api/v1/users"
TESTER_TOKENS = "/api/v1/users/test_manager/tokens"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# -- environment types ----------------------------------------------------------------------


def test_every_role_lists_environment_types_with_their_environments(
    call: Caller, world: World
) -> None:
    for role in Role:
        response = call(role, "GET", "/api/v1/environment-types")
        assert response.status_code == 200, role
        assert response.get_json() == [
            {"name": "SIT", "description": "", "environments": 1, "checkin_required": False},
            {"name": "UAT", "description": "", "environments": 2, "checkin_required": False},
        ]


def test_an_environment_manager_adds_a_type_that_environments_can_then_use(
    call: Caller, world: World
) -> None:
    body = {"name": "PERF", "description": "load tests"}
    response = call(Role.ENVIRONMENT_MANAGER, "POST", "/api/v1/environment-types", body)
    assert response.status_code == 201
    assert response.get_json() == body | {"environments": 0, "checkin_required": False}
    env = call(ADMIN, "POST", "/api/v1/environments", {"name": "PERF-1", "type": "PERF"})
    assert env.status_code == 201 and env.get_json()["type"] == "PERF"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "UAT"}, "name"),  # taken
        ({"name": ""}, "name"),
        ({"description": "no name"}, "name"),
        ({"name": "X" * 65}, "name"),
        ({"name": "PERF", "colour": "red"}, "colour"),  # unknown fields are not ignored
    ],
)
def test_a_bad_environment_type_is_refused_naming_the_field(
    call: Caller, world: World, body: dict[str, str], field: str
) -> None:
    response = call(ADMIN, "POST", "/api/v1/environment-types", body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    names = [t["name"] for t in call(ADMIN, "GET", "/api/v1/environment-types").get_json()]
    assert names == ["SIT", "UAT"]


# -- users ----------------------------------------------------------------------------------


def test_an_admin_adds_a_user_who_signs_in_with_the_password(
    call: Caller, world: World, client: FlaskClient
) -> None:
    body = {
        "name": "nina",
        "role": "planner",
        "full_name": "Nina New",
        "email": "nina@bank.example",
        "password": "first-password-1",
    }
    response = call(ADMIN, "POST", USERS, body)
    assert response.status_code == 201
    answer = response.get_json()
    assert answer | {"created_at": None} == {
        "name": "nina",
        "full_name": "Nina New",
        "email": "nina@bank.example",
        "role": "planner",
        "active": True,
        "signs_in_with_password": True,
        "created_at": None,
    }
    assert "first-password-1" not in repr(answer) and "scrypt" not in repr(answer)
    assert call(ADMIN, "GET", f"{USERS}/nina").get_json() == answer
    assert "nina" in [u["name"] for u in call(ADMIN, "GET", USERS).get_json()]
    browser = client.application.test_client()
    signed_in = browser.post(
        "/login",
        data={"name": "nina", "password": "first-password-1", "csrf_token": csrf_token(browser)},
    )
    assert signed_in.status_code == 302


def test_a_user_without_a_password_signs_in_by_token_only(call: Caller, world: World) -> None:
    response = call(ADMIN, "POST", USERS, {"name": "jenkins", "role": "test_manager"})
    assert response.status_code == 201
    assert response.get_json()["signs_in_with_password"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "test_manager", "role": "viewer"}, "name"),  # taken
        ({"name": "two words"}, "name"),
        ({"role": "viewer"}, "name"),
        ({"name": "nina", "role": "boss"}, "role"),
        ({"name": "nina", "password": "short"}, "password"),
        ({"name": "nina", "token": "x"}, "token"),
    ],
)
def test_a_bad_new_user_is_refused_naming_the_field(
    call: Caller, world: World, body: dict[str, str], field: str
) -> None:
    before = call(ADMIN, "GET", USERS).get_json()
    response = call(ADMIN, "POST", USERS, body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert call(ADMIN, "GET", USERS).get_json() == before


def test_an_admin_changes_role_name_and_active_together(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    body = {"role": "release_manager", "active": False, "full_name": "Tess T."}
    response = call(ADMIN, "PATCH", f"{USERS}/test_manager", body)
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in body} == body
    with read_transaction(sessions) as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.entity == "app_user")
        ).all()
    assert "update" in actions


def test_a_deactivated_users_tokens_are_refused(
    call: Caller, world: World, client: FlaskClient
) -> None:
    issued = call(TESTER, "POST", TESTER_TOKENS, {"label": "ci"}).get_json()
    call(ADMIN, "PATCH", f"{USERS}/test_manager", {"active": False})
    response = client.get("/api/v1/environments", headers=_bearer(issued["secret"]))
    assert response.status_code == 401


def test_the_last_active_admin_keeps_the_role_and_nothing_changes(
    call: Caller, world: World
) -> None:
    before = call(ADMIN, "GET", f"{USERS}/admin").get_json()
    response = call(ADMIN, "PATCH", f"{USERS}/admin", {"role": "viewer", "full_name": "X"})
    assert response.status_code == 400
    assert "last active admin" in error_of(response)["fields"]["role"]
    assert call(ADMIN, "GET", f"{USERS}/admin").get_json() == before


def test_an_admin_cannot_deactivate_themselves_even_with_another_admin(
    call: Caller, world: World, user_of: Callable[..., User]
) -> None:
    user_of(ADMIN, "second_admin")
    response = call(ADMIN, "PATCH", f"{USERS}/admin", {"active": False})
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"active": "you cannot deactivate yourself"}
    assert call(ADMIN, "GET", f"{USERS}/admin").get_json()["active"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"active": "sometimes"}, "active"),
        ({"full_name": "x" * 129}, "full_name"),
        ({"name": "renamed"}, "name"),  # names do not change
    ],
)
def test_a_bad_user_change_is_refused_naming_the_field(
    call: Caller, world: World, body: dict[str, object], field: str
) -> None:
    response = call(ADMIN, "PATCH", f"{USERS}/test_manager", body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"{USERS}/nobody", None),
        ("PATCH", f"{USERS}/nobody", {"full_name": "No One"}),
        ("GET", f"{USERS}/nobody/tokens", None),
        ("POST", f"{USERS}/nobody/tokens", {"label": "ci"}),
        ("POST", f"{USERS}/nobody/tokens/1/revoke", None),
        ("POST", f"{TESTER_TOKENS}/999999/revoke", None),
    ],
)
def test_an_unknown_user_or_token_is_404(
    call: Caller, world: World, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = call(ADMIN, method, path, body)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# -- API tokens -----------------------------------------------------------------------------


def test_a_token_issued_through_the_api_works_until_it_is_revoked(
    call: Caller, world: World, client: FlaskClient
) -> None:
    response = call(TESTER, "POST", TESTER_TOKENS, {"label": "laptop"})
    assert response.status_code == 201
    issued = response.get_json()
    assert issued["label"] == "laptop" and issued["revoked_at"] is None
    assert client.get("/api/v1/environments", headers=_bearer(issued["secret"])).status_code == 200
    revoked = call(TESTER, "POST", f"{TESTER_TOKENS}/{issued['id']}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] is not None
    refused = client.get("/api/v1/environments", headers=_bearer(issued["secret"]))
    assert refused.status_code == 401


def test_listings_never_show_a_secret_or_its_hash(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    secret = call(TESTER, "POST", TESTER_TOKENS, {"label": "ci"}).get_json()["secret"]
    for role in (ADMIN, TESTER):
        listing = call(role, "GET", TESTER_TOKENS)
        assert listing.status_code == 200
        text = listing.get_data(as_text=True)
        with read_transaction(sessions) as session:
            hashes = session.exec(select(ApiToken.token_hash)).all()
        assert secret not in text and not any(h in text for h in hashes)
        assert "ci" in [t["label"] for t in listing.get_json()]
        assert all(
            set(t) == {"id", "label", "created_at", "last_used_at", "expires_at", "revoked_at"}
            for t in listing.get_json()
        )


def test_a_token_valid_until_a_day_expires_after_it(call: Caller, world: World) -> None:
    issued = call(TESTER, "POST", TESTER_TOKENS, {"label": "ci", "valid_until": "2027-01-31"})
    assert issued.status_code == 201
    assert issued.get_json()["expires_at"].startswith("2027-02-01T00:00:00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "label"),
        ({"label": ""}, "label"),
        ({"label": "x" * 65}, "label"),
        ({"label": "ci", "valid_until": "2026-12-31"}, "valid_until"),  # in the past
        ({"label": "ci", "valid_until": "soon"}, "valid_until"),
        ({"label": "ci", "secret": "mine"}, "secret"),
    ],
)
def test_a_bad_token_request_is_refused_naming_the_field(
    call: Caller, world: World, body: dict[str, str], field: str
) -> None:
    before = call(TESTER, "GET", TESTER_TOKENS).get_json()  # (the caller's own token too)
    response = call(TESTER, "POST", TESTER_TOKENS, body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert call(TESTER, "GET", TESTER_TOKENS).get_json() == before


def test_revoking_a_revoked_token_is_409(call: Caller, world: World) -> None:
    issued = call(ADMIN, "POST", TESTER_TOKENS, {"label": "ci"}).get_json()
    path = f"{TESTER_TOKENS}/{issued['id']}/revoke"
    assert call(ADMIN, "POST", path).status_code == 200
    again = call(TESTER, "POST", path)
    assert again.status_code == 409
    assert "already revoked" in error_of(again)["message"]


@pytest.mark.parametrize("role", [r for r in Role if r not in (ADMIN, TESTER)])
def test_nobody_but_an_admin_touches_another_users_tokens(
    call: Caller, world: World, role: Role
) -> None:
    issued = call(TESTER, "POST", TESTER_TOKENS, {"label": "ci"}).get_json()
    for method, path, body in [
        ("GET", TESTER_TOKENS, None),
        ("POST", TESTER_TOKENS, {"label": "mine now"}),
        ("POST", f"{TESTER_TOKENS}/{issued['id']}/revoke", None),
    ]:
        response = call(role, method, path, body)
        assert response.status_code == 403, (role, method, path)
        assert "only their own API tokens" in error_of(response)["message"]
    labelled = [t for t in call(TESTER, "GET", TESTER_TOKENS).get_json() if t["label"]]
    assert [(t["label"], t["revoked_at"]) for t in labelled] == [("ci", None)]


def test_a_token_of_someone_else_is_404_under_your_name(
    call: Caller, world: World, user_of: Callable[..., User]
) -> None:
    theirs = call(TESTER, "POST", TESTER_TOKENS, {"label": "ci"}).get_json()
    call(VIEWER, "GET", "/api/v1/environments")  # makes the viewer
    response = call(VIEWER, "POST", f"{USERS}/viewer/tokens/{theirs['id']}/revoke")
    assert response.status_code == 404
    assert call(TESTER, "GET", TESTER_TOKENS).get_json()[-1]["revoked_at"] is None


@pytest.mark.parametrize("role", [r for r in Role if r != ADMIN])
def test_every_role_manages_its_own_tokens(
    call: Caller, world: World, role: Role, client: FlaskClient
) -> None:
    mine = f"{USERS}/{role.value}/tokens"
    issued = call(role, "POST", mine, {"label": "own"})
    assert issued.status_code == 201, role
    assert [t["label"] for t in call(role, "GET", mine).get_json()][-1] == "own"
    token_id = issued.get_json()["id"]
    assert call(role, "POST", f"{mine}/{token_id}/revoke").status_code == 200
    assert (
        client.get("/api/v1/environments", headers=_bearer(issued.get_json()["secret"])).status_code
        == 401
    )
