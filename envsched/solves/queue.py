"""The ``solve_job`` table's verbs.

Claiming the next solve is one statement: on PostgreSQL an ``UPDATE`` of the oldest
queued row picked with ``FOR UPDATE SKIP LOCKED`` (several workers never take the same
row, nor wait for each other); on SQLite the same ``UPDATE … WHERE status = 'queued'``,
which SQLite runs under its write lock, so one worker claims a row exactly once.

A running row is the worker's while it beats (``heartbeat``); ``settle_lost`` marks
failed every running row whose worker is provably gone or has been silent longer than
the lease, and the plan run or what-if it was solving with it; a cancelled solve's plan
run or what-if is cancelled instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from envsched.claims import owner_gone
from envsched.days import day_text
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidState, NotFound
from envsched.models import (
    OPEN_SOLVE_STATUSES,
    PlanRun,
    PlanRunStatus,
    SolveJob,
    SolveKind,
    SolveStatus,
    User,
    WhatIf,
    WhatIfStatus,
)
from envsched.planning import QUEUED

_CLAIM = {
    "postgresql": "UPDATE solve_job SET status = 'running', worker = :worker, "
    "started_at = :now, heartbeat_at = :now WHERE id = (SELECT id FROM "
    "solve_job WHERE status = 'queued' ORDER BY id LIMIT 1 "
    "FOR UPDATE SKIP LOCKED) RETURNING id",
    "sqlite": "UPDATE solve_job SET status = 'running', worker = :worker, "
    "started_at = :now, heartbeat_at = :now WHERE id = (SELECT id FROM "
    "solve_job WHERE status = 'queued' ORDER BY id LIMIT 1) "
    "AND status = 'queued' RETURNING id",
}


@dataclass(frozen=True)
class QueueEntry:
    """Where an open solve stands: ``running``, or ``queued`` at ``place`` (1 is next)."""

    job_id: int
    kind: SolveKind
    target_id: int
    status: SolveStatus
    place: int | None
    cancel_requested: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "job": self.job_id,
            "status": self.status.value,
            "place": self.place,
            "cancel_requested": self.cancel_requested,
        }


def whatif_queue_owner(job_id: int) -> str:
    return f"{QUEUED}{job_id}"


def claim_next(sessions: SessionFactory, worker: str, now: dt.datetime) -> SolveJob | None:
    """Take the oldest queued solve for ``worker``; None when nothing waits."""
    with sessions.begin() as session:
        dialect = session.get_bind().dialect.name
        claimed = session.execute(
            text(_CLAIM[dialect]), {"worker": worker, "now": _stored(session, now)}
        ).first()
    if claimed is None:
        return None
    with read_transaction(sessions) as session:
        return session.get_one(SolveJob, claimed[0])


def _stored(session: Session, moment: dt.datetime) -> dt.datetime:
    """Raw SQL bypasses the column type: SQLite keeps naive UTC, PostgreSQL aware."""
    if session.get_bind().dialect.name == "sqlite":
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def heartbeat(sessions: SessionFactory, worker: str, now: dt.datetime) -> None:
    with sessions.begin() as session:
        for job in session.exec(
            select(SolveJob).where(
                SolveJob.worker == worker, SolveJob.status == SolveStatus.RUNNING
            )
        ):
            job.heartbeat_at = now


def finish(
    sessions: SessionFactory, job_id: int, status: SolveStatus, now: dt.datetime, error: str = ""
) -> bool:
    """Record how a running solve ended; False when it had already ended (cancelled,
    or settled as lost)."""
    with sessions.begin() as session:
        job = session.get_one(SolveJob, job_id, with_for_update=True)
        if job.status != SolveStatus.RUNNING:
            return False
        job.status, job.finished_at, job.error = status, now, error[:2000]
        return True


def end_running(
    sessions: SessionFactory, job_id: int, status: SolveStatus, now: dt.datetime, why: str = ""
) -> None:
    """A running solve its worker stopped (cancelled: the reason given when it was
    cancelled stays) or lost (failed, with ``why``); its target fails with it."""
    with sessions.begin() as session:
        job = session.get_one(SolveJob, job_id, with_for_update=True)
        if job.status != SolveStatus.RUNNING:
            return
        job.status, job.finished_at = status, now
        job.error = job.error if status == SolveStatus.CANCELLED else why[:2000]
        fail_target(session, job, job.error, now)


def cancelled_of(sessions: SessionFactory, worker: str) -> list[int]:
    """The running solves of ``worker`` that someone cancelled."""
    with read_transaction(sessions) as session:
        return [
            j
            for j in session.exec(
                select(SolveJob.id).where(
                    SolveJob.worker == worker,
                    SolveJob.status == SolveStatus.RUNNING,
                    col(SolveJob.cancel_requested),
                )
            )
            if j is not None
        ]


def open_entries(session: Session) -> list[QueueEntry]:
    """Every queued or running solve, oldest first, queued ones with their place."""
    jobs = session.exec(
        select(SolveJob)
        .where(col(SolveJob.status).in_(OPEN_SOLVE_STATUSES))
        .order_by(col(SolveJob.id))
    ).all()
    entries, place = [], 0
    for job in jobs:
        place += job.status == SolveStatus.QUEUED
        entries.append(
            QueueEntry(
                job.id or 0,
                job.kind,
                job.target_id,
                job.status,
                place if job.status == SolveStatus.QUEUED else None,
                job.cancel_requested,
            )
        )
    return entries


def queued_targets(session: Session, kind: SolveKind) -> set[int]:
    """The plan runs or what-ifs (by ``kind``) whose solve still waits for the worker."""
    return {
        e.target_id
        for e in open_entries(session)
        if e.kind == kind and e.status == SolveStatus.QUEUED
    }


def entry_for(session: Session, kind: SolveKind, target_id: int) -> QueueEntry | None:
    return next(
        (e for e in open_entries(session) if e.kind == kind and e.target_id == target_id), None
    )


def cancel(sessions: SessionFactory, job_id: int, actor: User | None, now: dt.datetime) -> SolveJob:
    """A queued solve is cancelled at once; a running one is marked for its worker, which
    stops it. Either way its plan run or what-if is cancelled at once, with who cancelled
    it and when."""
    who = (actor.full_name or actor.name) if actor is not None else "the system"
    with sessions.begin() as session:
        job = session.get(SolveJob, job_id, with_for_update=True)
        if job is None:
            raise NotFound("solve", job_id)
        if job.status not in OPEN_SOLVE_STATUSES:
            raise InvalidState(
                f"this solve is {job.status.value}; only a queued or running solve can be cancelled"
            )
        job.cancel_requested = True
        at = now.astimezone(dt.UTC)
        when = f"on {day_text(at)}, {at:%H:%M} UTC"
        if job.status == SolveStatus.QUEUED:
            job.status, job.finished_at = SolveStatus.CANCELLED, now
            job.error = f"cancelled by {who} {when}, before it ran"
        else:
            job.error = f"cancelled by {who} {when}, while it ran"
        fail_target(session, job, job.error, now)
        return job


def fail_target(session: Session, job: SolveJob, why: str, now: dt.datetime) -> None:
    """The plan run or what-if of ``job`` ends with ``why``, if still running: cancelled
    when someone cancelled the solve, failed otherwise.

    A what-if's later writes check its claim (``whatif_claim.write_claimed``), so a solve
    still going after this writes nothing more into it."""
    if job.kind == SolveKind.WHATIF:
        row = session.get(WhatIf, job.target_id, with_for_update=True)
        if row is not None and row.status == WhatIfStatus.RUNNING:
            row.status = WhatIfStatus.CANCELLED if job.cancel_requested else WhatIfStatus.FAILED
            row.error = why
        return
    run = session.get(PlanRun, job.target_id, with_for_update=True)
    if run is not None and run.status == PlanRunStatus.RUNNING:
        run.status = PlanRunStatus.CANCELLED if job.cancel_requested else PlanRunStatus.FAILED
        run.error, run.finished_at = why, max(now, run.started_at)


def settle_lost(sessions: SessionFactory, now: dt.datetime, lease: dt.timedelta) -> list[int]:
    """Mark failed each running solve whose worker is gone or silent past ``lease``, with
    its plan run or what-if; returns their ids."""
    with read_transaction(sessions) as session:
        running = session.exec(select(SolveJob).where(SolveJob.status == SolveStatus.RUNNING)).all()
        lost = [j.id or 0 for j in running if _lost(j, now, lease)]
    for job_id in lost:
        with sessions.begin() as session:
            job = session.get_one(SolveJob, job_id, with_for_update=True)
            if job.status != SolveStatus.RUNNING or not _lost(job, now, lease):
                continue
            job.status, job.finished_at = SolveStatus.FAILED, now
            job.error = (
                f"interrupted: the worker running it ({job.worker}) stopped before it finished"
            )
            fail_target(session, job, job.error, now)
    return lost


def _lost(job: SolveJob, now: dt.datetime, lease: dt.timedelta) -> bool:
    beat = job.heartbeat_at or job.started_at
    return owner_gone(job.worker) or beat is None or beat < now - lease
