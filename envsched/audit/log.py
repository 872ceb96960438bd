"""The audit log: every service that changes something records who, when, what, before, after.

``record`` adds the entry to the caller's session, so it commits (or rolls back) with
the change it describes: the log never claims a change that did not happen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from envsched import notify
from envsched.actors import SYSTEM_ACTOR
from envsched.db import SessionFactory, read_transaction
from envsched.models import AuditEntry, User


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """The row's columns as JSON-ready values (dates as ISO strings)."""
    return None if row is None else row.model_dump(mode="json")


def record(
    session: Session,
    *,
    actor: User | None,
    now: dt.datetime,
    action: str,
    row: SQLModel,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    by: str | None = None,
) -> AuditEntry:
    """Log ``action`` on ``row``; ``after`` defaults to the row as it is now.

    ``by`` names what acted when it was not a person's own doing, as people say it (the
    nightly round, the waitlist, a plan Erin accepted); it is the entry's actor then,
    and ``actor`` (if any) the person on whose behalf it acted.

    Flushes first, so a new row already has its id. A ``"delete"`` stores no after:
    pass the snapshot taken before deleting as ``before``. An entry that makes an event
    (``notify.events``) also tells whom it concerns, in the app, in the same transaction.
    """
    session.flush()
    entry = AuditEntry(
        at=now,
        user_id=actor.id if actor else None,
        actor=by or (actor.name if actor else SYSTEM_ACTOR),
        entity=_entity_name(row),
        entity_id=str(getattr(row, "id", "")),
        action=action,
        before=before,
        after=None if action == "delete" else (after if after is not None else snapshot(row)),
    )
    session.add(entry)
    notify.tell_in_app(session, entry)
    return entry


def _entity_name(row: SQLModel) -> str:
    table = getattr(type(row), "__tablename__", None)
    return str(table) if table else type(row).__name__.lower()


def history(sessions: SessionFactory, entity: str, entity_id: object) -> list[AuditEntry]:
    """Every entry about one row, oldest first."""
    with read_transaction(sessions) as session:
        query = (
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
        return list(session.exec(query).all())


def recent(sessions: SessionFactory, limit: int = 100) -> list[AuditEntry]:
    """The latest ``limit`` entries, newest first."""
    with read_transaction(sessions) as session:
        query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
        return list(session.exec(query).all())
