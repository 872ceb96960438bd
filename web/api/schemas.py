"""Shapes that are HTTP's own: query strings, list pages and the error body. A feature's
request bodies and answers live in its package (``envsched.booking.shapes`` …).

Every request body and query string is validated once, into one of these or an ``…In``
(``…Patch``) shape, before a view sees it. They double as the source of the OpenAPI
document, so what is documented is what is checked.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from envsched.booking import ClashKind, Rule
from envsched.models import (
    BookingStatus,
    EnvironmentStatus,
    ReleaseStatus,
    ReleaseType,
    RequestStatus,
)
from envsched.models.limits import INT_MAX, Day, Input

Item = TypeVar("Item")
MAX_PER_PAGE = 200


def _comma_list(value: Any) -> Any:
    """``?tags=a,b`` arrives as one string; an empty string means no items."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# -- query strings --------------------------------------------------------------------------


class Paging(Input):
    """``?page=`` (from 1) and ``?per_page=`` (1 to 200) of every list."""

    page: int = Field(default=1, ge=1, le=INT_MAX)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)


class EnvironmentQuery(Paging):
    type: str | None = Field(default=None, description="environment type name, e.g. UAT")
    status: EnvironmentStatus | None = None
    tag: str | None = Field(default=None, description="only environments carrying this tag")


class ReleaseQuery(Paging):
    status: ReleaseStatus | None = None
    type: ReleaseType | None = None


class RequestQuery(Paging):
    status: RequestStatus | None = None
    requester: str | None = Field(default=None, description="user name of the requester")
    phase: str | None = Field(default=None, description="phase key")


class BookingQuery(Paging):
    environment: str | None = Field(default=None, description="environment name")
    release: str | None = Field(default=None, description="release key")
    phase: str | None = Field(default=None, description="phase key")
    status: BookingStatus | None = None
    after: Day | None = Field(default=None, description="bookings ending after this day")
    before: Day | None = Field(default=None, description="bookings starting before this day")


class SlotQuery(Input):
    type: str | None = Field(default=None, description="environment type name", examples=["UAT"])
    days: int = Field(ge=1, le=365, description="length of the slot in days", examples=[5])
    after: Day = Field(description="first day a slot may start", examples=["2027-01-10"])
    before: Day | None = Field(default=None, description="day by which a slot must end")
    tags: list[str] = Field(
        default_factory=list, description="comma-separated required tags", examples=[["mainframe"]]
    )
    environments: list[str] | None = Field(
        default=None, description="comma-separated environment names to choose from"
    )
    limit: int = Field(default=5, ge=1, le=50)

    _split = field_validator("tags", "environments", mode="before")(_comma_list)


class ClashQuery(Paging):
    kind: ClashKind | None = Field(default=None, description="one kind of clash only")
    environment: str | None = None
    release: str | None = None


class CapacityQuery(Input):
    type: str | None = Field(default=None, description="one environment type, default all")
    weeks: int = Field(default=12, ge=1, le=104)
    start: Day | None = Field(default=None, description="a day of the first week (default today)")


# -- outputs --------------------------------------------------------------------------------


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    page: int
    per_page: int
    total: int


class RuleBreakOut(BaseModel):
    """One rule of a phase's placement a write breaks (docs/design.md, "One rulebook")."""

    rule: Rule
    message: str
    field: str
    phases: list[str]
    bookings: list[int]


class ErrorDetail(BaseModel):
    """``code`` ``rule_broken`` (409) adds ``rule`` (the first broken) and ``breaks``; a
    clash of days adds ``clashes``."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)
    rule: str | None = None
    breaks: list[RuleBreakOut] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail
