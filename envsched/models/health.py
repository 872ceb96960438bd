"""Whether an environment answers: its health URL, what the last probes found, and the
history of its ups and downs.

* ``EnvironmentHealth`` — one row per environment that has a health URL: the state it is
  in (``unknown`` until the first probe, then ``up`` or ``down``) and ``since`` when, the
  last probe in words, and, while an outage is flagged, when it was and which bookings'
  bookers were told (so they are told again, once, when it is back up).
* ``HealthChange`` — one row per change of state: when, up or down, the HTTP status or
  the error in words. Kept bounded per environment (``envsched.health``).
"""

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from envsched.models.base import TEXT_LENGTH, enum_type, json_list, utc_datetime_field


class HealthState(enum.StrEnum):
    UNKNOWN = "unknown"  # not probed since its URL was set
    UP = "up"
    DOWN = "down"


class EnvironmentHealth(SQLModel, table=True):
    """The health check of one environment and where it stands."""

    __tablename__ = "environment_health"
    __table_args__ = (
        CheckConstraint("status_code IS NULL OR status_code >= 100", name="status_code_http"),
        CheckConstraint(
            "worker_interval_seconds IS NULL OR worker_interval_seconds >= 1",
            name="worker_interval_positive",
        ),
        CheckConstraint(
            "worker_down_minutes IS NULL OR worker_down_minutes >= 0",
            name="worker_down_minutes_not_negative",
        ),
    )

    environment_id: int = Field(primary_key=True, foreign_key="environment.id", ondelete="CASCADE")
    url: str = Field(max_length=TEXT_LENGTH)
    state: HealthState = Field(default=HealthState.UNKNOWN, sa_type=enum_type(HealthState, "state"))
    since: dt.datetime = utc_datetime_field()  # when ``state`` began (or the URL was set)
    checked_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    status_code: int | None = None  # of the last probe that got an answer
    detail: str = Field(default="", max_length=TEXT_LENGTH)  # the last probe, in words
    flagged_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    told: list[int] = Field(default_factory=list, sa_type=json_list())  # booking ids
    # the worker's ENVSCHED_HEALTH_INTERVAL_SECONDS / _DOWN_MINUTES at its last probe
    worker_interval_seconds: int | None = None
    worker_down_minutes: int | None = None


class HealthChange(SQLModel, table=True):
    """One change of an environment's health: ``state`` from ``at`` on."""

    __tablename__ = "health_change"
    __table_args__ = (
        Index("ix_health_change_environment_at", "environment_id", "at"),
        CheckConstraint("status_code IS NULL OR status_code >= 100", name="status_code_http"),
    )

    id: int | None = Field(default=None, primary_key=True)
    environment_id: int = Field(foreign_key="environment.id", ondelete="CASCADE")
    at: dt.datetime = utc_datetime_field()
    state: HealthState = Field(sa_type=enum_type(HealthState, "state"))
    status_code: int | None = None
    detail: str = Field(default="", max_length=TEXT_LENGTH)
