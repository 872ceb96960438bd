"""The in-app channel: notifications a person reads in the app, and marking them read.

``deliver`` adds one inside the caller's transaction: ``notify.events.tell_in_app`` calls
it as the audit entry it tells of is recorded, so a notification commits (or rolls back)
with the change it is about. A person reads and marks only their own notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import NotFound, PermissionDenied
from envsched.models import Notification, User

LATEST = 50


@dataclass(frozen=True)
class NotificationRow:
    """A notification as the pages show it: its words and what it is about."""

    id: int
    at: dt.datetime
    event: str
    text: str
    entity: str  # "booking_request" or "booking", as the audit log names them
    entity_id: int
    read: bool


def deliver(
    session: Session,
    user_id: int,
    *,
    event: str,
    text: str,
    entity: str,
    entity_id: str,
    now: dt.datetime,
    topic: str | None = None,
) -> Notification:
    """Tell ``user_id`` of ``event`` (inside the caller's transaction); ``topic`` keys what
    is told where it must be told once (``told``)."""
    notification = Notification(
        user_id=user_id,
        at=now,
        event=event,
        text=text[:2000],
        entity=entity,
        entity_id=entity_id,
        topic=topic,
    )
    session.add(notification)
    return notification


def told(
    session: Session, user_id: int, *, event: str, entity: str, entity_id: str, topic: str
) -> bool:
    """Whether ``user_id`` was already told ``topic`` of ``event`` about that entity."""
    return (
        session.exec(
            select(Notification.id).where(
                Notification.user_id == user_id,
                Notification.event == event,
                Notification.entity == entity,
                Notification.entity_id == entity_id,
                Notification.topic == topic,
            )
        ).first()
        is not None
    )


def unread_count(sessions: SessionFactory, user: User | None) -> int:
    if user is None or user.id is None:
        return 0
    with read_transaction(sessions) as session:
        return session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, col(Notification.read_at).is_(None))
        ).one()


def notifications(
    sessions: SessionFactory, user: User, *, unread_only: bool = False, limit: int = LATEST
) -> list[NotificationRow]:
    """``user``'s latest notifications, newest first."""
    query = select(Notification).where(Notification.user_id == _own(user))
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    query = query.order_by(col(Notification.id).desc()).limit(limit)
    with read_transaction(sessions) as session:
        return [_row(n) for n in session.exec(query).all()]


def _row(found: Notification) -> NotificationRow:
    return NotificationRow(
        found.id or 0,
        found.at,
        found.event,
        found.text,
        found.entity,
        int(found.entity_id),
        found.read_at is not None,
    )


def mark_read(
    sessions: SessionFactory,
    user: User | None,
    *,
    now: dt.datetime,
    notification_id: int | None = None,
) -> int:
    """Mark ``notification_id`` (without it: every unread one) of ``user`` read; returns
    how many were unread. Another person's notification is not found."""
    owner = _own(user)
    query = update(Notification).where(
        col(Notification.user_id) == owner, col(Notification.read_at).is_(None)
    )
    with sessions.begin() as session:
        if notification_id is not None:
            found = session.get(Notification, notification_id)
            if found is None or found.user_id != owner:
                raise NotFound("notification", notification_id)
            query = query.where(col(Notification.id) == notification_id)
        return session.exec(query.values(read_at=now)).rowcount


def _own(user: User | None) -> int:
    if user is None or user.id is None:
        raise PermissionDenied("sign in to read your notifications")
    return user.id


def mark_past_read(sessions: SessionFactory, *, before: dt.datetime) -> int:
    """Mark every notification told before ``before`` read when it was told: a history
    replayed after the fact (the demo's past year) was read as it happened."""
    with sessions.begin() as session:
        return session.exec(
            update(Notification)
            .where(col(Notification.at) < before, col(Notification.read_at).is_(None))
            .values(read_at=Notification.at)
        ).rowcount
