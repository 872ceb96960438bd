"""Plan runs and what-ifs for the API world (``api_world``), made only when a test asks.

The permission and OpenAPI tests visit every route with the ids of real rows. A plan
run and a what-if cost a solve each, so they are made the first time a path under
``/plan-runs/`` or ``/what-ifs/`` needs them, with the real services and tiny time
limits: a finished round proposing ``R1-SIT`` (unbooked in the world), and a what-if
that re-prioritises R1 (one change, run, promotable: it invents no environment).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from envsched.db import SessionFactory
from envsched.inventory.availability import environment_named
from envsched.models import Booking, PlanRun, PlanTrigger, User
from envsched.planning.rounds import replan
from envsched.planning.whatif import service as whatif
from envsched.settings import Settings
from envsched.solves import queue_whatif
from tests.envsched.factories import diff_of
from tests.web.helpers import NOW

SECONDS = 2
PROPOSED_PHASE = "R1-SIT"


class PlanningRows:
    """Makes the rows on first use, once per world."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions
        self.values: dict[str, Any] = {}

    def __call__(self, rule_path: str) -> dict[str, Any]:
        if "/plan-runs/" in rule_path and "run_id" not in self.values:
            self.values.update(run_id=self._run(), phase=PROPOSED_PHASE)
        if "/what-ifs/" in rule_path and "whatif_id" not in self.values:
            self.values.update(whatif_id=self._whatif(), index=0)
        if "/solves/" in rule_path and "job_id" not in self.values:
            self.values.update(job_id=self._queued())
        return self.values

    def _queued(self) -> int:
        """A what-if run waiting in the solve queue (a worker would take it)."""
        row = whatif.create_whatif(self.sessions, "world-queued", actor=None, now=NOW)
        job = queue_whatif(self.sessions, row.id or 0, time_limit=SECONDS, now=NOW, actor=None)
        assert job.id is not None
        return job.id

    def _run(self) -> int:
        run = a_round(self.sessions)
        assert any(p.phase == PROPOSED_PHASE for p in diff_of(run).placed), run.diff
        assert run.id is not None
        return run.id

    def _whatif(self) -> int:
        row = whatif.create_whatif(
            self.sessions, "world-plan", actor=None, now=NOW - dt.timedelta(hours=1)
        )
        whatif.add_change(
            self.sessions,
            row.id or 0,
            {"kind": "reprioritise_release", "release": "R1", "priority": 3},
            actor=None,
        )
        done = whatif.run_whatif(self.sessions, row.id or 0, time_limit=SECONDS, now=NOW)
        assert done.id is not None
        return done.id


def a_round(
    sessions: SessionFactory,
    trigger: PlanTrigger = PlanTrigger.MANUAL,
    started_by: User | None = None,
) -> PlanRun:
    """A finished round of the real planner at ``NOW``, with the pages' tiny time limit."""
    return replan.replan(
        sessions,
        trigger=trigger,
        now=NOW,
        time_limit=SECONDS,
        settings=Settings(replan_time_limit=SECONDS),
        started_by=started_by,
    )


def block_the_proposal_for(sessions: SessionFactory, run_id: int, phase: str) -> str:
    """Book the days of the run's proposal for ``phase`` by hand, as someone might meanwhile;
    returns the environment's name."""
    with sessions.begin() as session:
        run = session.get_one(PlanRun, run_id)
        [where] = [p for p in diff_of(run).placed if p.phase == phase]
        env = environment_named(session, where.environment)
        session.add_all(
            Booking(
                environment_id=env.id or 0,
                start=dt.date.fromisoformat(where.start),
                end=dt.date.fromisoformat(where.end),
                exclusive=False,
                created_at=NOW,
                updated_at=NOW,
            )
            for _ in range(env.capacity)
        )
    return str(where.environment)
