"""Column types and conventions shared by every table.

* Constraint names come from one naming convention, so migrations and error
  messages can refer to them (``ck_booking_start_before_end``).
* Datetimes are stored and returned as aware UTC; a naive datetime is refused
  rather than guessed at.
* Enumerations are stored as short strings guarded by a named CHECK constraint
  (portable across SQLite and PostgreSQL, no native enum types to migrate).
* Lists (tags, type names, phase keys) are JSON arrays; ``None`` is SQL NULL.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

NAME_LENGTH = 64
TEXT_LENGTH = 2000


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime in and out; SQLite keeps it as naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware (UTC) datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_type(enum_class: type[enum.Enum], name: str) -> SAEnum:
    """A VARCHAR holding the enum's *values*, with CHECK constraint ``ck_<table>_<name>``."""
    return SAEnum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def json_list(nullable: bool = False) -> JSON:
    """A JSON array column; with ``nullable`` Python ``None`` is stored as SQL NULL."""
    return JSON(none_as_null=nullable)


def utc_datetime_field(nullable: bool = False, **kwargs: Any) -> Any:
    """A ``Field`` for an aware UTC datetime column."""
    return Field(sa_type=UTCDateTime, nullable=nullable, **kwargs)
