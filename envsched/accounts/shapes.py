"""What the accounts features take and give: users and their API tokens. ``…In`` comes
in (validated once, at the edge), ``…Patch`` changes only the fields given, ``…Out`` goes
out.

A token's secret appears in ``TokenIssuedOut`` only, the answer of the request that made
it; ``TokenOut`` (every listing) has neither the secret nor its hash.
"""

import datetime as dt

from pydantic import BaseModel, Field

from envsched.accounts.users import MIN_PASSWORD
from envsched.models.base import NAME_LENGTH
from envsched.models.limits import NAME_PATTERN, Day, Flag, Input
from envsched.models.users import Role

# -- users ----------------------------------------------------------------------------------


class UserIn(Input):
    name: str = Field(
        min_length=1, max_length=NAME_LENGTH, pattern=NAME_PATTERN, description="signs in with it"
    )
    role: Role = Role.VIEWER
    full_name: str = Field(default="", max_length=NAME_LENGTH * 2)
    email: str = Field(default="", max_length=NAME_LENGTH * 4)
    password: str | None = Field(
        default=None,
        min_length=MIN_PASSWORD,
        description="none: the user signs in by API token only",
    )


class UserPatch(Input):
    """The fields given change, together or not at all."""

    role: Role | None = None
    active: Flag | None = Field(default=None, description="false: no sign-in, tokens refused")
    full_name: str | None = Field(default=None, max_length=NAME_LENGTH * 2)


class UserOut(BaseModel):
    name: str
    full_name: str
    email: str
    role: Role
    active: bool
    signs_in_with_password: bool
    created_at: dt.datetime


# -- API tokens -----------------------------------------------------------------------------


class TokenIn(Input):
    label: str = Field(min_length=1, max_length=NAME_LENGTH, description="what uses it")
    valid_until: Day | None = Field(default=None, description="last day it works; none: no expiry")


class TokenOut(BaseModel):
    id: int
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="first moment it no longer works")
    revoked_at: dt.datetime | None


class TokenIssuedOut(TokenOut):
    secret: str = Field(description="send as Authorization: Bearer <secret>; shown this once")


# -- teams ----------------------------------------------------------------------------------


class TeamIn(Input):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, description="e.g. Payments")


class TeamOut(BaseModel):
    name: str
    members: list[str] = Field(description="user names, sorted")


class UserTeamIn(Input):
    team: str | None = Field(description="the team's name; null: in no team")
