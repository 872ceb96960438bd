"""Web fixtures: an app on a fresh, migrated database of each backend, users per role.

* ``app`` — ``create_app`` on this test's database (SQLite file or PostgreSQL, via the
  ``backend`` parametrize of ``tests/envsched/conftest.py``) with a fixed clock
  (``helpers.NOW``) and CSRF protection on.
* ``client`` — Flask's test client; ``login(client, role)`` signs it in.
* ``user_of(role, name=None)`` — the user of that role (created on first use, password
  ``helpers.PASSWORD``); ``token_headers(role)`` — ``{"Authorization": "Bearer …"}``
  for a fresh API token of that user.
* ``csrf_headers(client)`` — ``{"X-CSRFToken": …}`` for session-authenticated API writes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from envsched.accounts import tokens
from envsched.db import SessionFactory
from envsched.models import Role, User
from envsched.settings import Settings
from tests.envsched import conftest as database_fixtures
from tests.web.helpers import NOW, PASSWORD, csrf_token, password_hash
from web import create_app

UserOf = Callable[..., User]

# The database fixtures of the service tests, so web tests run on SQLite and PostgreSQL.
sqlite_template = database_fixtures.sqlite_template
postgres_url = database_fixtures.postgres_url
postgres_engine = database_fixtures.postgres_engine
backend = database_fixtures.backend
database_url = database_fixtures.database_url
engine = database_fixtures.engine
sessions = database_fixtures.sessions


@pytest.fixture
def app(engine: Engine, database_url: str) -> Flask:
    settings = Settings(database_url=database_url, secret_key="test-secret-key")
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def user_of(sessions: SessionFactory) -> UserOf:
    made: dict[str, User] = {}

    def make(role: Role | str, name: str | None = None) -> User:
        role = Role(role)
        name = name or role.value
        if name not in made:
            user = User(name=name, role=role, full_name=name.replace("_", " ").title(),
                        password_hash=password_hash(), created_at=NOW)
            with sessions.begin() as session:
                session.add(user)
            made[name] = user
        return made[name]

    return make


@pytest.fixture
def token_headers(sessions: SessionFactory, user_of: UserOf) -> Callable[..., dict[str, str]]:
    def headers(role: Role | str, name: str | None = None) -> dict[str, str]:
        user = user_of(role, name)
        _token, secret = tokens.issue_token(sessions, user.name, actor=None, now=NOW)
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def login(user_of: UserOf) -> Callable[..., User]:
    def sign_in(client: FlaskClient, role: Role | str, name: str | None = None) -> User:
        user = user_of(role, name)
        response = client.post("/login", data={"name": user.name, "password": PASSWORD,
                                               "csrf_token": csrf_token(client)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@pytest.fixture
def csrf_headers() -> Callable[[FlaskClient], dict[str, str]]:
    def headers(client: FlaskClient) -> dict[str, str]:
        return {"X-CSRFToken": csrf_token(client, "/")}

    return headers
