"""Rows as a crashed process leaves them: a what-if or a plan run "running" for ever, a
SQLite round lock still held. Written straight to the database, as the process had."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess

from sqlalchemy import text

from envsched.db import SessionFactory
from envsched.models import PlanRun, PlanRunStatus, PlanTrigger, WhatIf, WhatIfStatus
from envsched.planning.rounds.runlock import LOCK_NAME, engine_of


def dead_owner() -> str:
    """An owner on this host whose process has ended: a child that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:0dead0ff"


def elsewhere_owner() -> str:
    """An owner on another host: whether it lives cannot be known from here."""
    return "another-host.example:4242:c0ffee00"


def stuck_whatif(
    sessions: SessionFactory,
    ident: int,
    *,
    owner: str | None,
    started_at: dt.datetime,
    time_limit: float | None,
) -> None:
    with sessions.begin() as session:
        row = session.get_one(WhatIf, ident)
        row.status, row.started_at = WhatIfStatus.RUNNING, started_at
        row.run_owner, row.run_time_limit = owner, time_limit
        row.progress = {
            "step": "baseline",
            "step_number": 1,
            "steps": 2,
            "stage": "cp-sat",
            "elapsed": 1.0,
            "objective": 5,
            "bound": 0,
        }


def stuck_run(sessions: SessionFactory, started_at: dt.datetime) -> int:
    with sessions.begin() as session:
        run = PlanRun(
            trigger=PlanTrigger.SCHEDULED, status=PlanRunStatus.RUNNING, started_at=started_at
        )
        session.add(run)
        session.flush()
        assert run.id is not None
        return run.id


def held_sqlite_lock(
    sessions: SessionFactory, holder: str, claimed_at: dt.datetime, stale_at: dt.datetime
) -> None:
    """The plan_lock row as a holder leaves it (SQLite; PostgreSQL's lock dies with it)."""
    naive = {
        "claimed_at": claimed_at.astimezone(dt.UTC).replace(tzinfo=None),
        "stale_at": stale_at.astimezone(dt.UTC).replace(tzinfo=None),
    }
    with engine_of(sessions).begin() as connection:
        connection.execute(text("DELETE FROM plan_lock WHERE name = :name"), {"name": LOCK_NAME})
        connection.execute(
            text(
                "INSERT INTO plan_lock (name, holder, claimed_at, stale_at) "
                "VALUES (:name, :holder, :claimed_at, :stale_at)"
            ),
            {"name": LOCK_NAME, "holder": holder, **naive},
        )
