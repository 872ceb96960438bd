"""What envsched tells people, and how far it has got: the delivery queue and its log.

* ``Delivery`` — one message to one target (a mail address or a webhook URL), queued in
  the same transaction as what caused it and sent later by a sender that claims it
  (``claimed_by`` / ``claimed_until``). It is ``pending`` until it is ``delivered`` or,
  still failing at its ``expires_at``, ``expired``. ``uid`` is its public id, the
  ``X-Envsched-Delivery`` header of every attempt, so receivers can refuse a replay.
* ``NotificationDelivery`` — the log: one row per attempt, how it went. (The table keeps
  its first name, from before the queue existed.)
* ``NotificationCursor`` — how far a reader of the audit log has got.
"""

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH, enum_type, utc_datetime_field

UID_LENGTH = 36  # a UUID in its text form


class DeliveryChannel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"  # an attempt succeeded: never sent again
    EXPIRED = "expired"  # still failing when its max age ran out: given up


class Delivery(SQLModel, table=True):
    """One queued message to one target, with where its attempts stand."""

    __tablename__ = "delivery"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("created_at <= expires_at", name="created_before_expiry"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=UID_LENGTH, unique=True)
    channel: DeliveryChannel = Field(sa_type=enum_type(DeliveryChannel, "channel"))
    target: str = Field(max_length=TEXT_LENGTH)
    event: str = Field(max_length=NAME_LENGTH)
    subject: str = Field(default="", max_length=TEXT_LENGTH)
    text: str = Field(default="", sa_type=Text)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING, sa_type=enum_type(DeliveryStatus, "status")
    )
    created_at: dt.datetime = utc_datetime_field()
    next_attempt_at: dt.datetime = utc_datetime_field()
    expires_at: dt.datetime = utc_datetime_field()
    attempts: int = 0
    last_attempt_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    last_status_code: int | None = None
    last_error: str = Field(default="", max_length=TEXT_LENGTH)
    delivered_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    # the sender working on it, until when (a sender that died frees it by time)
    claimed_by: str | None = Field(default=None, max_length=NAME_LENGTH * 2)
    claimed_until: dt.datetime | None = utc_datetime_field(nullable=True, default=None)


class NotificationDelivery(SQLModel, table=True):
    """One attempt to deliver one queued message: what, to whom, and how it went."""

    __tablename__ = "notification_delivery"
    __table_args__ = (CheckConstraint("attempt >= 1", name="attempt_at_least_one"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int | None = Field(
        default=None, foreign_key="delivery.id", ondelete="CASCADE", index=True
    )
    at: dt.datetime = utc_datetime_field(index=True)
    channel: DeliveryChannel = Field(sa_type=enum_type(DeliveryChannel, "channel"))
    target: str = Field(max_length=TEXT_LENGTH)
    event: str = Field(max_length=NAME_LENGTH)
    attempt: int = 1
    ok: bool = False
    status_code: int | None = None
    error: str = Field(default="", max_length=TEXT_LENGTH)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class NotificationCursor(SQLModel, table=True):
    """How far a reader of the audit log has got: the last entry id it has handled."""

    __tablename__ = "notification_cursor"

    name: str = Field(primary_key=True, max_length=NAME_LENGTH)
    last_id: int = 0
