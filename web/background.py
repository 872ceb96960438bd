"""Solves the web starts and does not wait for: "Re-plan now" and what-if runs.

The web only queues them (``envsched.solves``); ``envsched worker`` runs them, at most
``ENVSCHED_SOLVE_SLOTS`` at once. A queued round or what-if is recorded at once as
running, so its page and the API show it, with its place in the queue, until it ends.
A round already queued, running or holding the round lock is ``ReplanBusy`` (409) here.

``join_all`` runs what the app queued in the calling process (``solves.drain``): tests
call it instead of a worker when they only need the solve done.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from envsched.db import read_transaction
from envsched.models import PlanRun, PlanTrigger, SolveJob, SolveKind
from envsched.planning import WhatIfRef
from envsched.solves import drain, entry_for, queue_replan, queue_whatif, queued_targets
from web.auth import current_user
from web.context import now, sessions


def replan_now(*, time_limit: float | None = None, dry_run: bool = False) -> PlanRun:
    """Queue a round like the nightly job's, for the person signed in; its run."""
    return queue_replan(
        sessions(),
        trigger=PlanTrigger.API,
        now=now(),
        actor=current_user(),
        time_limit=time_limit,
        dry_run=dry_run,
    )


def run_whatif_queued(whatif_id: WhatIfRef, time_limit: float) -> SolveJob:
    """Queue a run of the what-if for the person signed in."""
    return queue_whatif(
        sessions(), whatif_id, time_limit=time_limit, now=now(), actor=current_user()
    )


def queue_of(kind: SolveKind, target_id: int | None) -> dict[str, Any] | None:
    """The open solve of a plan run or what-if (its place in the queue); None if none."""
    with read_transaction(sessions()) as session:
        entry = entry_for(session, kind, target_id or 0)
    return entry.to_dict() if entry is not None else None


def queued_of(kind: SolveKind) -> set[int]:
    """The plan runs or what-ifs whose solve still waits for the worker: a list's badge
    says "queued" for them, not their stored "running"."""
    with read_transaction(sessions()) as session:
        return queued_targets(session, kind)


def shown_status(status: str, queue: dict[str, Any] | None) -> str:
    """A plan run's or what-if's status as its badge says it: "queued" while its solve
    waits for the worker (stored, and in the API, as running with ``queue.status``)."""
    return "queued" if queue is not None and queue["status"] == "queued" else status


def join_all(app: Flask) -> None:
    """Run every solve queued so far, here and now (tests: a worker's work, in-process)."""
    extension = app.extensions["envsched"]
    drain(extension["sessions"], extension["settings"], extension["clock"])
