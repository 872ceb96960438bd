"""The solve queue: one ``SolveJob`` per queued, running or finished solve.

A web process only adds a row (``queued``); ``envsched worker`` claims rows in order
(``solves.queue``), runs each one in a child process and records how it ended. A running
row names its ``worker`` and is kept alive by ``heartbeat_at``: a row whose worker has not
been heard of for ``ENVSCHED_WORKER_LEASE_SECONDS`` is marked failed by the next worker
that looks, and the solve it was running (a what-if or a plan run) with it.
"""

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, enum_type, utc_datetime_field


class SolveKind(enum.StrEnum):
    REPLAN = "replan"  # a planning round: "Re-plan now", the nightly job
    WHATIF = "whatif"  # a what-if run: baseline and changed scenario


class SolveStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the solve raised, or its worker was lost
    CANCELLED = "cancelled"  # someone cancelled it, queued or running


OPEN_SOLVE_STATUSES = (SolveStatus.QUEUED, SolveStatus.RUNNING)


class SolveJob(SQLModel, table=True):
    __tablename__ = "solve_job"
    __table_args__ = (Index("ix_solve_job_status", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: SolveKind = Field(sa_type=enum_type(SolveKind, "kind"))
    status: SolveStatus = Field(
        default=SolveStatus.QUEUED, sa_type=enum_type(SolveStatus, "status")
    )
    # the plan run or the what-if the solve fills in
    target_id: int
    # what the solve needs besides its target: time limit, dry run, who asked
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    queued_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    queued_at: dt.datetime = utc_datetime_field()
    started_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    finished_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    # ``host:pid:token`` of the worker running it (``envsched.claims``)
    worker: str | None = Field(default=None, max_length=NAME_LENGTH * 2)
    heartbeat_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    cancel_requested: bool = False
    error: str = Field(default="", sa_type=Text)
