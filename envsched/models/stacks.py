"""Stacks: environments booked together (``UAT-3`` = the UAT-3 application and its
database). An environment belongs to at most one stack; a stack booking is one booking
per member for the same days, made in one transaction, tied together here."""

import datetime as dt

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH, utc_datetime_field
from envsched.models.limits import NAME_PATTERN


class StackBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=NAME_LENGTH, unique=True, schema_extra={"pattern": NAME_PATTERN}
    )
    description: str = Field(default="", max_length=TEXT_LENGTH)


class Stack(StackBase, table=True):
    __tablename__ = "environment_stack"

    id: int | None = Field(default=None, primary_key=True)


class StackMember(SQLModel, table=True):
    """One environment of a stack; ``environment_id`` is unique: one stack per environment."""

    __tablename__ = "stack_member"

    id: int | None = Field(default=None, primary_key=True)
    stack_id: int = Field(foreign_key="environment_stack.id", ondelete="CASCADE", index=True)
    environment_id: int = Field(foreign_key="environment.id", ondelete="CASCADE", unique=True)


class StackBooking(SQLModel, table=True):
    """The booking of a whole stack: its member bookings are ``StackBookingPart`` rows."""

    __tablename__ = "stack_booking"
    __table_args__ = (CheckConstraint('start < "end"', name="start_before_end"),)

    id: int | None = Field(default=None, primary_key=True)
    stack_id: int = Field(foreign_key="environment_stack.id", ondelete="CASCADE", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id", index=True)
    start: dt.date
    end: dt.date
    note: str = Field(default="", max_length=TEXT_LENGTH)
    created_at: dt.datetime = utc_datetime_field()
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class StackBookingPart(SQLModel, table=True):
    """One member's booking of a stack booking (a booking is part of at most one)."""

    __tablename__ = "stack_booking_part"

    id: int | None = Field(default=None, primary_key=True)
    stack_booking_id: int = Field(foreign_key="stack_booking.id", ondelete="CASCADE", index=True)
    booking_id: int = Field(foreign_key="booking.id", ondelete="CASCADE", unique=True)
