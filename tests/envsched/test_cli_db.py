"""``envsched db upgrade`` builds a database from nothing; ``envsched user add`` adds users."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url

from envsched import migrations
from envsched.accounts.tokens import user_for_token
from envsched.cli import main
from envsched.db import create_engine, database
from envsched.settings import Settings
from tests.envsched.factories import NOW
from tests.fixtures.database import POSTGRES_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'fresh.db'}"
        return
    name = f"envsched_cli_{os.getpid()}"
    admin = create_engine(Settings(database_url=POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"ENVSCHED_DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_creates_the_schema_and_user_add_prints_a_working_token(
    empty_database_url: str,
) -> None:
    code, out, _ = run(empty_database_url, "db", "upgrade")
    assert code == 0 and f"revision {migrations.head_revision()}" in out
    engine = create_engine(Settings(database_url=empty_database_url))
    assert migrations.current_revision(engine) == migrations.head_revision()
    engine.dispose()
    code, out, _ = run(empty_database_url, "user", "add", "ada", "--role", "planner", "--token")
    assert code == 0
    with database(Settings(database_url=empty_database_url)) as sessions:
        assert user_for_token(sessions, out.split()[-1], now=NOW).name == "ada"


def test_a_duplicate_user_is_one_line_on_stderr_and_exit_code_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run(url, "db", "upgrade")
    run(url, "user", "add", "ada", "--role", "viewer")
    code, out, err = run(url, "user", "add", "ada", "--role", "viewer")
    assert (code, out) == (2, "")
    assert err.strip() == "error: name: user 'ada' already exists"


def test_a_bad_database_url_names_the_variable(tmp_path: Path) -> None:
    code, _, err = run("mysql://somewhere/db", "db", "upgrade")
    assert code == 2 and "ENVSCHED_DATABASE_URL" in err
