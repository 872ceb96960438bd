"""Releases and their phases: ``ReleaseIn``, ``ReleasePatch``, ``PhaseIn`` … ``ReleaseOut``."""

from pydantic import ConfigDict, Field
from sqlmodel import SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.limits import INT_MAX, MAX_DAYS, Day, Tag
from envsched.models.releases import PhaseBase, ReleaseBase, ReleaseStatus, ReleaseType


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
