"""What the booking features take and give: booking requests, bookings, free slots and
clashes. ``…In`` comes in (validated once, at the edge), ``…Out`` goes out."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from envsched.booking.clashes import ClashKind
from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.bookings import (
    BookingBase,
    BookingRequestBase,
    BookingStatus,
    RequestStatus,
)
from envsched.models.limits import Day, Input

# -- booking requests ---------------------------------------------------------------------


class BookingRequestIn(BookingRequestBase):
    """Input: the phase by key, the type by name; one of ``type``/``environments`` needed."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    phase: str | None = Field(default=None, max_length=NAME_LENGTH)
    type: str | None = Field(default=None, max_length=NAME_LENGTH)


class BookingRequestOut(BookingRequestBase):
    id: int
    requester: str
    phase: str | None
    type: str | None
    status: RequestStatus
    decision_reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


# -- bookings -----------------------------------------------------------------------------


class BookingIn(BookingBase):
    """A direct booking, as the API takes it: environment by name, phase by key."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    environment: str = Field(min_length=1, max_length=NAME_LENGTH)
    phase: str | None = Field(default=None, max_length=NAME_LENGTH)
    status: BookingStatus = BookingStatus.CONFIRMED
    # an environment manager's reason to place it although it breaks a rule of its phase
    force_reason: str | None = Field(default=None, max_length=TEXT_LENGTH)


class BookingOut(BookingBase):
    id: int
    environment: str
    phase: str | None
    request_id: int | None
    status: BookingStatus
    forced_reason: str = ""
    release: str | None = None
    created_at: dt.datetime


# -- decisions on requests and bookings ---------------------------------------------------


class ApproveIn(Input):
    """No environment: the earliest suggested slot. An environment without start: its
    earliest free days for the request."""

    environment: str | None = Field(default=None, min_length=1)
    start: Day | None = None
    force_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="an environment manager's reason to book the chosen days although they "
        "break a rule of the phase (the booking is then a clash)",
    )


class RejectIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class ReasonIn(Input):
    reason: str = Field(default="", max_length=2000)


class ReleaseEarlyIn(Input):
    on: Day | None = Field(default=None, description="first day given back (default today)")


class MoveIn(Input):
    """Where a booking goes; it keeps its length, so its new end follows from ``start``."""

    environment: str = Field(
        min_length=1, max_length=64, description="the environment it moves to (may be its own)"
    )
    start: Day = Field(description="its new first day")
    force_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="an environment manager's reason to move it even if it breaks a rule of "
        "its phase (it is then listed as a clash)",
    )


# -- free slots and clashes ---------------------------------------------------------------


class SlotOut(BaseModel):
    environment: str
    start: dt.date
    end: dt.date


class ClashOut(BaseModel):
    kind: ClashKind
    message: str
    start: dt.date
    end: dt.date
    environment: str | None
    release: str | None
    phase: str | None
    booking_ids: list[int]


# -- stack bookings (issue 16) ------------------------------------------------------------


class StackBookingIn(BaseModel):
    """Book every environment of a stack for the same days ``[start, end)``, or none."""

    model_config = ConfigDict(extra="forbid")

    start: Day
    end: Day
    phase: str | None = Field(default=None, max_length=NAME_LENGTH)
    note: str = Field(default="", max_length=TEXT_LENGTH)


class StackPartOut(BaseModel):
    booking: int
    environment: str


class StackBookingOut(BaseModel):
    id: int
    stack: str
    start: dt.date
    end: dt.date
    phase: str | None
    note: str
    bookings: list[StackPartOut]
