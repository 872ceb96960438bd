"""One planning round at a time, across processes and machines sharing the database.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a
  connection of its own for the whole round; it dies with that connection, so a
  crashed process never leaves it behind.
* SQLite: the ``plan_lock`` row, claimed by one conditional UPDATE (only a free row, one
  past its ``stale_at`` — the holder's time limit plus a margin — or one whose holder is
  provably gone matches). SQLite runs that statement under its write lock, so exactly
  one claimer sees a changed row.

``round_lock`` raises ``ReplanBusy`` when another round holds the lock;
``round_running`` says, without taking it, whether anything holds it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, select, text
from sqlmodel import col

from envsched.claims import new_owner, owner_gone
from envsched.db import SessionFactory
from envsched.errors import InvalidState
from envsched.models import PlanLock

LOCK_NAME = "replan"
# 64-bit key every envsched process agrees on, derived from the lock's name.
ADVISORY_KEY = zlib.crc32(b"envsched.replan")
# What a holder may take beyond its solver time limit: the stay plan, remedies, applying,
# and queueing notifications (sent after the lock is given back).
MARGIN = dt.timedelta(minutes=30)


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
def round_lock(
    sessions: SessionFactory, now: dt.datetime, time_limit: float = 0.0
) -> Iterator[None]:
    """Hold the round lock for the ``with`` block, or raise ``ReplanBusy`` at once.

    ``time_limit``: the solver seconds of the work done under it (SQLite's claim goes
    stale that long plus ``MARGIN`` after it was made)."""
    engine = engine_of(sessions)
    if engine.dialect.name == "postgresql":
        with _advisory(engine):
            yield
        return
    holder = new_owner()
    _claim_row(engine, holder, now, now + dt.timedelta(seconds=time_limit) + MARGIN)
    try:
        yield
    finally:
        _free_row(engine, holder)


def round_running(sessions: SessionFactory, now: dt.datetime) -> bool:
    """Whether a live holder has the round lock now (read only: nothing is claimed)."""
    engine = engine_of(sessions)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return bool(
                connection.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                        "AND granted AND database = (SELECT oid FROM pg_database "
                        "WHERE datname = current_database()) "
                        "AND classid::text::bigint = 0 AND objid::text::bigint = :key "
                        "AND objsubid = 1)"
                    ),
                    {"key": ADVISORY_KEY},
                ).scalar_one()
            )
        row = connection.execute(
            select(col(PlanLock.holder), col(PlanLock.stale_at)).where(
                col(PlanLock.name) == LOCK_NAME
            )
        ).first()
    if row is None or row.holder is None or owner_gone(row.holder):
        return False
    return row.stale_at is None or row.stale_at >= now


@contextmanager
def _advisory(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        taken = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar_one()
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


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)  # SQLite keeps naive UTC


def _claim_row(engine: Engine, holder: str, now: dt.datetime, stale_at: dt.datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("INSERT OR IGNORE INTO plan_lock (name) VALUES (:name)"), {"name": LOCK_NAME}
        )
        current = connection.execute(
            text("SELECT holder FROM plan_lock WHERE name = :name"), {"name": LOCK_NAME}
        ).scalar_one()
        claimed = connection.execute(
            text(
                "UPDATE plan_lock SET holder = :holder, claimed_at = :now, "
                "stale_at = :stale_at WHERE name = :name AND (holder IS NULL "
                "OR stale_at < :now OR holder = :gone)"
            ),
            {
                "holder": holder,
                "now": _naive(now),
                "stale_at": _naive(stale_at),
                "name": LOCK_NAME,
                "gone": current if owner_gone(current) else None,
            },
        )
    if claimed.rowcount != 1:
        raise ReplanBusy()


def _free_row(engine: Engine, holder: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE plan_lock SET holder = NULL, claimed_at = NULL, "
                "stale_at = NULL WHERE name = :name AND holder = :holder"
            ),
            {"name": LOCK_NAME, "holder": holder},
        )
