"""Users, their roles, API tokens (stored hashed) and the audit log."""

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, enum_type, utc_datetime_field

ADDRESS_LENGTH = 64  # an IPv6 address with a zone fits


class Role(enum.StrEnum):
    ADMIN = "admin"
    ENVIRONMENT_MANAGER = "environment_manager"
    TEST_MANAGER = "test_manager"
    RELEASE_MANAGER = "release_manager"
    PLANNER = "planner"
    VIEWER = "viewer"


class UserBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, unique=True)
    full_name: str = Field(default="", max_length=NAME_LENGTH * 2)
    email: str = Field(default="", max_length=NAME_LENGTH * 4)
    role: Role = Field(default=Role.VIEWER, sa_type=enum_type(Role, "role"))
    active: bool = True


class User(UserBase, table=True):
    """Someone who signs in; ``password_hash`` is None for token-only (robot) users.

    ``session_version`` is copied into a session at sign-in and compared on every
    request: changing it (sign-out, a new password, deactivation, a new role) ends every
    session of the user at once, including copies of their cookie.
    """

    __tablename__ = "app_user"  # "user" is a reserved word in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str | None = Field(default=None, max_length=256)
    created_at: dt.datetime = utc_datetime_field()
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # the team whose quotas the user's bookings count against (None: no team, no quota)
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")


class ApiToken(SQLModel, table=True):
    """A bearer token; only the SHA-256 of the secret is stored, never the secret."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    name: str = Field(default="", max_length=NAME_LENGTH)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = utc_datetime_field()
    last_used_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    expires_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    revoked_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)


class SignInFailure(SQLModel, table=True):
    """A failed sign-in: the user name tried (known or not), from which address, when.

    The table is the one store every web process shares, so the sign-in throttle holds
    across processes; rows older than the throttle's window are deleted as new ones come.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_user_name_at", "user_name", "at"),
        Index("ix_sign_in_failure_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = utc_datetime_field(index=True)
    user_name: str = Field(max_length=NAME_LENGTH)
    address: str = Field(max_length=ADDRESS_LENGTH)


class AuditEntry(SQLModel, table=True):
    """One change: who did ``action`` to ``entity`` ``entity_id`` when, before and after.

    ``actor`` keeps the user's name as it was, so the log still reads after a user is
    removed (``user_id`` then becomes NULL). ``None`` before means "created", ``None``
    after means "deleted".
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = utc_datetime_field(index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    actor: str = Field(default="system", max_length=NAME_LENGTH)
    entity: str = Field(max_length=NAME_LENGTH)
    entity_id: str = Field(max_length=NAME_LENGTH)
    action: str = Field(max_length=NAME_LENGTH)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
