"""Sign-in is throttled per user name and per address, in the database (so it holds across
processes), and an unknown user name costs as much time as a wrong password."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from envsched.db import SessionFactory
from envsched.models import Role, User
from envsched.settings import Settings
from tests.web.forms import field_errors, post
from tests.web.helpers import NOW, PASSWORD, csrf_token, production_password_hash
from web import create_app

MakeApp = Callable[..., Flask]


class Clock:
    """A clock the test moves on."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(engine: Engine, database_url: str, clock: Clock) -> MakeApp:
    """Another app (another web process) on this test's database."""

    def make(**settings: Any) -> Flask:
        app = create_app(
            Settings(database_url=database_url, secret_key="test-secret-key", **settings),
            engine=engine,
            clock=clock,
        )
        app.config["TESTING"] = True
        return app

    return make


def sign_in(client: FlaskClient, name: str, password: str) -> TestResponse:
    return client.post(
        "/login", data={"name": name, "password": password, "csrf_token": csrf_token(client)}
    )


def browser(app: Flask, address: str = "192.0.2.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail(client: FlaskClient, name: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, name, "wrong password").status_code == 401


def test_five_failures_with_a_user_name_refuse_it_even_the_right_password(
    client: FlaskClient, user_of: Callable[..., User]
) -> None:
    user_of(Role.VIEWER)
    fail(client, "viewer", 5)
    refused = sign_in(client, "viewer", PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(15 * 60)
    page = refused.get_data(as_text=True)
    assert (
        "Too many failed sign-ins for the user name &#39;viewer&#39;: try again in "
        "15 minutes." in page
    )
    assert client.get("/").status_code == 302  # not signed in


def test_the_throttle_counts_unknown_user_names_as_well(client: FlaskClient) -> None:
    fail(client, "nobody", 5)
    assert sign_in(client, "nobody", "wrong password").status_code == 429


def test_other_user_names_still_sign_in_while_one_is_refused(
    client: FlaskClient, user_of: Callable[..., User]
) -> None:
    user_of(Role.VIEWER)
    user_of(Role.PLANNER)
    fail(client, "viewer", 5)
    assert sign_in(client, "planner", PASSWORD).status_code == 302


def test_a_refused_user_name_signs_in_again_once_its_failures_leave_the_window(
    make_app: MakeApp, clock: Clock, user_of: Callable[..., User]
) -> None:
    user_of(Role.VIEWER)
    client = browser(make_app())
    fail(client, "viewer", 4)
    clock.now += dt.timedelta(minutes=10)
    fail(client, "viewer", 1)
    refused = sign_in(client, "viewer", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(5 * 60)
    clock.now += dt.timedelta(minutes=5, seconds=1)  # the first four are 15 minutes old
    assert sign_in(client, "viewer", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_the_user_names_failures(
    client: FlaskClient, user_of: Callable[..., User]
) -> None:
    user_of(Role.VIEWER)
    fail(client, "viewer", 4)
    assert sign_in(client, "viewer", PASSWORD).status_code == 302
    fail(client.application.test_client(), "viewer", 4)
    assert sign_in(client.application.test_client(), "viewer", PASSWORD).status_code == 302


def test_failures_from_one_address_refuse_it_for_every_user_name(
    make_app: MakeApp, user_of: Callable[..., User]
) -> None:
    user_of(Role.VIEWER)
    app = make_app(signin_max_failures_per_address=6)
    attacker = browser(app, "198.51.100.7")
    for name in ("ann", "bob", "cy"):
        fail(attacker, name, 2)
    refused = sign_in(attacker, "viewer", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins from your address" in refused.get_data(as_text=True)
    assert sign_in(browser(app, "198.51.100.8"), "viewer", PASSWORD).status_code == 302


def test_the_throttle_holds_across_two_apps_on_one_database(
    make_app: MakeApp, user_of: Callable[..., User]
) -> None:
    """Two ``create_app`` on one database stand for two web processes."""
    user_of(Role.VIEWER)
    first, second = browser(make_app(), "192.0.2.1"), browser(make_app(), "192.0.2.2")
    fail(first, "viewer", 3)
    fail(second, "viewer", 2)
    assert sign_in(first, "viewer", PASSWORD).status_code == 429
    assert sign_in(second, "viewer", PASSWORD).status_code == 429


def test_the_address_throttle_holds_across_two_apps_on_one_database(
    make_app: MakeApp, user_of: Callable[..., User]
) -> None:
    user_of(Role.VIEWER)
    settings = {"signin_max_failures_per_address": 4}
    first, second = browser(make_app(**settings)), browser(make_app(**settings))
    fail(first, "ann", 2)
    fail(second, "bob", 2)
    assert sign_in(first, "viewer", PASSWORD).status_code == 429


def test_the_address_comes_from_a_trusted_proxys_header(
    make_app: MakeApp, user_of: Callable[..., User]
) -> None:
    """Behind a proxy every request comes from the proxy: its X-Forwarded-For counts."""
    user_of(Role.VIEWER)
    app = make_app(signin_max_failures_per_address=2, trusted_proxies=1)
    proxy = browser(app, "10.0.0.1")
    for name in ("ann", "bob"):
        response = proxy.post(
            "/login",
            data={"name": name, "password": "wrong", "csrf_token": csrf_token(proxy)},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert response.status_code == 401
    assert sign_in(proxy, "viewer", PASSWORD).status_code == 302  # another client


def test_guessing_the_current_password_on_the_account_page_is_throttled(
    client: FlaskClient, login: Callable[..., User]
) -> None:
    login(client, Role.VIEWER)
    for _ in range(5):
        wrong = post(
            client,
            "/account/password",
            {"current_password": "guess-guess", "password": "a-new-password"},
        )
        assert field_errors(wrong) == {"password-current_password": "is not your current password"}
    refused = post(
        client, "/account/password", {"current_password": PASSWORD, "password": "a-new-password"}
    )
    assert refused.status_code == 400
    assert "Too many failed sign-ins for the user name" in refused.get_data(as_text=True)


def test_a_user_name_with_a_nul_byte_is_refused_at_the_edge(client: FlaskClient) -> None:
    refused = sign_in(client, "vie\x00wer", "wrong password")
    assert refused.status_code == 400  # web/request_checks: never a 500 from the database
    assert "NUL" in refused.get_data(as_text=True) or "name" in refused.get_data(as_text=True)


def test_an_unknown_user_costs_as_much_time_as_a_wrong_password(
    make_app: MakeApp, user_of: Callable[..., User], sessions: SessionFactory
) -> None:
    """Median of seven tries each, interleaved; a ratio, never a time. The viewer's
    password is hashed at the production cost, which the unknown name's check pays."""
    viewer = user_of(Role.VIEWER)
    with sessions.begin() as session:
        session.get_one(User, viewer.id).password_hash = production_password_hash()
    client = browser(make_app(signin_max_failures=100, signin_max_failures_per_address=100))
    token = csrf_token(client)

    def seconds(name: str) -> float:
        started = time.perf_counter()
        response = client.post(
            "/login", data={"name": name, "password": "wrong password", "csrf_token": token}
        )
        assert response.status_code == 401
        return time.perf_counter() - started

    unknown, wrong = [], []
    for _ in range(7):
        unknown.append(seconds("nobody-here"))
        wrong.append(seconds("viewer"))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2, f"unknown user / wrong password = {ratio:.2f}"
