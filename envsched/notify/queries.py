"""Reads of the delivery queue: for admins (what failed) and for tests and the CLI."""

from __future__ import annotations

from sqlmodel import col, or_, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import Delivery, DeliveryStatus, NotificationDelivery


def queued(sessions: SessionFactory) -> list[Delivery]:
    """Every delivery, oldest first."""
    with read_transaction(sessions) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())


def failed_deliveries(sessions: SessionFactory, limit: int = 200) -> list[Delivery]:
    """Expired deliveries and pending ones that have failed at least once, newest first."""
    with read_transaction(sessions) as session:
        failing = or_(
            col(Delivery.status) == DeliveryStatus.EXPIRED,
            (col(Delivery.status) == DeliveryStatus.PENDING) & (col(Delivery.attempts) > 0),
        )
        query = select(Delivery).where(failing).order_by(col(Delivery.id).desc()).limit(limit)
        return list(session.exec(query).all())


def attempts_of(
    sessions: SessionFactory, delivery_id: int | None = None
) -> list[NotificationDelivery]:
    """Logged attempts (of one delivery, or of all), oldest first."""
    with read_transaction(sessions) as session:
        query = select(NotificationDelivery).order_by(col(NotificationDelivery.id))
        if delivery_id is not None:
            query = query.where(col(NotificationDelivery.delivery_id) == delivery_id)
        return list(session.exec(query).all())
