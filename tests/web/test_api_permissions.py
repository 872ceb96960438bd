"""The permission table: every API route, every role, and nobody signed in.

A role outside the route's permission gets 403 naming the permission; a role inside it
is never refused by the matrix, and never by a service either, except where a service
decides by ownership (a test manager cancels only bookings of their own requests, and
manages only their own API tokens: the ``/users/…`` paths name the test manager) or by
the gate's own sign-off role (a test manager signs a test phase's gates, the release
manager the go/no-go).
Anonymous callers get 401 everywhere.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from envsched.models import Role
from envsched.permissions import roles_with
from tests.web.api_world import Caller, World, error_of
from tests.web.helpers import csrf_token
from web.api import ROUTES, Route
from web.openapi import openapi_path

BY_OWNERSHIP = {
    "cancel_booking",
    "check_in",
    "release_early",
    "cancel_request",
    "sign_gate",
    "veto_gate",
    "list_tokens",
    "issue_token",
    "revoke_token",
}  # tokens: one's own only


def _url(route: Route, world: World) -> str:
    return openapi_path(route.rule).format(**world.path_values(route.rule))


def _query(route: Route) -> dict[str, Any]:
    if route.query is None:
        return {}
    schema = route.query.model_json_schema()
    return {
        name: ",".join(ex) if isinstance(ex := prop["examples"][0], list) else ex
        for name, prop in schema["properties"].items()
        if name in schema.get("required", [])
    }


def _allowed(route: Route, role: Role) -> bool:
    return role == Role.ADMIN or role in roles_with(route.permission)


def test_every_route_names_a_known_permission_and_has_a_unique_endpoint() -> None:
    assert all(roles_with(route.permission) for route in ROUTES)
    endpoints = [route.endpoint for route in ROUTES]
    assert len(endpoints) == len(set(endpoints))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.endpoint)
def test_each_role_is_refused_exactly_outside_the_permission(
    call: Caller, world: World, route: Route
) -> None:
    url = _url(route, world)
    for role in Role:
        response = call(role, route.method, url, route.example, **_query(route))
        matrix_refusal = f"it needs {route.permission}"
        if not _allowed(route, role):
            assert response.status_code == 403, (role, response.get_json())
            assert matrix_refusal in error_of(response)["message"]
            continue
        assert response.status_code != 401, role
        if response.status_code == 403:
            assert route.endpoint in BY_OWNERSHIP, (role, response.get_json())
            assert matrix_refusal not in error_of(response)["message"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.endpoint)
def test_nobody_signed_in_gets_401(client: FlaskClient, world: World, route: Route) -> None:
    # A write riding on no session still passes the CSRF check first (web.auth checks
    # CSRF before it knows the route), so send the token an anonymous page would have.
    headers = {"X-CSRFToken": csrf_token(client)} if route.method != "GET" else {}
    response = client.open(
        _url(route, world),
        method=route.method,
        json=route.example,
        query_string=_query(route),
        headers=headers,
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_bad_bearer_token_is_401(client: FlaskClient, world: World) -> None:
    response = client.get("/api/v1/environments", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
