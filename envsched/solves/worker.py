"""``envsched worker``: the process that runs every solve and the nightly cron.

Each turn of its loop (every ``ENVSCHED_WORKER_POLL_SECONDS``) it

1. beats for the solves it runs, and settles those of lost workers (``queue.settle_lost``);
2. stops each of its solves someone cancelled, ending that solve's process;
3. records how each finished child ended (a child that died is a failed solve);
4. claims queued solves while fewer than ``ENVSCHED_SOLVE_SLOTS`` run, each started
   as ``python -m envsched.solves.child JOB_ID`` with the worker's settings.

Beside the loop, an APScheduler 3 scheduler (job store in the database, as
``envsched scheduler`` had) queues the nightly round on ``ENVSCHED_REPLAN_CRON``,
sends the notifications that are due every minute, probes the environments' health URLs
every ``ENVSCHED_HEALTH_INTERVAL_SECONDS`` (on a thread of its own, so a slow host never
delays the loop), and every five minutes releases the bookings not checked in in time
(``booking.checkin``) and offers their days to the waitlist.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading
from dataclasses import fields
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from envsched.booking import release_no_shows
from envsched.claims import new_owner
from envsched.counted import counted
from envsched.db import SessionFactory, database
from envsched.models import PlanTrigger, SolveStatus
from envsched.models.planning import SCHEDULER_JOBS
from envsched.planning import ReplanBusy, engine_of
from envsched.scheduler import add_jobs
from envsched.settings import PREFIX, Settings
from envsched.solves.enqueue import queue_replan
from envsched.solves.queue import (
    cancelled_of,
    claim_next,
    end_running,
    heartbeat,
    settle_lost,
)
from envsched.solves.runner import Clock, utc_now

log = logging.getLogger(__name__)
STOP_WAIT_SECONDS = 10
NO_SHOW_JOB = "envsched-no-shows"
NO_SHOW_EVERY_MINUTES = 5


def queue_scheduled_round() -> int | None:
    """The nightly job: queue a round; None when one is already under way."""
    settings = Settings.from_env()
    with database(settings) as sessions:
        try:
            run = queue_replan(sessions, trigger=PlanTrigger.SCHEDULED, now=utc_now())
        except ReplanBusy:
            log.info("scheduled re-plan skipped: another round is under way")
            return None
    log.info("scheduled re-plan queued as run %s", run.id)
    return run.id


def release_no_shows_job() -> int:
    """Every few minutes: release the bookings not checked in in time (``booking.checkin``);
    returns how many this run released."""
    settings = Settings.from_env()
    with database(settings) as sessions:
        released = release_no_shows(sessions, hours=settings.checkin_hours, now=utc_now())
    if released:
        log.info("released %d booking(s) not checked in in time", len(released))
    return len(released)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment of a child: this one, with every setting as the worker has it."""
    env = dict(os.environ)
    for spec in fields(settings):
        value = getattr(settings, spec.name)
        text = ",".join(value) if isinstance(value, tuple) else str(value)
        env[PREFIX + spec.name.upper()] = text.lower() if isinstance(value, bool) else text
    return env


class Worker:
    """Runs queued solves in child processes, at most ``settings.solve_slots`` at once."""

    def __init__(
        self, settings: Settings, sessions: SessionFactory, clock: Clock = utc_now
    ) -> None:
        self.settings, self.sessions, self.clock = settings, sessions, clock
        self.owner = new_owner()
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.lease = dt.timedelta(seconds=settings.worker_lease_seconds)

    def step(self) -> None:
        """One turn of the loop."""
        now = self.clock()
        heartbeat(self.sessions, self.owner, now)
        settle_lost(self.sessions, now, self.lease)
        for job_id in cancelled_of(self.sessions, self.owner):
            self._stop(job_id, SolveStatus.CANCELLED)
        self._collect()
        while len(self.children) < self.settings.solve_slots:
            job = claim_next(self.sessions, self.owner, self.clock())
            if job is None:
                break
            self._start(job.id or 0)

    def run(self, stop: threading.Event) -> None:
        """Turn until ``stop`` is set; the solves still running are then stopped (failed)."""
        log.info(
            "envsched worker %s: %s", self.owner, counted(self.settings.solve_slots, "solve slot")
        )
        try:
            while not stop.is_set():
                self._turn()
                stop.wait(self.settings.worker_poll_seconds)
        finally:
            for job_id in list(self.children):
                self._stop(job_id, SolveStatus.FAILED, "the worker was stopped")

    def _turn(self) -> None:
        """One step; a failing one (the database away a moment) is logged and tried again
        next turn: the lease outlasts a few of them."""
        try:
            self.step()
        except Exception:
            log.exception("envsched worker: a turn failed; trying again")

    def _start(self, job_id: int) -> None:
        log.info("solve %s: started", job_id)
        self.children[job_id] = subprocess.Popen(
            [sys.executable, "-m", "envsched.solves.child", str(job_id)],
            env=settings_env(self.settings),
        )

    def _stop(self, job_id: int, status: SolveStatus, why: str = "") -> None:
        """Mark the solve ended first (its target failed: a late write is dropped), then
        end its process."""
        end_running(self.sessions, job_id, status, self.clock(), why)
        child = self.children.pop(job_id, None)
        if child is not None:
            child.kill()
            child.wait(STOP_WAIT_SECONDS)
        log.info("solve %s: stopped (%s)", job_id, status.value)

    def _collect(self) -> None:
        for job_id, child in list(self.children.items()):
            code = child.poll()
            if code is None:
                continue
            del self.children[job_id]
            if code != 0:  # the child records its own ending; one that died could not
                end_running(
                    self.sessions,
                    job_id,
                    SolveStatus.FAILED,
                    self.clock(),
                    f"the solve's process ended with code {code}",
                )


def build_scheduler(settings: Settings, sessions: SessionFactory) -> BackgroundScheduler:
    store = SQLAlchemyJobStore(engine=engine_of(sessions), tablename=SCHEDULER_JOBS.name)
    scheduler = BackgroundScheduler(
        jobstores={"default": store}, timezone=ZoneInfo(settings.timezone)
    )
    add_jobs(scheduler, settings, replan_job=queue_scheduled_round)
    scheduler.add_job(
        release_no_shows_job,
        "interval",
        minutes=NO_SHOW_EVERY_MINUTES,
        id=NO_SHOW_JOB,
        name="release bookings not checked in in time",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def run_worker(settings: Settings, stop: threading.Event | None = None) -> None:
    """Block, running solves and the cron, until interrupted (or ``stop`` is set)."""
    stop = stop or threading.Event()
    with database(settings) as sessions:
        scheduler = build_scheduler(settings, sessions)
        scheduler.start()
        log.info("re-plan on '%s' (%s)", settings.replan_cron, settings.timezone)
        try:
            Worker(settings, sessions).run(stop)
        except KeyboardInterrupt:
            log.info("envsched worker: interrupted")
        finally:
            scheduler.shutdown(wait=False)
