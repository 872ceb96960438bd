"""Status changes, deployments and back-outs, and a release's links."""

import datetime as dt

from pydantic import BaseModel, Field

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.lifecycle import URL_LENGTH, LinkKind
from envsched.models.limits import Day, Input
from envsched.models.releases import ReleaseStatus


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
