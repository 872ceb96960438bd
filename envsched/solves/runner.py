"""One queued solve carried out in the calling process, and how it ended recorded.

The worker calls ``run_job`` in a child process per solve (``solves.child``); tests and
``envsched worker --drain`` call ``drain``, which claims and runs every queued solve in
turn. A what-if's run takes its claim over from the queue (``run_owner`` becomes this
process), so a process that dies mid-run leaves the run to be settled as interrupted; a
round goes through ``replan`` with the plan run already recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from envsched.claims import new_owner
from envsched.db import SessionFactory, read_transaction
from envsched.errors import EnvschedError, InvalidState
from envsched.models import (
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    SolveJob,
    SolveKind,
    SolveStatus,
    User,
    WhatIf,
    WhatIfStatus,
)
from envsched.notify import send_due
from envsched.planning import Claim, replan, run_claimed
from envsched.settings import Settings
from envsched.solves.queue import claim_next, finish, whatif_queue_owner

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_job(
    sessions: SessionFactory, settings: Settings, job_id: int, clock: Clock = utc_now
) -> SolveStatus:
    """Carry out the claimed solve ``job_id``; record and return how it ended."""
    with read_transaction(sessions) as session:
        job = session.get_one(SolveJob, job_id)
    try:
        if job.kind == SolveKind.WHATIF:
            _whatif(sessions, job, clock())
        else:
            _round(sessions, settings, job, clock())
    except Exception as error:
        why = error.message if isinstance(error, EnvschedError) else repr(error)
        log.warning("solve %s (%s) failed: %s", job_id, job.kind.value, why)
        finish(sessions, job_id, SolveStatus.FAILED, clock(), why)
        return SolveStatus.FAILED
    finish(sessions, job_id, SolveStatus.DONE, clock())
    return SolveStatus.DONE


def drain(sessions: SessionFactory, settings: Settings, clock: Clock = utc_now) -> int:
    """Run every queued solve, oldest first, in this process; returns how many ran."""
    owner, count = new_owner(), 0
    while (job := claim_next(sessions, owner, clock())) is not None:
        run_job(sessions, settings, job.id or 0, clock)
        count += 1
    return count


def _whatif(sessions: SessionFactory, job: SolveJob, now: dt.datetime) -> None:
    held = Claim(job.target_id, new_owner())
    with sessions.begin() as session:
        row = session.get(WhatIf, job.target_id, with_for_update=True)
        if (
            row is None
            or row.status != WhatIfStatus.RUNNING
            or row.run_owner != whatif_queue_owner(job.id or 0)
        ):
            raise InvalidState(f"what-if {job.target_id} is no longer waiting for this solve")
        row.run_owner, row.started_at = held.owner, now
    run_claimed(
        sessions, held, now, float(job.params["time_limit"]), int(job.params.get("workers", 2))
    )


def _round(sessions: SessionFactory, settings: Settings, job: SolveJob, now: dt.datetime) -> None:
    with read_transaction(sessions) as session:
        starter = session.get(User, job.queued_by_id) if job.queued_by_id else None
        if session.get_one(PlanRun, job.target_id).status != PlanRunStatus.RUNNING:
            raise InvalidState(f"plan run {job.target_id} is no longer waiting for this solve")
    limit = job.params.get("time_limit")
    replan(
        sessions,
        trigger=PlanTrigger.API,
        now=now,
        run_id=job.target_id,
        dry_run=bool(job.params.get("dry_run")),
        settings=settings,
        started_by=starter,
        time_limit=float(limit) if limit else None,
    )
    send_due(sessions, settings)  # one try each; retries are the worker's notify job
