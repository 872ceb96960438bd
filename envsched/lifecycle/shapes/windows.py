"""The release strategy and its windows: the cadence, a window, a moved window, a
release assigned to a window."""

import datetime as dt

from pydantic import BaseModel, Field, model_validator

from envsched.models.base import NAME_LENGTH
from envsched.models.lifecycle import CadenceKind
from envsched.models.limits import NAME_PATTERN, Day, Flag, Id, Input


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
