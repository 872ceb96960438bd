"""Gates: which gate, defining, signing, vetoing or waiving it, and how it stands."""

import datetime as dt

from pydantic import BaseModel, Field

from envsched.models.lifecycle import GateKind, GateState
from envsched.models.limits import Input
from envsched.models.users import Role


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
