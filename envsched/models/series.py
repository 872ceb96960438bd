"""Booking series: a booking that repeats (every Tuesday's regression run).

A ``BookingSeries`` says how it repeats: ``weekly`` on some weekdays every ``every``
weeks, or every ``every`` days; each occurrence ``length_days`` long, from
``first_day`` until a last start day (``until``) or a number of ``times``. Each
occurrence is a row of ``SeriesOccurrence``: the days planned, and either the booking it
became (an ordinary booking, checked by the rulebook like any other) or the rule that
refused it, in words.
"""

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from envsched.models.base import TEXT_LENGTH, enum_type, json_list, utc_datetime_field
from envsched.models.bookings import Booking
from envsched.models.environments import Environment
from envsched.models.releases import Phase


class Repeat(enum.StrEnum):
    WEEKLY = "weekly"
    DAYS = "days"


class BookingSeries(SQLModel, table=True):
    __tablename__ = "booking_series"
    __table_args__ = (
        CheckConstraint("every >= 1", name="every_positive"),
        CheckConstraint("length_days >= 1", name="length_positive"),
        CheckConstraint("until IS NOT NULL OR times IS NOT NULL", name="until_or_times"),
    )

    id: int | None = Field(default=None, primary_key=True)
    environment_id: int = Field(foreign_key="environment.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id")
    repeat: Repeat = Field(sa_type=enum_type(Repeat, "repeat"))
    every: int = 1  # weeks (weekly) or days (days) between runs
    weekdays: list[int] = Field(default_factory=list, sa_type=json_list())  # 0 is Monday
    first_day: dt.date
    length_days: int
    until: dt.date | None = None
    times: int | None = None
    pinned: bool = False
    note: str = Field(default="", max_length=TEXT_LENGTH)
    created_at: dt.datetime = utc_datetime_field()
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")

    environment: Environment = Relationship()
    phase: Phase | None = Relationship()
    occurrences: list["SeriesOccurrence"] = Relationship(
        back_populates="series",
        sa_relationship_kwargs={"order_by": "SeriesOccurrence.start"},
    )


class SeriesOccurrence(SQLModel, table=True):
    """One planned run of a series: booked (``booking_id``) or refused (``rule``, ``reason``)."""

    __tablename__ = "series_occurrence"
    __table_args__ = (
        CheckConstraint('start < "end"', name="start_before_end"),
        UniqueConstraint("series_id", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="booking_series.id", index=True)
    start: dt.date
    end: dt.date
    booking_id: int | None = Field(default=None, foreign_key="booking.id", unique=True)
    rule: str = Field(default="", max_length=24)  # the rule that refused it ("": booked)
    reason: str = Field(default="", max_length=TEXT_LENGTH)

    series: BookingSeries = Relationship(back_populates="occurrences")
    booking: Booking | None = Relationship()
