"""What the release-lifecycle features take and give: releases and their phases,
strategies and windows, templates, status changes, deployments and links. ``…In`` comes
in (validated once, at the edge), ``…Patch`` changes only the fields given, ``…Out`` goes
out (names and keys instead of ids)."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.lifecycle import URL_LENGTH, CadenceKind, LinkKind
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
    dates: list[Day] = Field(default_factory=list,
                                 description="the go-lives of a 'dates' cadence")
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


class AssignmentIn(Input):
    window_id: Id | None = Field(default=None, description="None takes it out of its window")


# -- templates ----------------------------------------------------------------------------

class TemplatePhaseIn(Input):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, pattern=r"^[A-Za-z0-9_.-]+$")
    type: str = Field(min_length=1, max_length=NAME_LENGTH, description="environment type")
    duration_days: int = Field(ge=1, le=366)
    gap_days: int = Field(default=0, ge=0, le=366)
    after: list[str] | None = Field(
        default=None, description="names of earlier template phases it waits for; "
                                  "none: the phase before; []: none")
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
    backout_plan: str = Field(min_length=1, max_length=20_000,
                              description="how to undo it: required before going live")
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
