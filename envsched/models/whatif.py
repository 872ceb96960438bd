"""What-if scenarios: a saved, named copy of the stored state, edited and planned apart.

``base`` is the stored state as an ``envsched-scenario/1`` document when the what-if was
made; ``changes`` the ordered list of typed changes (``envsched.planning.whatif.codec``) applied
to it. A run plans both, storing ``progress`` as it goes so a page can poll it, then
``baseline_plan`` and ``result_plan`` (``envsched-plan/1`` documents) and their
``comparison``. A run's claim (``run_owner``, ``run_time_limit``) tells a run left
"running" by a process that died from one still going. Nothing here refers to a live
booking: a what-if never touches them until it is promoted.
"""

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH, enum_type, utc_datetime_field


class WhatIfStatus(enum.StrEnum):
    DRAFT = "draft"  # being edited, or edited since its last run
    RUNNING = "running"
    DONE = "done"  # both plans and the comparison are stored
    FAILED = "failed"  # the run raised; ``error`` says why
    PROMOTED = "promoted"  # its plan became tentative bookings; frozen from then on
    CANCELLED = "cancelled"  # its run's solve was cancelled; ``error`` says by whom


class WhatIf(SQLModel, table=True):
    __tablename__ = "what_if"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=1, max_length=NAME_LENGTH, unique=True)
    description: str = Field(default="", max_length=TEXT_LENGTH)
    created_by: str = Field(default="system", max_length=NAME_LENGTH)
    created_at: dt.datetime = utc_datetime_field()
    status: WhatIfStatus = Field(
        default=WhatIfStatus.DRAFT, sa_type=enum_type(WhatIfStatus, "status")
    )
    base: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # which copy of the live state ``base`` is, and the demand it cannot hold
    # (``envsched.planning.whatif.snapshot.Snapshot``); None on what-ifs made before it existed
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    # {"step": "baseline"|"what-if", "stage", "elapsed", "objective", "bound"}
    progress: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    started_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    # the claim of the current or last run: who runs it (``envsched.claims``), how long
    run_owner: str | None = Field(default=None, max_length=NAME_LENGTH * 2)
    run_time_limit: float | None = None
    baseline_plan: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    result_plan: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    comparison: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    error: str = Field(default="", sa_type=Text)
    promoted_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    promoted_by: str | None = Field(default=None, max_length=NAME_LENGTH)
