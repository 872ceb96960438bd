"""Engine and session factory, built from ``Settings`` on demand (never at import).

Writers are serialised so that "count the bookings, then insert one" cannot race:

* PostgreSQL: services lock the environment row (``SELECT … FOR UPDATE``); the
  exclusion constraint on ``booking`` is the last line of defence for capacity 1.
* SQLite has no row locks, so every transaction starts with ``BEGIN IMMEDIATE``,
  taking the database's write lock at its start rather than at its first write
  (a deferred transaction that read first would fail with "database is locked"
  instead of waiting). Read-only work opts out with ``read_transaction``.

Pooled PostgreSQL connections are not pinged on every checkout (a round trip per
request, twice per API call): they are recycled after ``POOL_RECYCLE_S`` instead, and a
connection found dead on use invalidates the pool, so only that one call fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from envsched import state_version
from envsched.settings import Settings

SessionFactory = sessionmaker[Session]

# Execution option that makes a SQLite transaction start with a plain (shared) BEGIN.
READ_ONLY = "envsched_read_only"
SQLITE_BUSY_TIMEOUT_S = 30
POOL_RECYCLE_S = 1800  # below the idle timeouts of common proxies and firewalls


def normalise_url(url: str) -> URL:
    """``postgres://`` and ``postgresql://`` mean psycopg 3, the driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine(settings: Settings, **overrides: Any) -> Engine:
    """The engine for ``settings.database_url``, with our SQLite transaction rules."""
    url = normalise_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, settings, overrides)
    options: dict[str, Any] = {
        "pool_size": settings.database_pool_size,
        "pool_recycle": POOL_RECYCLE_S,
    }
    options.update(overrides)
    engine = sa_create_engine(url, echo=settings.database_echo, **options)
    state_version.track(engine)
    return engine


def _sqlite_engine(url: URL, settings: Settings, overrides: dict[str, Any]) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    options.update(overrides)
    engine = sa_create_engine(url, echo=settings.database_echo, **options)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    state_version.track(engine)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module so "begin" below decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers do not wait for the writer
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def fill_pool(engine: Engine, count: int, warm: Callable[[Session], object]) -> None:
    """Open ``count`` pooled connections now and run ``warm`` once on each (rolled back),
    so a server's first requests neither wait for new database connections (on
    PostgreSQL a new backend process each) nor find every cache cold."""
    held = [engine.connect() for _ in range(count)]
    for connection in held:
        with Session(bind=connection) as session:
            warm(session)
        connection.rollback()
        connection.close()  # back to the pool, open


def session_factory(engine: Engine) -> SessionFactory:
    """Sessions whose objects stay readable after commit (services return them)."""
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


@contextmanager
def read_transaction(sessions: SessionFactory) -> Iterator[Session]:
    """A session for queries only: on SQLite it does not take the write lock.

    Closing (not rolling back) ends it, so the rows it returns stay readable.
    """
    with sessions() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


@contextmanager
def single_read(sessions: SessionFactory) -> Iterator[Session]:
    """A session for ONE query: on PostgreSQL it runs outside a transaction (autocommit),
    sparing the ``BEGIN`` and ``ROLLBACK`` round trips; on SQLite it is ``read_transaction``.

    Only for a single statement: two queries in it would not see the same snapshot.
    """
    with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        else:
            session.connection(execution_options={READ_ONLY: True})
        yield session


def related(relationship: object) -> Any:
    """A relationship attribute as SQLAlchemy's loader options take it (``selectinload``,
    ``joinedload``): SQLModel types it as its target, which they refuse."""
    return relationship


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def database(settings: Settings) -> Iterator[SessionFactory]:
    """Sessions on ``settings``' database for one command or job; the engine closes after."""
    engine = create_engine(settings)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
