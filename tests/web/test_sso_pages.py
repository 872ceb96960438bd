"""Single sign-on at the edge: the button shows only when configured, a secret that cannot
be read stops start-up, and a provider that cannot be reached is a page, not a 500.

The sign-in itself, against a real provider, is in ``tests/e2e/test_sso_flow.py``."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine

from envsched.errors import ConfigError
from envsched.settings import Settings
from tests.web.helpers import NOW
from web import create_app


def sso_app(engine: Engine, database_url: str, **oidc: Any) -> Flask:
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        oidc_client_id="envsched",
        oidc_name="Acme ID",
        **{"oidc_client_secret": "a-secret", **oidc},
    )
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    app.config["TESTING"] = True
    return app


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_sign_in_page_offers_single_sign_on_only_when_it_is_configured(
    app: Flask, engine: Engine, database_url: str
) -> None:
    assert "Sign in with" not in app.test_client().get("/login").get_data(as_text=True)
    assert app.test_client().get("/login/sso").status_code == 404
    configured = sso_app(engine, database_url, oidc_issuer="https://id.example.test")
    page = configured.test_client().get("/login?next=/timeline").get_data(as_text=True)
    assert 'href="/login/sso?next=/timeline"' in page and "Sign in with Acme ID" in page


def test_a_client_secret_file_that_cannot_be_read_stops_start_up(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="ENVSCHED_OIDC_CLIENT_SECRET_FILE"):
        sso_app(
            engine,
            database_url,
            oidc_issuer="https://id.example.test",
            oidc_client_secret="",
            oidc_client_secret_file=str(tmp_path / "missing"),
        )


def test_a_provider_that_cannot_be_reached_is_a_clear_page_not_an_error(
    engine: Engine, database_url: str
) -> None:
    app = sso_app(engine, database_url, oidc_issuer=f"http://127.0.0.1:{closed_port()}")
    for path in ("/login/sso", "/login/sso/callback?code=x&state=y"):
        response = app.test_client().get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 502, path
        assert "Sign-in refused" in page and "could not get an answer" in page


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("ENVSCHED_OIDC_ROLE_MAP", "ops=admin", "admins are local accounts"),
        ("ENVSCHED_OIDC_ROLE_MAP", "testers", "is not value=role"),
        ("ENVSCHED_OIDC_DEFAULT_ROLE", "boss", "is not one of"),
        ("ENVSCHED_OIDC_SCOPES", "profile email", "must include openid"),
        ("ENVSCHED_OIDC_ISSUER", "id.example.test", "https:// URL"),
    ],
)
def test_a_bad_sso_setting_is_refused_naming_the_variable(
    variable: str, value: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=variable) as refused:
        Settings.from_env({variable: value})
    assert words in str(refused.value)


def test_an_issuer_needs_a_client_id_and_exactly_one_secret() -> None:
    issuer = {"ENVSCHED_OIDC_ISSUER": "https://id.example.test"}
    with pytest.raises(ConfigError, match="ENVSCHED_OIDC_CLIENT_ID"):
        Settings.from_env(issuer)
    with pytest.raises(ConfigError, match="ENVSCHED_OIDC_CLIENT_SECRET"):
        Settings.from_env({**issuer, "ENVSCHED_OIDC_CLIENT_ID": "envsched"})
