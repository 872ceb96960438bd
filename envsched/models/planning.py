"""Planning rounds: a ``PlanRun`` per round, the round lock, the scheduler's job store.

A ``PlanRun`` keeps everything a round found, as JSON shaped for the API and the CLI's
``--json``: ``metrics`` (the solver's counts), ``flags`` (clashes, shortfalls, remedies:
``round_results.RoundFlags``) and ``diff`` (bookings ``moved``, phases newly ``placed``,
phases left ``unplaced``: ``round_results.RoundDiff``). Proposals in the diff carry their
own ``applied`` flag, so a run can be accepted whole or one booking at a time.

``apscheduler_jobs`` is APScheduler's job store, with exactly the columns its
``SQLAlchemyJobStore`` declares; it is part of our schema so migrations create it and
the scheduler only finds it there.

``PlanLock`` is the round lock on SQLite (one row per lock name, claimed with a
conditional UPDATE); PostgreSQL uses an advisory lock instead and never touches it.
"""

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    Index,
    LargeBinary,
    Table,
    Text,
    Unicode,
)
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH, enum_type, utc_datetime_field
from envsched.models.round_results import RoundDiff, RoundFlags, StoredRound


class PlanTrigger(enum.StrEnum):
    MANUAL = "manual"  # ``envsched replan`` at a terminal
    SCHEDULED = "scheduled"  # the nightly job of ``envsched scheduler``
    API = "api"  # "Re-plan now" in the UI or the API


class PlanRunStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"  # a valid plan was found and recorded (applied or proposed)
    FAILED = "failed"  # no plan, an invalid plan, or applying it failed: bookings untouched
    REFUSED = "refused"  # another round held the lock
    CANCELLED = "cancelled"  # its solve was cancelled (``error`` says by whom): nothing changed


class PlanRun(SQLModel, table=True):
    """One planning round over the stored state."""

    __tablename__ = "plan_run"
    __table_args__ = (
        CheckConstraint(
            "finished_at IS NULL OR started_at <= finished_at", name="started_before_finished"
        ),
        Index("ix_plan_run_started_at", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trigger: PlanTrigger = Field(sa_type=enum_type(PlanTrigger, "trigger"))
    status: PlanRunStatus = Field(
        default=PlanRunStatus.RUNNING, sa_type=enum_type(PlanRunStatus, "status")
    )
    dry_run: bool = False
    started_at: dt.datetime = utc_datetime_field()
    finished_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    solver_status: str | None = Field(default=None, max_length=16)
    objective: float | None = None
    bound: float | None = None
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # None while the round runs (and for a refused one), stored as {}
    flags: RoundFlags | None = Field(default=None, sa_type=StoredRound(RoundFlags), nullable=False)
    diff: RoundDiff | None = Field(default=None, sa_type=StoredRound(RoundDiff), nullable=False)
    applied: bool = False
    applied_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    applied_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    error: str = Field(default="", sa_type=Text)
    # who asked for the round ("Re-plan now", a moved window), and what made it run; the
    # nightly job and the CLI leave both empty (``envsched.planning.rounds.words``)
    started_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    cause: str = Field(default="", max_length=TEXT_LENGTH)


class PlanLock(SQLModel, table=True):
    """A named lock row: free while ``holder`` is NULL (SQLite only; see ``runlock``)."""

    __tablename__ = "plan_lock"

    name: str = Field(primary_key=True, max_length=NAME_LENGTH)
    holder: str | None = Field(default=None, max_length=NAME_LENGTH * 2)
    claimed_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    # when the holder, if still holding, must have died: its time limit plus a margin
    stale_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)


SCHEDULER_JOBS = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
