"""One planning round at a time, across processes and machines sharing the database.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a
  connection of its own for the whole round; it dies with that connection, so a
  crashed process never leaves it behind.
* SQLite: the ``plan_lock`` row, claimed by one conditional UPDATE (only a free row, or
  one claimed so long ago that its holder must have died, matches). SQLite runs that
  statement under its write lock, so exactly one claimer sees a changed row.

``round_lock`` raises ``ReplanBusy`` when another round holds the lock.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

from envsched.db import SessionFactory
from envsched.errors import InvalidState

LOCK_NAME = "replan"
# 64-bit key every envsched process agrees on, derived from the lock's name.
ADVISORY_KEY = zlib.crc32(b"envsched.replan")
# A SQLite claim older than this is taken over: no round runs that long.
STALE_AFTER = dt.timedelta(hours=6)


class ReplanBusy(InvalidState):
    """Another planning round holds the lock; this one did not start."""

    code = "replan_busy"

    def __init__(self) -> None:
        super().__init__("another planning round is running; try again when it has finished")


def engine_of(sessions: SessionFactory) -> Engine:
    bind = sessions.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


@contextmanager
def round_lock(sessions: SessionFactory, now: dt.datetime) -> Iterator[None]:
    """Hold the round lock for the ``with`` block, or raise ``ReplanBusy`` at once."""
    engine = engine_of(sessions)
    if engine.dialect.name == "postgresql":
        with _advisory(engine):
            yield
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _claim_row(engine, holder, now)
    try:
        yield
    finally:
        _free_row(engine, holder)


@contextmanager
def _advisory(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                   {"key": ADVISORY_KEY}).scalar_one()
        connection.commit()
        if not taken:
            raise ReplanBusy()
        try:
            yield
        finally:
            _advisory_unlock(connection)


def _advisory_unlock(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
    connection.commit()


def _claim_row(engine: Engine, holder: str, now: dt.datetime) -> None:
    naive_now = now.astimezone(dt.UTC).replace(tzinfo=None)  # SQLite keeps naive UTC
    with engine.begin() as connection:
        connection.execute(text("INSERT OR IGNORE INTO plan_lock (name) VALUES (:name)"),
                           {"name": LOCK_NAME})
        claimed = connection.execute(
            text("UPDATE plan_lock SET holder = :holder, claimed_at = :now "
                 "WHERE name = :name AND (holder IS NULL OR claimed_at < :stale)"),
            {"holder": holder, "now": naive_now, "name": LOCK_NAME,
             "stale": naive_now - STALE_AFTER})
    if claimed.rowcount != 1:
        raise ReplanBusy()


def _free_row(engine: Engine, holder: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE plan_lock SET holder = NULL, claimed_at = NULL "
                                "WHERE name = :name AND holder = :holder"),
                           {"name": LOCK_NAME, "holder": holder})
