"""Booking requests (what a test manager asks for) and bookings (what holds an environment).

Booking days are ``[start, end)`` DATEs. A booking is *live* — it takes capacity —
while tentative (proposed by the planner), confirmed or in use. ``exclusive`` copies
"the environment has capacity 1" onto the row, because PostgreSQL's exclusion
constraint (created by the migration) can only look at the booking's own columns.
"""

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, Relationship, SQLModel

from envsched.models.base import TEXT_LENGTH, enum_type, json_list, utc_datetime_field
from envsched.models.environments import Environment
from envsched.models.limits import INT_MAX, MAX_DAYS, Day, Flag, Tag
from envsched.models.releases import Phase


class RequestStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


OPEN_REQUEST_STATUSES = (RequestStatus.REQUESTED, RequestStatus.WAITLISTED)


class BookingStatus(enum.StrEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    IN_USE = "in_use"
    RELEASED = "released"
    CANCELLED = "cancelled"


LIVE_STATUSES = (BookingStatus.TENTATIVE, BookingStatus.CONFIRMED, BookingStatus.IN_USE)
LIVE_PHASE_ROWS = "phase_id IS NOT NULL AND status IN ('tentative', 'confirmed', 'in_use')"


class BookingRequestBase(SQLModel):
    duration_days: int = Field(ge=1, le=MAX_DAYS)
    earliest_start: Day
    latest_end: Day | None = None
    fixed: Flag = False
    priority: int = Field(default=1, ge=1, le=INT_MAX)
    required_tags: list[Tag] = Field(default_factory=list, sa_type=json_list())
    environments: list[str] | None = Field(default=None, sa_type=json_list(nullable=True))
    justification: str = Field(default="", max_length=TEXT_LENGTH)


class BookingRequest(BookingRequestBase, table=True):
    """A request for ``duration_days`` on one environment of a type (or of a named list).

    ``fixed`` requests want exactly ``[earliest_start, earliest_start + duration)``;
    flexible ones any such run of days starting on or after ``earliest_start`` and
    ending by ``latest_end``.
    """

    __tablename__ = "booking_request"
    __table_args__ = (
        CheckConstraint("duration_days > 0", name="duration_positive"),
        CheckConstraint("priority >= 1", name="priority_at_least_one"),
        CheckConstraint(
            "latest_end IS NULL OR earliest_start < latest_end",
            name="earliest_start_before_latest_end",
        ),
        CheckConstraint(
            "environment_type_id IS NOT NULL OR environments IS NOT NULL",
            name="type_or_environments",
        ),
        Index("ix_booking_request_status_priority", "status", "priority"),
    )

    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="app_user.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id", index=True)
    environment_type_id: int | None = Field(default=None, foreign_key="environment_type.id")
    status: RequestStatus = Field(
        default=RequestStatus.REQUESTED, sa_type=enum_type(RequestStatus, "status")
    )
    decision_reason: str = Field(default="", max_length=TEXT_LENGTH)
    created_at: dt.datetime = utc_datetime_field()
    decided_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")

    phase: Phase | None = Relationship()


class BookingBase(SQLModel):
    start: Day
    end: Day
    pinned: Flag = False
    note: str = Field(default="", max_length=TEXT_LENGTH)


class Booking(BookingBase, table=True):
    """Environment ``environment_id`` held on days ``[start, end)``."""

    __table_args__ = (
        CheckConstraint('start < "end"', name="start_before_end"),
        Index("ix_booking_environment_days", "environment_id", "start", "end"),
        # one live booking per phase (migration 0007); the rulebook refuses it first
        Index(
            "uq_booking_live_phase",
            "phase_id",
            unique=True,
            sqlite_where=text(LIVE_PHASE_ROWS),
            postgresql_where=text(LIVE_PHASE_ROWS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    environment_id: int = Field(foreign_key="environment.id")
    request_id: int | None = Field(default=None, foreign_key="booking_request.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id", index=True)
    status: BookingStatus = Field(
        default=BookingStatus.CONFIRMED, sa_type=enum_type(BookingStatus, "status")
    )
    exclusive: bool = True
    created_at: dt.datetime = utc_datetime_field()
    updated_at: dt.datetime = utc_datetime_field()
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # why an environment manager placed it although it breaks a rule ("": not forced)
    forced_reason: str = Field(default="", max_length=TEXT_LENGTH)
    # when its owner said they use it (booking.checkin); None: not checked in
    checked_in_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)

    environment: Environment = Relationship(back_populates="bookings")
    phase: Phase | None = Relationship()
    request: BookingRequest | None = Relationship()

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start < end and start < self.end
