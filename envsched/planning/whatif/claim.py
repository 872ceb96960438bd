"""A what-if run's claim: taken atomically, written to only by its holder, and given up
when the run was interrupted.

A run is interrupted when the process that claimed it is provably gone, or when it is
still "running" long after its time limit (``envsched.claims``): a process killed in
the middle of a run never writes "failed" itself. Such a run can be claimed again, and
``settle_interrupted`` marks it failed with why, so nobody waits for it forever. A run
that was only slow and comes back after that finds its claim gone: its writes are
dropped, so it can never overwrite the run that took its place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from envsched.claims import new_owner, overdue, owner_gone
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidState
from envsched.models import WhatIf, WhatIfStatus
from envsched.planning.whatif.store import WhatIfRef, find

RUNNABLE = (WhatIfStatus.DRAFT, WhatIfStatus.DONE, WhatIfStatus.FAILED, WhatIfStatus.CANCELLED)
QUEUED = "queue:"  # the run_owner of a run waiting in the solve queue
# Beyond the solver's time limit: reading the what-if, comparing the plans, writing.
MARGIN = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    ident: int
    owner: str


def claim(
    sessions: SessionFactory, ref: WhatIfRef, *, time_limit: float, now: dt.datetime
) -> Claim:
    """Mark the what-if running for a new owner, clearing the last results."""
    owner = new_owner()
    with sessions.begin() as session:
        row = find(session, ref, for_update=True)
        require_runnable(row, now)
        row.status, row.started_at, row.error = WhatIfStatus.RUNNING, now, ""
        row.run_owner, row.run_time_limit = owner, time_limit
        row.progress = row.baseline_plan = row.result_plan = row.comparison = None
        assert row.id is not None
        return Claim(row.id, owner)


def require_runnable(row: WhatIf, now: dt.datetime) -> None:
    if row.status in RUNNABLE or interrupted(row, now):
        return
    if row.status == WhatIfStatus.RUNNING:
        raise InvalidState(
            f"what-if {row.name!r} is running (for at most "
            f"{row.run_time_limit or 0:g} s); wait for it to finish"
        )
    raise InvalidState(
        f"what-if {row.name!r} is {row.status.value}; only a draft, done or failed what-if can run"
    )


def interrupted(row: WhatIf, now: dt.datetime) -> str | None:
    """Why the row's run is no longer really running; None if it is not running or may be."""
    if row.status != WhatIfStatus.RUNNING or (row.run_owner or "").startswith(QUEUED):
        return None  # a queued run is the solve queue's to settle (``envsched.solves``)
    if owner_gone(row.run_owner):
        return f"interrupted: the process running it ({row.run_owner}) has ended"
    limit = row.run_time_limit or 0.0
    if row.started_at is None or overdue(row.started_at, limit, MARGIN, now):
        minutes = MARGIN.total_seconds() / 60
        return f"interrupted: not finished {minutes:g} minutes after its time limit of {limit:g} s"
    return None


def write_claimed(sessions: SessionFactory, held: Claim, **values: Any) -> bool:
    """Write to the what-if only while ``held`` is still its claim; False when it is not."""
    with sessions.begin() as session:
        row = session.get(WhatIf, held.ident, with_for_update=True)
        if row is None or row.status != WhatIfStatus.RUNNING or row.run_owner != held.owner:
            return False
        for key, value in values.items():
            setattr(row, key, value)
    return True


def settle_interrupted(sessions: SessionFactory, now: dt.datetime) -> None:
    """Mark failed, with why, every what-if whose run was interrupted."""
    with read_transaction(sessions) as session:
        running = session.exec(select(WhatIf).where(WhatIf.status == WhatIfStatus.RUNNING))
        suspects = [Claim(r.id or 0, r.run_owner or "") for r in running if interrupted(r, now)]
    for suspect in suspects:
        with sessions.begin() as session:
            row = session.get_one(WhatIf, suspect.ident, with_for_update=True)
            reason = interrupted(row, now) if (row.run_owner or "") == suspect.owner else None
            if reason is not None:
                row.status, row.error = WhatIfStatus.FAILED, reason
