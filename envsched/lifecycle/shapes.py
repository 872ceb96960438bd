"""What the release-lifecycle features take and give: releases and their phases,
strategies and windows, templates, status changes, deployments and links, gates, release
health (KPIs) and the release calendar. ``…In`` comes in (validated once, at the edge),
``…Patch`` changes only the fields given, ``…Out`` goes out (names and keys, not ids)."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.lifecycle import URL_LENGTH, CadenceKind, GateKind, GateState, LinkKind
from envsched.models.limits import (
    INT_MAX,
    MAX_DAYS,
    NAME_PATTERN,
    Day,
    Flag,
    Id,
    Input,
    Tag,
)
from envsched.models.releases import PhaseBase, ReleaseBase, ReleaseStatus, ReleaseType
from envsched.models.users import Role

# -- releases and phases ------------------------------------------------------------------


class ReleaseIn(ReleaseBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class ReleasePatch(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    title: str | None = Field(default=None, max_length=TEXT_LENGTH)
    type: ReleaseType | None = None
    priority: int | None = Field(default=None, ge=1, le=INT_MAX)
    earliest_start: Day | None = None
    due: Day | None = None
    status: ReleaseStatus | None = None
    owner: str | None = Field(default=None, max_length=NAME_LENGTH)


class PhaseIn(PhaseBase):
    """Input: the environment type by name; ``position`` defaults to after the last."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    type: str = Field(min_length=1, max_length=NAME_LENGTH)
    position: int | None = Field(default=None, ge=0, le=INT_MAX)


class PhasePatch(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    name: str | None = Field(default=None, max_length=NAME_LENGTH)
    type: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    duration_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    gap_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    after: list[str] | None = None
    required_tags: list[Tag] | None = None
    environments: list[str] | None = None
    stacks: list[str] | None = None  # the stacks a phase needing a whole stack may use
    earliest_start: Day | None = None
    position: int | None = Field(default=None, ge=0, le=INT_MAX)


class PhaseOut(PhaseBase):
    id: int
    release: str
    type: str
    position: int


class ReleaseOut(ReleaseBase):
    id: int
    phases: list[PhaseOut]


# -- strategy and windows -----------------------------------------------------------------


class StrategyIn(Input):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, pattern=NAME_PATTERN)
    cadence: CadenceKind
    anchor: Day = Field(description="the first go-live; the cadence counts from it")
    dates: list[Day] = Field(default_factory=list, description="the go-lives of a 'dates' cadence")
    window_days: int = Field(default=14, ge=1, le=366)
    freeze_days: int = Field(default=3, ge=0, le=365)

    @model_validator(mode="after")
    def _consistent(self) -> "StrategyIn":
        if self.freeze_days >= self.window_days:
            raise ValueError("freeze_days must be less than window_days")
        if self.cadence == CadenceKind.DATES and not self.dates:
            raise ValueError("a 'dates' cadence needs dates")
        return self


class StrategyOut(BaseModel):
    id: int
    name: str
    cadence: CadenceKind
    anchor: dt.date
    dates: list[dt.date]
    window_days: int
    freeze_days: int
    published_at: dt.datetime | None


class WindowIn(Input):
    """A window added by hand, outside any cadence."""

    name: str = Field(min_length=1, max_length=NAME_LENGTH, pattern=NAME_PATTERN)
    start: Day
    cutoff: Day
    go_live: Day


class WindowMoveIn(Input):
    go_live: Day = Field(description="the new go-live; start and cut-off move with it")
    replan: Flag = Field(default=True, description="propose booking changes at once")


class WindowOut(BaseModel):
    id: int
    strategy: str | None
    name: str
    start: dt.date
    cutoff: dt.date
    go_live: dt.date
    releases: list[str]


class MovedWindowOut(BaseModel):
    """A moved window, the releases moved with it, and the planning round proposing the
    booking changes (None: no round ran)."""

    window: WindowOut
    releases: list[str]
    plan_run: int | None


class AssignmentIn(Input):
    window_id: Id | None = Field(default=None, description="None takes it out of its window")


# -- templates ----------------------------------------------------------------------------


class TemplatePhaseIn(Input):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, pattern=r"^[A-Za-z0-9_.-]+$")
    type: str = Field(min_length=1, max_length=NAME_LENGTH, description="environment type")
    duration_days: int = Field(ge=1, le=366)
    gap_days: int = Field(default=0, ge=0, le=366)
    after: list[str] | None = Field(
        default=None,
        description="names of earlier template phases it waits for; "
        "none: the phase before; []: none",
    )
    required_tags: list[Tag] = Field(default_factory=list)


class TemplateIn(Input):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, pattern=NAME_PATTERN)
    release_type: ReleaseType = ReleaseType.MINOR
    description: str = Field(default="", max_length=TEXT_LENGTH)
    phases: list[TemplatePhaseIn] = Field(min_length=1)


