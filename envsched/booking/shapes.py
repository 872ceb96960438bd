"""What the booking features take and give: booking requests, bookings, free slots and
clashes. ``…In`` comes in (validated once, at the edge), ``…Out`` goes out."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from envsched.booking.clashes import ClashKind
from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.bookings import (
    BookingBase,
    BookingRequestBase,
    BookingStatus,
    RequestStatus,
)
from envsched.models.limits import INT_MAX, MAX_DAYS, Day, Flag, Input

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
    checked_in_at: dt.datetime | None = Field(
        default=None, description="when its owner checked it in (None: not checked in)"
    )


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
    quota_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="an environment manager's reason to approve although the request takes "
        "its requester's team past its monthly quota of the type (recorded on the request)",
    )


class RejectIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class ReasonIn(Input):
    reason: str = Field(default="", max_length=2000)


class ReleaseEarlyIn(Input):
    on: Day | None = Field(
        default=None, description="first day given back (default tomorrow: today is kept)"
    )


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


# -- booking series (issue 16) ------------------------------------------------------------

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MAX_RUNS = 200  # occurrences in one series


class SeriesIn(Input):
    """A booking that repeats: ``weekly`` on ``weekdays`` every ``interval`` weeks, or every
    ``interval`` days (``repeat: days``); each run ``length_days`` long, from ``start``
    until the last start day ``until`` or for ``times`` runs (one of the two)."""

    environment: str = Field(min_length=1, max_length=NAME_LENGTH)
    phase: str | None = Field(
        default=None,
        max_length=NAME_LENGTH,
        description="a phase holds one live booking, so a series for a phase books only "
        "its first free run (the rest are refused by 'one booking per phase')",
    )
    repeat: Literal["weekly", "days"]
    interval: int = Field(default=1, ge=1, le=MAX_DAYS, description="weeks or days between runs")
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)
    start: Day = Field(description="the first day a run may start")
    length_days: int = Field(ge=1, le=MAX_DAYS, description="days each run holds")
    until: Day | None = Field(default=None, description="the last day a run may start")
    times: int | None = Field(default=None, ge=1, le=MAX_RUNS, description="how many runs")
    pinned: Flag = False
    note: str = Field(default="", max_length=TEXT_LENGTH)


class OccurrenceOut(BaseModel):
    id: int
    start: dt.date
    end: dt.date
    state: str = Field(description="refused, or its booking's status")
    booking_id: int | None
    rule: str = Field(description="the rule that refused it ('' when booked)")
    reason: str = Field(description="why it was refused, in words ('' when booked)")


class SeriesOut(BaseModel):
    id: int
    environment: str
    phase: str | None
    release: str | None
    repeat: str
    interval: int
    weekdays: list[str]
    start: dt.date
    length_days: int
    until: dt.date | None
    times: int | None
    pinned: bool
    note: str
    rrule: str = Field(description="the iCalendar RRULE of the runs planned")
    repeats: str = Field(description="how it repeats, in words")
    created_at: dt.datetime
    occurrences: list[OccurrenceOut]


class SeriesCancelIn(Input):
    rest: Flag = Field(default=False, description="also every later run of the series")
    reason: str = Field(default="", max_length=TEXT_LENGTH)


class RunOut(BaseModel):
    """A run as a preview shows it: would it be booked, and if not, the rule and why."""

    start: dt.date
    end: dt.date
    booked: bool
    rule: str
    reason: str


# -- team quotas ----------------------------------------------------------------------------


class QuotaIn(Input):
    team: str = Field(min_length=1, max_length=64, description="the team's name")
    type: str = Field(min_length=1, max_length=64, description="environment type name")
    days_per_month: int | None = Field(
        ge=0,
        le=INT_MAX,
        description="environment-days of the type the team may hold each calendar month; "
        "null removes the quota",
    )


class QuotaOut(BaseModel):
    team: str
    type: str
    month: str = Field(description="YYYY-MM")
    used: int = Field(description="environment-days the team's bookings hold in the month")
    quota: int = Field(description="environment-days the team may hold in the month")
    over: bool


def _month_text(text: str) -> str:
    from envsched.booking.rulebook.quota import parse_month  # rulebook imports shapes' kin

    parse_month(text)
    return text


class QuotaQuery(Input):
    month: Annotated[str, AfterValidator(_month_text)] | None = Field(
        default=None,
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="YYYY-MM; none: this month",
        examples=["2027-01"],
    )


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
