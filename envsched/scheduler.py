"""The nightly re-planner as its own process: ``envsched scheduler``.

An APScheduler 3 ``BlockingScheduler`` whose job store is the ``apscheduler_jobs`` table
of the application database, with three jobs:

* ``scheduled_replan`` on the cron of ``ENVSCHED_REPLAN_CRON`` in ``ENVSCHED_TIMEZONE``;
* ``scheduled_notify`` every minute: queues what the audit log records since the last
  look (approvals, rejections, moves), then sends every delivery that is due (new ones
  and retries of failed ones; see ``envsched.notify``);
* ``scheduled_health`` every ``ENVSCHED_HEALTH_INTERVAL_SECONDS``: probes each
  environment's health URL, at once and with a timeout, and records what each found
  (``envsched.health``); what an outage queues goes out with the next notify job.

The job functions live at module level and take no arguments, because the job store
pickles a reference to them; each reads ``Settings`` and the clock itself, as an edge.
Several scheduler processes may run: the round lock lets one round through at a time,
and claims let one sender attempt each delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from envsched.db import create_engine, database
from envsched.health import probe_environments
from envsched.models.planning import SCHEDULER_JOBS, PlanTrigger
from envsched.notify import Notifier, send_due, utc_now
from envsched.planning import ReplanBusy, replan
from envsched.settings import Settings

log = logging.getLogger(__name__)
REPLAN_JOB = "envsched-replan"
NOTIFY_JOB = "envsched-notify"
NOTIFY_EVERY_MINUTES = 1
HEALTH_JOB = "envsched-health"


def scheduled_replan() -> int | None:
    """One scheduled round, then what it queued is sent; returns the run's id, or None
    when another round was running."""
    settings = Settings.from_env()
    with database(settings) as sessions:
        try:
            run = replan(sessions, trigger=PlanTrigger.SCHEDULED, now=utc_now(), settings=settings)
        except ReplanBusy:
            log.info("scheduled re-plan skipped: another round is running")
            return None
        send_due(sessions, settings)  # the lock is given back: sending holds nobody up
    log.info("scheduled re-plan: run %s %s", run.id, run.status.value)
    return run.id


def scheduled_notify() -> int:
    """Queue what the audit log holds since the last look, send what is due; returns how
    many deliveries were attempted."""
    settings = Settings.from_env()
    with database(settings) as sessions:
        Notifier(settings).audit_events(sessions, utc_now())
        return sum(send_due(sessions, settings).values())


def scheduled_health() -> int:
    """Probe every environment's health URL and record what each found; returns how
    many were probed."""
    settings = Settings.from_env()
    with database(settings) as sessions:
        return probe_environments(sessions, settings, utc_now)


def build_scheduler(settings: Settings, engine: Engine | None = None) -> BlockingScheduler:
    """The scheduler with its jobs stored in the application database (not started)."""
    zone = ZoneInfo(settings.timezone)
    store = SQLAlchemyJobStore(
        engine=engine or create_engine(settings), tablename=SCHEDULER_JOBS.name
    )
    scheduler = BlockingScheduler(jobstores={"default": store}, timezone=zone)
    add_jobs(scheduler, settings)
    return scheduler


def add_jobs(
    scheduler: BaseScheduler,
    settings: Settings,
    replan_job: Callable[[], int | None] = scheduled_replan,
) -> None:
    """``replan_job``: the worker's queues the round instead of solving in the scheduler."""
    zone = ZoneInfo(settings.timezone)
    scheduler.add_job(
        replan_job,
        CronTrigger.from_crontab(settings.replan_cron, zone),
        id=REPLAN_JOB,
        name="nightly re-plan",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        scheduled_notify,
        "interval",
        minutes=NOTIFY_EVERY_MINUTES,
        id=NOTIFY_JOB,
        name="notifications: queue the audit log's, send what is due",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        scheduled_health,
        "interval",
        seconds=settings.health_interval_seconds,
        id=HEALTH_JOB,
        name="environment health: probe every health URL",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )


def run_scheduler(settings: Settings) -> None:
    """Block, running the jobs, until interrupted."""
    scheduler = build_scheduler(settings)
    log.info("envsched scheduler: re-plan on '%s' (%s)", settings.replan_cron, settings.timezone)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
