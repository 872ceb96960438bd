"""Database fixtures: every test that uses ``sessions`` runs on SQLite and on PostgreSQL.

* SQLite: the real migration runs once into a template file; each test gets a fresh
  copy in its own temporary directory (a file, so threads can share it).
* PostgreSQL (127.0.0.1:5432 unless ``ENVSCHED_TEST_POSTGRES_URL`` says otherwise): a
  database ``envsched_test_<pid>_<random>`` is created for the test session and migrated once
  (so ``btree_gist`` and the exclusion constraint exist); each test starts from
  emptied tables. PostgreSQL being unreachable is an error, never a skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from envsched import migrations
from envsched.db import SessionFactory, create_engine, session_factory
from envsched.models import metadata
from envsched.settings import Settings
from tests.envsched import factories
from tests.envsched.factories import Factory

POSTGRES_ADMIN_URL = os.environ.get(
    "ENVSCHED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "envsched.db"
    engine = create_engine(Settings(database_url=f"sqlite:///{path}"))
    migrations.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards.

    Named uniquely per fixture instance: ``tests/web`` re-uses this fixture in its own
    conftest, which makes a second session-scoped instance; with one name per process
    the second would drop the first's database under it."""
    name = f"envsched_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(Settings(database_url=url))
    migrations.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_admin_engine() -> Engine:
    admin = create_engine(Settings(database_url=POSTGRES_ADMIN_URL),
                          isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with admin.connect():
            pass
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for the database tests and is not reachable at "
                    f"{POSTGRES_ADMIN_URL}: {exc.orig}", pytrace=False)
    return admin


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(Settings(database_url=postgres_url), pool_size=10, max_overflow=60)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh, migrated, empty database of the current backend."""
    if backend == "sqlite":
        path = tmp_path / "envsched.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    engine: Engine = request.getfixturevalue("postgres_engine")
    empty_all_tables(engine)
    return str(request.getfixturevalue("postgres_url"))


def empty_all_tables(engine: Engine) -> None:
    # DELETE beats TRUNCATE on tables this small: TRUNCATE rewrites every file.
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def engine(backend: str, database_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if backend == "postgresql":
        yield request.getfixturevalue("postgres_engine")
        return
    sqlite_engine = create_engine(Settings(database_url=database_url))
    yield sqlite_engine
    sqlite_engine.dispose()


@pytest.fixture
def empty_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a brand-new, unmigrated database of ``backend``."""
    if backend == "sqlite":
        engine = create_engine(Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}"))
        yield engine
        engine.dispose()
        return
    name = f"envsched_migrate_{os.getpid()}"
    admin = create_engine(Settings(database_url=POSTGRES_ADMIN_URL),
                          isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(Settings(database_url=url))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sessions(engine: Engine) -> SessionFactory:
    return session_factory(engine)


# -- factories bound to this test's database --------------------------------------------


def _bind(maker: Factory, sessions: SessionFactory) -> Factory:
    def make(*args: Any, **overrides: Any) -> Any:
        return maker(sessions, *args, **overrides)

    return make


@pytest.fixture
def make_environment(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_environment, sessions)


@pytest.fixture
def make_window(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_window, sessions)


@pytest.fixture
def make_freeze(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_freeze, sessions)


@pytest.fixture
def make_user(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_user, sessions)


@pytest.fixture
def make_release(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_release, sessions)


@pytest.fixture
def make_phase(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_phase, sessions)


@pytest.fixture
def make_request(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_request, sessions)


@pytest.fixture
def make_booking(sessions: SessionFactory) -> Factory:
    return _bind(factories.make_booking, sessions)


@pytest.fixture
def now() -> Any:
    return factories.NOW
