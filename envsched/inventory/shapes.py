"""What the inventory features take and give: environments, their types, maintenance
windows, freezes and the capacity report. ``…In`` comes in (validated once, at the
edge), ``…Patch`` changes only the fields given, ``…Out`` goes out."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.environments import EnvironmentBase, EnvironmentStatus
from envsched.models.health import HealthState
from envsched.models.limits import INT_MAX, MAX_DAYS, NAME_PATTERN, Day, Flag, Input, Tag
from envsched.models.stacks import StackBase

# -- environments -------------------------------------------------------------------------


class EnvironmentIn(EnvironmentBase):
    """Input: the type by name, components as ``{name: deployed version}``."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    type: str = Field(min_length=1, max_length=NAME_LENGTH)
    components: dict[str, str] = Field(default_factory=dict)


class EnvironmentPatch(SQLModel):
    """Input for a partial update: only the fields given change."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    name: str | None = Field(
        default=None, min_length=1, max_length=NAME_LENGTH, pattern=NAME_PATTERN
    )
    type: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    capacity: int | None = Field(default=None, ge=1, le=INT_MAX)
    tags: list[Tag] | None = None
    changeover_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    status: EnvironmentStatus | None = None
    owner: str | None = Field(default=None, max_length=NAME_LENGTH)
    description: str | None = Field(default=None, max_length=TEXT_LENGTH)
    components: dict[str, str] | None = None


class HealthOut(BaseModel):
    """Where an environment's health check stands (``envsched.health`` keeps it):
    ``state`` since ``since``; the last probe (``checked_at``, its HTTP status, what it
    found in words); ``flagged_at`` while an outage longer than
    ``ENVSCHED_HEALTH_DOWN_MINUTES`` is flagged."""

    url: str
    state: HealthState
    since: dt.datetime
    checked_at: dt.datetime | None
    status_code: int | None
    detail: str
    flagged_at: dt.datetime | None


class EnvironmentOut(EnvironmentBase):
    id: int
    type: str
    components: dict[str, str] = Field(default_factory=dict)
    health: HealthOut | None = Field(
        default=None, description="its health check; null: it has no health URL"
    )


# -- environment types --------------------------------------------------------------------


class EnvironmentTypeIn(Input):
    name: str = Field(
        min_length=1, max_length=NAME_LENGTH, pattern=NAME_PATTERN, description="e.g. UAT, PERF"
    )
    description: str = Field(default="", max_length=TEXT_LENGTH)


class EnvironmentTypeOut(BaseModel):
    name: str
    description: str
    environments: int = Field(description="environments of this type not retired")
    checkin_required: bool = Field(
        default=False,
        description="its bookings must be checked in within ENVSCHED_CHECKIN_HOURS of "
        "their start, or the worker releases them",
    )


class EnvironmentTypePatch(Input):
    checkin_required: Flag = Field(description="whether its bookings must be checked in")


# -- maintenance windows and freezes ------------------------------------------------------


class MaintenanceWindowIn(Input):
    start: Day
    end: Day
    reason: str = Field(default="", max_length=2000)
    force: Flag = Field(default=False, description="accept it over live bookings (they clash)")


class MaintenanceWindowOut(BaseModel):
    id: int
    environment: str
    start: dt.date
    end: dt.date
    reason: str


class FreezeIn(Input):
    name: str = Field(default="", max_length=64)
    start: Day
    end: Day
    types: list[str] = Field(
        default_factory=list, description="environment types it covers; empty: every type"
    )
    reason: str = Field(default="", max_length=2000)


class FreezeOut(BaseModel):
    id: int
    name: str
    start: dt.date
    end: dt.date
    types: list[str]
    reason: str


# -- capacity -----------------------------------------------------------------------------


class CapacityRowOut(BaseModel):
    type: str
    week_start: dt.date
    demand_days: int
    supply_days: int
    shortfall_days: int


class CapacityReportOut(BaseModel):
    start: dt.date
    weeks: int
    rows: list[CapacityRowOut]


# -- stacks (issue 16) ------------------------------------------------------------------


class StackIn(StackBase):
    """A new stack: its name, and its members by environment name."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    members: list[str] = Field(min_length=1, max_length=100)


class StackOut(StackBase):
    members: list[str]
