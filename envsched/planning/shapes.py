"""What the planning features take and give: plan runs (rounds) and what-ifs. ``…In``
comes in (validated once, at the edge), ``…Out`` goes out.

A what-if change arrives as one flat JSON object, ``{"kind": "add_environment", ...}``.
``ChangeIn`` only lists the field names the change kinds have (derived from the
change dataclasses, so the document cannot drift from them) and lets any value through:
the one validation of a change is ``whatif_codec.change_from_dict``, which names the
bad field (``add_environment.capacity``) in the 400 it raises.
"""

import dataclasses
import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from envsched.models.limits import Day, Flag, Input
from envsched.planning.whatif.changes import CHANGE_KINDS

MAX_TIME_LIMIT = 3600


# -- plan runs ------------------------------------------------------------------------------


class ReplanIn(Input):
    """ "Re-plan now": the site's own time limit unless a shorter one is given."""

    time_limit: float | None = Field(
        default=None, gt=0, le=MAX_TIME_LIMIT, description="solver seconds (default: the site's)"
    )
    dry_run: Flag = Field(default=False, description="record the run, propose nothing")


class AcceptIn(Input):
    """Accepting one proposal; past its owner's team quota only with a reason."""

    quota_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="an environment manager's reason to apply the proposal although it takes "
        "its owner's team past its monthly quota of the type (kept in the booking's note)",
    )


class PlanRunOut(BaseModel):
    id: int
    trigger: str
    status: str = Field(
        description="running (queue.status says whether it still waits for "
        "the worker), done, failed, refused or cancelled"
    )
    queue: dict[str, Any] | None = Field(
        default=None,
        description="while its solve is queued or running: job (the solve's "
        "id, to cancel it), status, place (1 runs next; None once running), "
        "cancel_requested",
    )
    dry_run: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    solver_status: str | None
    objective: float | None
    bound: float | None
    applied: bool
    applied_at: dt.datetime | None
    error: str
    metrics: dict[str, Any]
    open_proposals: int = Field(
        description="moved and placed proposals neither applied nor dropped"
    )


class RefusedProposalOut(BaseModel):
    phase: str
    reason: str = Field(description="why the proposal did not apply; it stays open")


class AcceptOut(BaseModel):
    at: dt.datetime
    by: str = Field(
        description="who accepted: a user's name, or the run's own auto-apply "
        '("auto-apply of the nightly round")'
    )
    applied: list[str] = Field(description="phases whose proposal applied")
    refused: list[RefusedProposalOut]


class PlanRunDetailOut(PlanRunOut):
    flags: dict[str, Any] = Field(
        description="clashes (stored state), pinned (rules kept pinned bookings break, with "
        "what they block), shortfalls, late, remedies, left_out"
    )
    diff: dict[str, Any] = Field(
        description="moved, placed (each with applied, refused while refused, dropped once "
        "dropped), unplaced (with reasons), gain, accepts (every accept, oldest first), "
        "drops (every proposal dropped: at, by, phase)"
    )
    last_accept: AcceptOut | None = Field(
        description="the newest accept: what applied and what was refused, and why"
    )


# -- what-ifs -------------------------------------------------------------------------------


class WhatIfIn(Input):
    name: str = Field(
        min_length=1, max_length=64, examples=["more-uat"], description="unique, without spaces"
    )
    description: str = Field(default="", max_length=500)
    start: Day | None = Field(default=None, description="default: the earliest release or booking")
    horizon_days: int | None = Field(default=None, ge=1, le=3660)


class WhatIfRunIn(Input):
    time_limit: float = Field(
        default=30,
        gt=0,
        le=MAX_TIME_LIMIT,
        description="solver seconds for the whole run (half per plan)",
    )


def _change_fields() -> dict[str, Any]:
    """Every field of every change kind, typed loosely, described by the kinds using it."""
    users: dict[str, list[str]] = {}
    for kind in CHANGE_KINDS:
        for field in dataclasses.fields(kind):
            users.setdefault(field.name, []).append(kind.kind)
    return {
        name: (Any, Field(default=None, description="used by " + ", ".join(kinds)))
        for name, kinds in sorted(users.items())
    }


ChangeIn: type[BaseModel] = create_model(
    "ChangeIn",
    __config__=ConfigDict(extra="forbid"),
    kind=(str, Field(description="one of " + ", ".join(k.kind for k in CHANGE_KINDS))),
    **_change_fields(),
)


def change_data(body: BaseModel) -> dict[str, Any]:
    """The change exactly as sent (fields not sent stay absent, as the codec expects)."""
    return body.model_dump(exclude_unset=True)


class WhatIfOut(BaseModel):
    id: int
    name: str
    description: str
    status: str = Field(
        description="draft, running (queue.status says whether it still "
        "waits for the worker), done, failed, promoted or cancelled"
    )
    queue: dict[str, Any] | None = Field(
        default=None,
        description="while its solve is queued or running: job (the solve's "
        "id, to cancel it), status, place (1 runs next; None once running), "
        "cancel_requested",
    )
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    progress: dict[str, Any] | None = Field(
        description="step, step_number, steps, stage, elapsed, objective, bound"
    )
    error: str = Field(
        description="why the last run failed or found no plan (the "
        "solver's answer and reason); empty otherwise"
    )
    copy_taken_at: dt.datetime = Field(
        description="when the copy of the live state it plans was taken (each run takes "
        "a fresh one)"
    )
    left_out: list[str] = Field(
        description="stored rows the copy left out (the scenario file's reader refuses "
        "them), each with why"
    )
    changes: list[dict[str, Any]]
    described: list[str] = Field(description="each change in words")
    promoted_at: dt.datetime | None
    promoted_by: str | None
    summary: list[dict[str, Any]] | None = Field(
        description="baseline and what-if metrics once run"
    )


class ComparisonOut(BaseModel):
    name: str
    status: dict[str, Any] = Field(description="the solver status of each plan")
    changes: list[str]
    copy_taken_at: dt.datetime = Field(
        description="when the copy of the live state both plans start from was taken"
    )
    rows: list[dict[str, Any]]
    utilisation: dict[str, Any]
    shortfalls: dict[str, Any]
    releases: list[dict[str, Any]]
    baseline_plan: dict[str, Any] | None
    whatif_plan: dict[str, Any] | None


class PromotionOut(BaseModel):
    what_if: str
    bookings: list[int] = Field(description="ids of the new tentative bookings")
