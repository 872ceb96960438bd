"""Idempotency keys: the stored answer of a write made with an ``Idempotency-Key`` header.

One row per user and key (a unique constraint, so two requests racing with the same key
cannot both write): the first request's answer, kept so that a retry after a lost
answer gets it again instead of writing twice. ``request_hash`` tells a retry from a
different request that reuses the key.
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from envsched.models.base import utc_datetime_field

KEY_LENGTH = 255


class IdempotencyKey(SQLModel, table=True):
    """``status`` and ``answer`` are written in the transaction of the write they answer,
    so no other request ever sees them empty."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE")
    key: str = Field(max_length=KEY_LENGTH)
    request_hash: str = Field(max_length=64)  # SHA-256 of method, path, query and body
    status: int | None = None
    answer: Any = Field(default=None, sa_type=JSON(none_as_null=True), nullable=True)
    created_at: dt.datetime = utc_datetime_field(index=True)
