"""Queueing a solve: the plan run or what-if is recorded and marked running at once, so
pages and the API show it (with its place in the queue) until the worker takes it.

The rules of starting are the ones a direct start had: a what-if must be runnable and
its starter may edit what-ifs; a round is refused (``ReplanBusy``, recorded as a
refused run) while another round is queued, running, or holds the round lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.models import (
    OPEN_SOLVE_STATUSES,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    SolveJob,
    SolveKind,
    User,
    WhatIfStatus,
)
from envsched.planning import (
    ReplanBusy,
    WhatIfRef,
    find,
    require_editor,
    require_runnable,
    round_running,
)
from envsched.solves.queue import whatif_queue_owner


def queue_whatif(
    sessions: SessionFactory,
    ref: WhatIfRef,
    *,
    time_limit: float,
    now: dt.datetime,
    actor: User | None,
    workers: int = 2,
) -> SolveJob:
    """Queue a run of the what-if; it shows running, its last results cleared."""
    require_editor(actor)
    if time_limit <= 0:
        raise InvalidInput("time_limit", f"must be positive, got {time_limit}")
    with sessions.begin() as session:
        row = find(session, ref, for_update=True)
        require_runnable(row, now)
        assert row.id is not None
        job = _add(
            session,
            SolveKind.WHATIF,
            row.id,
            actor,
            now,
            {"time_limit": time_limit, "workers": workers},
        )
        row.status, row.started_at, row.error = WhatIfStatus.RUNNING, now, ""
        row.run_owner, row.run_time_limit = whatif_queue_owner(job.id or 0), time_limit
        row.progress = {"stage": "queued", "elapsed": 0.0}
        row.baseline_plan = row.result_plan = row.comparison = None
        return job


def queue_replan(
    sessions: SessionFactory,
    *,
    trigger: PlanTrigger,
    now: dt.datetime,
    actor: User | None = None,
    time_limit: float | None = None,
    dry_run: bool = False,
    cause: str = "",
) -> PlanRun:
    """Record a round as running and queue it; ``ReplanBusy`` when one is under way."""
    started: dict[str, Any] = {
        "trigger": trigger,
        "dry_run": dry_run,
        "started_at": now,
        "cause": cause,
        "started_by_id": actor.id if actor else None,
    }
    locked = round_running(sessions, now)  # the CLI's round, or one from before the queue
    with sessions.begin() as session:
        busy = session.exec(
            select(SolveJob.id).where(
                SolveJob.kind == SolveKind.REPLAN, col(SolveJob.status).in_(OPEN_SOLVE_STATUSES)
            )
        ).first()
        if busy is None and not locked:
            run = PlanRun(**started)
            session.add(run)
            session.flush()
            _add(
                session,
                SolveKind.REPLAN,
                run.id or 0,
                actor,
                now,
                {"time_limit": time_limit, "dry_run": dry_run},
            )
            return run
    with sessions.begin() as session:
        session.add(
            PlanRun(
                **started,
                status=PlanRunStatus.REFUSED,
                finished_at=now,
                error="another planning round was running",
            )
        )
    raise ReplanBusy()


def _add(
    session: Session,
    kind: SolveKind,
    target_id: int,
    actor: User | None,
    now: dt.datetime,
    params: dict[str, object],
) -> SolveJob:
    job = SolveJob(
        kind=kind,
        target_id=target_id,
        params=params,
        queued_at=now,
        queued_by_id=actor.id if actor else None,
    )
    session.add(job)
    session.flush()
    return job
