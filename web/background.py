"""Work the web starts and does not wait for: "Re-plan now" and what-if runs.

Both run on threads of the web process. The app keeps the threads it started (in
``app.extensions["envsched_background"]``) so a test, or a shutdown, can wait for them
with ``join_all`` instead of leaving a solver writing into a database being torn down.

``replan_now`` takes exactly the path of the nightly job
(``envsched.planning.rounds.replan.replan``, trigger ``api``, then one attempt at the
deliveries it queued, still on the thread) and answers as soon as the round has begun:
the run is recorded and holds the round lock (the solver's first progress report), or
it has already ended. A round that could not start because another one runs raises
``ReplanBusy`` (409) here, in the request, not on the thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import PlanRun, PlanRunStatus, PlanTrigger
from envsched.notify import send_due
from envsched.planning import replan
from web.auth import current_user
from web.context import now, sessions, settings

log = logging.getLogger(__name__)
EXTENSION = "envsched_background"


def track(thread: threading.Thread) -> threading.Thread:
    """Remember a started thread of this app (finished ones are forgotten)."""
    threads: list[threading.Thread] = current_app.extensions.setdefault(EXTENSION, [])
    threads[:] = [t for t in threads if t.is_alive()]
    threads.append(thread)
    return thread


def join_all(app: Flask, timeout: float | None = None) -> None:
    """Wait for every thread the app started; tests call this before the database goes."""
    for thread in list(app.extensions.get(EXTENSION, [])):
        thread.join(timeout)


class _Round:
    """One "Re-plan now" round on a thread, and what the request waits for."""

    def __init__(self, factory: SessionFactory) -> None:
        self.sessions = factory
        self.begun = threading.Event()
        self.run_id: int | None = None
        self.error: BaseException | None = None

    def on_progress(self, _progress: Any) -> None:
        if self.run_id is None:  # under the lock, mid-solve: the one running row is ours
            self.run_id = _newest_running(self.sessions)
            self.begun.set()

    def execute(self, **kwargs: Any) -> None:
        try:
            run = replan(self.sessions, progress=self.on_progress, **kwargs)
            self.run_id = run.id
        except BaseException as error:  # handed to the request; logged if it has gone
            self.error = error
            log.warning("re-plan now ended with %s: %s", type(error).__name__, error)
            return
        finally:
            self.begun.set()
        send_due(self.sessions, kwargs["settings"])  # one try each; retries are the scheduler's


def replan_now(*, time_limit: float | None = None, dry_run: bool = False) -> PlanRun:
    """Start a round like the nightly job's, for the person signed in; return its run once
    it has begun or ended."""
    current = _Round(sessions())
    thread = threading.Thread(target=current.execute, name="replan-now", daemon=True, kwargs={
        "trigger": PlanTrigger.API, "now": now(), "dry_run": dry_run,
        "time_limit": time_limit, "settings": settings(), "started_by": current_user()})
    track(thread).start()
    current.begun.wait()
    if current.error is not None and current.run_id is None:
        raise current.error
    assert current.run_id is not None
    with read_transaction(sessions()) as session:
        return session.get_one(PlanRun, current.run_id)


def _newest_running(factory: SessionFactory) -> int | None:
    with read_transaction(factory) as session:
        return session.exec(select(PlanRun.id).where(PlanRun.status == PlanRunStatus.RUNNING)
                            .order_by(col(PlanRun.id).desc())).first()
