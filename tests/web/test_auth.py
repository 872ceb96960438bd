"""Signing in and out, sessions, bearer tokens and CSRF."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory
from envsched.models import ApiToken, Role
from tests.web.helpers import NOW, PASSWORD, csrf_token
from web.api import ROUTES, Route
from web.openapi import openapi_path


def test_a_page_sends_an_anonymous_visitor_to_sign_in_and_back(client: FlaskClient) -> None:
    response = client.get("/?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/?x%3D1"


def test_signing_in_with_the_right_password_opens_the_dashboard(
    client: FlaskClient, user_of: Callable[..., object]
) -> None:
    user_of(Role.VIEWER)
    response = client.post(
        "/login?next=/",
        data={"name": "viewer", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "<h1>Dashboard</h1>" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: FlaskClient, user_of: Callable[..., object]
) -> None:
    user_of(Role.VIEWER)
    response = client.post(
        "/login", data={"name": "viewer", "password": "nope", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 401
    assert "Unknown user name or wrong password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_without_the_csrf_token_is_refused(
    client: FlaskClient, user_of: Callable[..., object]
) -> None:
    user_of(Role.VIEWER)
    response = client.post("/login", data={"name": "viewer", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_next_never_leaves_the_site(client: FlaskClient, user_of: Callable[..., object]) -> None:
    user_of(Role.VIEWER)
    for target in ("https://evil.example/", "//evil.example/x"):
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"name": "viewer", "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_signing_out_ends_the_session(client: FlaskClient, login: Callable[..., object]) -> None:
    login(client, Role.TEST_MANAGER)
    assert client.get("/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_sign_out_without_the_csrf_token_keeps_the_session(
    client: FlaskClient, login: Callable[..., object]
) -> None:
    login(client, Role.TEST_MANAGER)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_plotly_is_served_by_the_app_itself(client: FlaskClient) -> None:
    with client.get("/static/vendor/plotly.min.js") as response:
        assert response.status_code == 200
        assert b"plotly" in response.data[:2000].lower()
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


WRITES = [route for route in ROUTES if route.method != "GET"]


@pytest.mark.parametrize("route", WRITES, ids=lambda r: r.endpoint)
def test_an_anonymous_api_write_without_a_csrf_token_is_401_not_400(
    client: FlaskClient, route: Route
) -> None:
    url = re.sub(r"\{\w+\}", "1", openapi_path(route.rule))  # nothing is looked up
    response = client.open(url, method=route.method, json=route.example or {})
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_signed_in_api_write_still_needs_the_csrf_token(
    client: FlaskClient, login: Callable[..., object]
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    body = {"environment": "UAT-1", "start": "2027-03-01", "end": "2027-03-08"}
    response = client.post("/api/v1/bookings", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


@pytest.mark.parametrize(
    ("path", "status"), [("/api/v1/environments", 200), ("/api/v1/environments/NO-SUCH", 404)]
)
def test_a_tokens_use_is_recorded_once_the_answer_has_gone_out(
    client: FlaskClient,
    sessions: SessionFactory,
    token_headers: Callable[..., dict[str, str]],
    path: str,
    status: int,
) -> None:
    response = client.get(path, headers=token_headers("viewer"))
    assert response.status_code == status
    assert token_last_used(sessions) is None  # the answer is not finished with yet
    response.close()  # what the WSGI server does once the answer is sent
    assert token_last_used(sessions) == NOW


def token_last_used(sessions: SessionFactory) -> dt.datetime | None:
    with sessions() as session:
        return session.exec(select(ApiToken.last_used_at)).one()
