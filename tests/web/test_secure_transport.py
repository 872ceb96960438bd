"""``ENVSCHED_SECURE_COOKIES`` for HTTPS installs: the session cookie (which holds the CSRF
token too) only over HTTPS, and the HSTS header on every answer."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine

from envsched.settings import Settings
from web import create_app


def app_with(engine: Engine, database_url: str, *, secure: bool) -> Flask:
    settings = Settings(
        database_url=database_url, secret_key="test-secret-key", secure_cookies=secure
    )
    return create_app(settings, engine=engine)


def test_secure_cookies_mark_the_session_cookie_and_send_hsts(
    engine: Engine, database_url: str
) -> None:
    client = app_with(engine, database_url, secure=True).test_client()
    response = client.get("/login", base_url="https://envsched.example")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "; Secure" in cookie and "; HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    api = client.get("/api/v1/environments", base_url="https://envsched.example")
    assert api.status_code == 401
    assert api.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("backend", ["sqlite"])  # a setting, not the database, is tested
def test_without_the_setting_cookies_work_over_http_and_no_hsts_is_sent(
    engine: Engine, database_url: str
) -> None:
    response = app_with(engine, database_url, secure=False).test_client().get("/login")
    assert "; Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


def test_the_variable_is_read_as_a_yes_or_no() -> None:
    assert Settings.from_env({"ENVSCHED_SECURE_COOKIES": "yes"}).secure_cookies
    assert not Settings.from_env({}).secure_cookies
