"""A write answered once per idempotency key: a retry gets the first answer again.

``answer_once`` runs the write in one database transaction that first claims the key
(a row unique per user and key), then does the write, then stores its answer. The
write's own services open their transactions as always; here those join the outer one
(each becomes a savepoint), so the booking and the key's answer commit together or not
at all. A twin request with the same key waits on the unique index until the first
commits (PostgreSQL; on SQLite every writer waits for the write lock), then finds the
key taken and answers the stored answer: two requests, one write.

A write that fails (a clash, bad input) leaves nothing behind, its key included, so a
retry runs it afresh. Keys are kept for ``KEY_LIFETIME``; an older one is forgotten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import IdempotencyKeyReused, InvalidState
from envsched.models import IdempotencyKey

KEY_LIFETIME = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Answer:
    """What a write answered: an HTTP-like status and a JSON-ready body."""

    status: int
    body: Any


@dataclass(frozen=True)
class Claim:
    """Who sends which key with which request (``request_hash``), and when."""

    user_id: int
    key: str
    request_hash: str
    now: dt.datetime


class _KeyTaken(Exception):
    """A twin request committed the key first."""


def answer_once(
    sessions: SessionFactory, claim: Claim, write: Callable[[SessionFactory], Answer]
) -> Answer:
    """``write``'s answer, run at most once per user and key: a retry gets the stored one.

    ``write`` must do all its database work through the session factory it is given.
    Raises ``IdempotencyKeyReused`` when the key answered a different request.
    """
    stored = stored_answer(sessions, claim)
    if stored is not None:
        return stored
    engine = sessions.kw["bind"]
    try:
        with engine.begin() as connection:
            _claim(connection, claim)
            answer = write(_joined(connection))
            connection.execute(
                update(IdempotencyKey)
                .where(*_of(claim))
                .values(status=answer.status, answer=answer.body)
            )
        return answer
    except _KeyTaken:
        pass
    stored = stored_answer(sessions, claim)
    if stored is None:  # the twin's row expired in between: only with a clock far off
        raise InvalidState("the idempotency key was taken and released at once; retry")
    return stored


def stored_answer(sessions: SessionFactory, claim: Claim) -> Answer | None:
    """The stored answer of ``claim``'s key, None when there is none (or it expired)."""
    with read_transaction(sessions) as session:
        row = session.exec(
            select(IdempotencyKey).where(
                *_of(claim), col(IdempotencyKey.created_at) > claim.now - KEY_LIFETIME
            )
        ).first()
    if row is None:
        return None
    if row.request_hash != claim.request_hash:
        raise IdempotencyKeyReused()
    assert row.status is not None  # stored in the transaction that made the row
    return Answer(row.status, row.answer)


def _claim(connection: Connection, claim: Claim) -> None:
    """Forget expired keys, then insert this one; a twin's insert waits here for ours."""
    connection.execute(
        delete(IdempotencyKey).where(col(IdempotencyKey.created_at) <= claim.now - KEY_LIFETIME)
    )
    try:
        connection.execute(
            insert(IdempotencyKey).values(
                user_id=claim.user_id,
                key=claim.key,
                request_hash=claim.request_hash,
                created_at=claim.now,
            )
        )
    except IntegrityError as exc:
        if "unique" not in str(exc.orig).lower():
            raise
        raise _KeyTaken from exc


def _joined(connection: Connection) -> SessionFactory:
    """Sessions inside ``connection``'s transaction: their commits are savepoints."""
    return sessionmaker(
        bind=connection,
        class_=Session,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


def _of(claim: Claim) -> tuple[Any, ...]:
    return (col(IdempotencyKey.user_id) == claim.user_id, col(IdempotencyKey.key) == claim.key)
