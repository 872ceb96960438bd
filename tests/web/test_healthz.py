"""``GET /healthz``: 200 when the database answers at the code's revision, 503 with the
reason when it does not answer or is not migrated; never behind a sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask.testing import FlaskClient
from sqlalchemy import Engine

from envsched import migrations
from envsched.db import create_engine
from envsched.settings import Settings
from web import create_app

UNREACHABLE = {
    "sqlite": "sqlite:///{tmp}",  # a folder: SQLite cannot open it as a database
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/envsched",  # nothing listens
}


def previous_revision() -> str:
    """The revision before head: a database that missed the newest migration."""
    script = ScriptDirectory(str(migrations.SCRIPT_LOCATION))
    head = script.get_revision(migrations.head_revision() or "head")
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def test_healthz_answers_ok_without_signing_in(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    head = migrations.head_revision()
    assert response.get_json() == {
        "status": "ok",
        "database": "reachable",
        "migrations": {"database": head, "code": head, "current": True},
    }


def test_healthz_is_503_naming_both_revisions_when_migrations_are_behind(
    empty_engine: Engine,
) -> None:
    behind = previous_revision()
    migrations.upgrade(empty_engine, behind)
    app = create_app(Settings(secret_key="test"), engine=empty_engine)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "reachable"
    assert body["migrations"] == {
        "database": behind,
        "code": migrations.head_revision(),
        "current": False,
    }
    assert "envsched db upgrade" in body["reason"] and behind in body["reason"]


def test_healthz_is_503_when_the_database_has_no_schema_at_all(empty_engine: Engine) -> None:
    app = create_app(Settings(secret_key="test"), engine=empty_engine)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"]["database"] is None


@pytest.fixture
def unreachable_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(Settings(database_url=UNREACHABLE[backend].format(tmp=tmp_path)))
    yield engine
    engine.dispose()


def test_healthz_is_503_naming_the_cause_when_the_database_is_unreachable(
    unreachable_engine: Engine,
) -> None:
    app = create_app(Settings(secret_key="test"), engine=unreachable_engine)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unreachable"
    assert body["reason"].startswith("cannot open the database: ")
    assert body["migrations"]["database"] is None
