"""In-app notifications: what happened to a person's requests and bookings, to read in the
app (the header counts the unread ones). Filled by ``notify.events`` from the same audit
events that send mail and webhooks."""

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH, utc_datetime_field


class Notification(SQLModel, table=True):
    """One event told to ``user_id``: its words, and the request or booking it is about
    (``entity`` and ``entity_id`` as the audit log names them). Unread while ``read_at``
    is None."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE")
    at: dt.datetime = utc_datetime_field()
    event: str = Field(max_length=NAME_LENGTH)
    text: str = Field(max_length=TEXT_LENGTH)
    entity: str = Field(max_length=NAME_LENGTH)
    entity_id: str = Field(max_length=NAME_LENGTH)
    # what it tells, as a key, where one thing is told once (a round's refusal: its days)
    topic: str | None = Field(default=None, max_length=NAME_LENGTH)
    read_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
