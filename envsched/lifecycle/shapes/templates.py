"""Release templates and the release made from one."""

from pydantic import BaseModel, Field

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.limits import INT_MAX, NAME_PATTERN, Day, Id, Input, Tag
from envsched.models.releases import ReleaseType


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
