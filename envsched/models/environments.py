"""Environments and what makes them unavailable: types, components, windows, freezes.

Environments are addressed by their unique ``name`` (``UAT-1``) everywhere outside
the database; ``id`` is only the key rows join on.
"""

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from envsched.models.base import (
    NAME_LENGTH,
    TEXT_LENGTH,
    enum_type,
    json_list,
    utc_datetime_field,
)
from envsched.models.limits import INT_MAX, MAX_DAYS, NAME_PATTERN, Tag

if TYPE_CHECKING:
    from envsched.models.bookings import Booking


class EnvironmentStatus(enum.StrEnum):
    AVAILABLE = "available"
    MAINTENANCE = "maintenance"
    DOWN = "down"
    RETIRED = "retired"


class EnvironmentType(SQLModel, table=True):
    """A kind of environment a phase asks for: ``SIT``, ``UAT``, ``PERF``, ``STAGING``."""

    __tablename__ = "environment_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_LENGTH, unique=True)
    description: str = Field(default="", max_length=TEXT_LENGTH)
    # a booking of this type not checked in within ENVSCHED_CHECKIN_HOURS of its start is
    # released by the worker (booking.checkin)
    checkin_required: bool = False
    # when check-in was last switched on (None: off, or on since before it was recorded);
    # no booking's check-in deadline comes sooner than ENVSCHED_CHECKIN_HOURS after it
    checkin_since: dt.datetime | None = utc_datetime_field(nullable=True, default=None)

    environments: list["Environment"] = Relationship(back_populates="type")


class EnvironmentBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=NAME_LENGTH, unique=True, schema_extra={"pattern": NAME_PATTERN}
    )
    capacity: int = Field(default=1, ge=1, le=INT_MAX)
    tags: list[Tag] = Field(default_factory=list, sa_type=json_list())
    changeover_days: int = Field(default=0, ge=0, le=MAX_DAYS)
    status: EnvironmentStatus = Field(
        default=EnvironmentStatus.AVAILABLE, sa_type=enum_type(EnvironmentStatus, "status")
    )
    owner: str = Field(default="", max_length=NAME_LENGTH)
    description: str = Field(default="", max_length=TEXT_LENGTH)


class Environment(EnvironmentBase, table=True):
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_at_least_one"),
        CheckConstraint("changeover_days >= 0", name="changeover_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    type_id: int = Field(foreign_key="environment_type.id", index=True)

    type: EnvironmentType = Relationship(back_populates="environments")
    components: list["Component"] = Relationship(
        back_populates="environment",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Component.name"},
    )
    maintenance_windows: list["MaintenanceWindow"] = Relationship(
        back_populates="environment",
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "order_by": "MaintenanceWindow.start",
        },
    )
    bookings: list["Booking"] = Relationship(back_populates="environment")


class Component(SQLModel, table=True):
    """A deployed component of an environment and its version (``payments-api 4.2.1``)."""

    __table_args__ = (UniqueConstraint("environment_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    environment_id: int = Field(foreign_key="environment.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=NAME_LENGTH)
    version: str = Field(default="", max_length=NAME_LENGTH)

    environment: Environment = Relationship(back_populates="components")


class MaintenanceWindow(SQLModel, table=True):
    """Days ``[start, end)`` an environment takes no booking (patching, refresh)."""

    __tablename__ = "maintenance_window"
    __table_args__ = (CheckConstraint('start < "end"', name="start_before_end"),)

    id: int | None = Field(default=None, primary_key=True)
    environment_id: int = Field(foreign_key="environment.id", ondelete="CASCADE", index=True)
    start: dt.date
    end: dt.date
    reason: str = Field(default="", max_length=TEXT_LENGTH)

    environment: Environment = Relationship(back_populates="maintenance_windows")


class Freeze(SQLModel, table=True):
    """A change freeze on days ``[start, end)``; empty ``types`` covers every type."""

    __table_args__ = (CheckConstraint('start < "end"', name="start_before_end"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=NAME_LENGTH)
    start: dt.date
    end: dt.date
    types: list[str] = Field(default_factory=list, sa_type=json_list())
    reason: str = Field(default="", max_length=TEXT_LENGTH)

    def covers(self, type_name: str) -> bool:
        return not self.types or type_name in self.types