class TemplatePhaseOut(BaseModel):
    name: str
    type: str
    duration_days: int
    gap_days: int
    after: list[str] | None
    required_tags: list[str]


class TemplateOut(BaseModel):
    id: int
    name: str
    release_type: ReleaseType
    description: str
    phases: list[TemplatePhaseOut]


class FromTemplateIn(Input):
    """A new release from a template; dates default to its window's (start, cut-off)."""

    key: str = Field(min_length=1, max_length=NAME_LENGTH, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(default="", max_length=TEXT_LENGTH)
    priority: int = Field(default=1, ge=1, le=INT_MAX)
    owner: str = Field(default="", max_length=NAME_LENGTH)
    window_id: Id | None = None
    earliest_start: Day | None = None
    due: Day | None = None


# -- status, deployments, links -----------------------------------------------------------


class StatusChangeIn(Input):
    status: ReleaseStatus
    reason: str = Field(default="", max_length=TEXT_LENGTH)


class StatusChangeOut(BaseModel):
    from_status: ReleaseStatus | None
    to_status: ReleaseStatus
    at: dt.datetime
    by: str
    reason: str


class DeploymentIn(Input):
    deployed_on: Day
    backout_plan: str = Field(
        min_length=1, max_length=20_000, description="how to undo it: required before going live"
    )
    notes: str = Field(default="", max_length=20_000)


class BackOutIn(Input):
    reason: str = Field(min_length=1, max_length=TEXT_LENGTH)


class DeploymentOut(BaseModel):
    id: int
    release: str
    deployed_on: dt.date
    backout_plan: str
    backed_out: bool
    backed_out_at: dt.datetime | None
    notes: str
    recorded_by: str
    recorded_at: dt.datetime


class LinkIn(Input):
    kind: LinkKind
    system: str = Field(min_length=1, max_length=NAME_LENGTH, examples=["ServiceNow"])
    key: str = Field(min_length=1, max_length=NAME_LENGTH, examples=["CHG0012345"])
    url: str = Field(default="", max_length=URL_LENGTH, pattern=r"^(https?://\S+)?$")


class LinkOut(BaseModel):
    id: int
    release: str
    kind: LinkKind
    system: str
    key: str
    url: str
    created_by: str
    created_at: dt.datetime


# -- gates ----------------------------------------------------------------------------------


class GateTargetIn(Input):
    phase: str | None = Field(
        default=None, description="phase key; none for go/no-go", max_length=64
    )
    kind: GateKind


class GateDefineIn(GateTargetIn):
    criteria: str = Field(max_length=2000, description="what must hold for the sign-off")
    signoff_role: Role | None = Field(
        default=None,
        description="who signs (default: "
        "test manager for entry/exit, release manager for "
        "go/no-go)",
    )


class GateSignIn(GateTargetIn):
    note: str = Field(default="", max_length=2000)


class GateVerdictIn(GateTargetIn):
    reason: str = Field(min_length=1, max_length=2000, description="why (kept in the log)")


class GateOut(BaseModel):
    id: int | None = Field(description="None until the gate is first defined or decided")
    release: str
    phase: str | None
    kind: GateKind
    criteria: str
    signoff_role: Role
    state: GateState
    signed_by: str | None
    signed_at: dt.datetime | None
    reason: str


# -- release health (KPIs) and the release calendar ---------------------------------------

MonthValue = int | float | str | None


class PeriodOut(BaseModel):
    start: dt.date
    end: dt.date = Field(description="first day after the period")


class ReleaseCountsOut(BaseModel):
    deployed: int
    on_time: int
    late: int
    late_keys: list[str]
    backed_out: int
    failed: int = Field(description="backed out, or cancelled after testing started")
    failed_keys: list[str]
    without_test_signoff: list[str] = Field(
        description="deployed with a test phase's exit gate not signed (open, vetoed or waived)"
    )
    without_operational_signoff: list[str] = Field(description="deployed without a signed go/no-go")
    clashes: int


class TimeToImplementOut(BaseModel):
    type: str
    releases: int
    average_days: float
    best_days: int
    worst_days: int


class UtilisationOut(BaseModel):
    type: str
    booked_days: int
    open_days: int
    percent: float


class LeadTimeOut(BaseModel):
    bookings: int
    average_days: float | None
    median_days: float | None
    shortest_days: int | None
    longest_days: int | None


class KpiReportOut(BaseModel):
    period: PeriodOut
    releases: ReleaseCountsOut
    time_to_implement: list[TimeToImplementOut]
    utilisation: list[UtilisationOut]
    lead_time: LeadTimeOut
    monthly: list[dict[str, MonthValue]] = Field(
        description="per month: deployed, on_time, late, backed_out, failed, clashes, "
        "lead_time_days and utilisation_<TYPE> (per cent)"
    )


class CalendarItemOut(BaseModel):
    kind: str = Field(
        description="window, go_live, release, phase, deployment, freeze or maintenance"
    )
    lane: str
    start: dt.date
    end: dt.date
    label: str
    detail: str
