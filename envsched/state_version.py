"""A token that changes with every committed write to the stored state, so that what is
derived from all of it (clashes, KPIs, the capacity forecast) can be kept per state and
worked out again only after a change (``envsched.state_cache``).

Every engine ``envsched.db.create_engine`` builds watches the statements it sends. An
INSERT, UPDATE or DELETE of a table outside ``UNWATCHED``, or any statement it cannot
tell is a read (DDL, a ``WITH`` …), marks the connection; when that transaction commits,
the one row of ``state_version`` gets a fresh random token, in the same transaction, just
before the commit. So:

* every write path is covered (ORM or SQL, web worker, scheduler or CLI), and no service
  has anything to remember;
* the token is the last thing a writer writes: on PostgreSQL its row lock is the last
  lock a transaction takes and is held only while it commits, so it adds no deadlock;
* a reader that reads the token first and the state after, in one transaction, sees a
  state at least as new as the token (never older), so nothing is kept under a token
  for an older state;
* random, not a counter: a database emptied between tests, or restored from a backup,
  never shows a token that a cache holds for another state.

Writes made outside our engines (``psql`` by hand) are not seen until the next write
through the app; restart the app after one.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlmodel import Session

# Tables no kept result reads: writing them leaves the token alone (so signing in,
# using a token, the audit log, the scheduler's bookkeeping never throw a cache away).
UNWATCHED = frozenset(
    {
        "alembic_version",
        "state_version",
        "app_user",
        "api_token",
        "audit_entry",
        "plan_lock",
        "notification_cursor",
        "notification_delivery",
        "apscheduler_jobs",
        "what_if",
    }
)
PENDING = "envsched_state_written"  # connection info: this transaction wrote the state

_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|"
    r"DELETE\s+FROM|REPLACE\s+INTO)\s+(?:\"?\w+\"?\.)?\"?(\w+)",
    re.I,
)
_READ = re.compile(
    r"\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|"
    r"EXPLAIN)\b",
    re.I,
)
_UPSERT = (
    "INSERT INTO state_version (id, token) VALUES (1, '{token}') "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)
# PostgreSQL: an error would abort the transaction, so the table (missing before
# migration 0009, or after a downgrade) is looked for first, in the same round trip
_POSTGRESQL_UPSERT = (
    "DO $$ BEGIN IF to_regclass('state_version') IS NOT NULL THEN " + _UPSERT + "; END IF; END $$"
)


def track(engine: Engine) -> None:
    """Make every committed write through ``engine`` change the state's token."""
    event.listen(engine, "after_cursor_execute", _after_statement)
    event.listen(engine, "commit", _before_commit)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "checkin", _forget_on_checkin)


def read_token(session: Session) -> str | None:
    """The token of the state this session sees (None: the row is gone)."""
    return session.execute(text("SELECT token FROM state_version WHERE id = 1")).scalar()


def has_pending_writes(connection: Connection) -> bool:
    """Whether ``connection``'s open transaction wrote the state (not committed yet)."""
    return bool(connection.info.get(PENDING))


def writes_state(statement: str) -> bool:
    """Whether ``statement`` may change what a kept result was derived from."""
    write = _WRITE.match(statement)
    if write:
        return write.group(1).lower() not in UNWATCHED
    return _READ.match(statement) is None


def _after_statement(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if not writes_state(statement):
        return
    if _autocommitted(connection):
        _write_token(connection)  # the write is already committed: so is the token
    else:
        connection.info[PENDING] = True


def _before_commit(connection: Connection) -> None:
    if connection.info.pop(PENDING, False):
        _write_token(connection)


def _forget(connection: Connection) -> None:
    connection.info.pop(PENDING, None)


def _forget_on_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info.pop(PENDING, None)


def _autocommitted(connection: Connection) -> bool:
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return not getattr(driver, "in_transaction", True)
    return bool(getattr(driver, "autocommit", False))


def _write_token(connection: Connection) -> None:
    """Upsert a fresh token on the DB-API cursor: inside the transaction being committed,
    without going through SQLAlchemy's statement machinery (and these events) again."""
    postgresql = connection.dialect.name == "postgresql"
    statement = (_POSTGRESQL_UPSERT if postgresql else _UPSERT).format(token=uuid.uuid4().hex)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    except sqlite3.OperationalError as exc:  # SQLite keeps the transaction on an error
        if "no such table" not in str(exc):
            raise
    finally:
        cursor.close()
