"""Running a what-if: plan the baseline and the changed scenario, store progress and results.

A run first takes a fresh copy of the live state (``whatif_snapshot.take_copy``) as the
what-if's base, so "Run again" plans what is stored now and the row says when that copy
was taken; then it applies the changes and plans. It writes only the what-if's own row,
never a booking, so the live plan cannot change because of it. A side the solver finds
no plan for (INFEASIBLE, UNKNOWN) fails the run with the solver's reason: no measures
are stored for it. Progress is written in short transactions of its own as the solver reports, so a
page polling ``get_whatif`` sees the step, stage, elapsed seconds, best objective and
bound. ``start_whatif_run`` runs the same work on a thread and returns at once.

The time limit is for the whole run: each of the two plans gets half of it. The run
writes only while it holds its claim (``whatif_claim``): a run judged interrupted and
claimed again cannot overwrite the new one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from envsched.db import SessionFactory, read_transaction
from envsched.errors import EnvschedError, InvalidInput, InvalidState
from envsched.models import User, WhatIf, WhatIfStatus
from envsched.planning.whatif.claim import Claim, claim, write_claimed
from envsched.planning.whatif.compare import compare_plans
from envsched.planning.whatif.snapshot import Snapshot, snapshot_of, take_copy
from envsched.planning.whatif.store import (
    WhatIfRef,
    base_scenario,
    changed_scenario,
    find,
    require_editor,
)
from solver import plan as solve
from solver.options import Options, Progress
from solver.plan import Plan
from solver.plan_file import plan_to_dict
from solver.scenario import Scenario

log = logging.getLogger(__name__)
OnProgress = Callable[[dict[str, Any]], None]
STEPS = ("baseline", "whatif")


def run_whatif(
    sessions: SessionFactory,
    ref: WhatIfRef,
    *,
    time_limit: float,
    now: dt.datetime,
    actor: User | None = None,
    workers: int = 2,
    on_progress: OnProgress | None = None,
) -> WhatIf:
    """Run in the caller's thread; returns the finished row (status done, or failed and
    the error re-raised). ``on_progress`` also gets each progress report as stored."""
    held = _claim(sessions, ref, time_limit=time_limit, now=now, actor=actor)
    _execute(sessions, held, now, time_limit, workers, background=False, on_progress=on_progress)
    with sessions() as session:
        return find(session, held.ident)


def start_whatif_run(
    sessions: SessionFactory,
    ref: WhatIfRef,
    *,
    time_limit: float,
    now: dt.datetime,
    actor: User | None = None,
    workers: int = 2,
) -> threading.Thread:
    """Claim the what-if (status running) and run it on a thread; returns the thread.

    The caller polls ``get_whatif`` for progress, or joins the thread.
    """
    held = _claim(sessions, ref, time_limit=time_limit, now=now, actor=actor)
    thread = threading.Thread(
        target=_execute,
        name=f"whatif-{held.ident}",
        daemon=True,
        args=(sessions, held, now, time_limit, workers),
        kwargs={"background": True},
    )
    thread.start()
    return thread


def run_claimed(
    sessions: SessionFactory, held: Claim, now: dt.datetime, time_limit: float, workers: int = 2
) -> None:
    """Run a what-if whose claim ``held`` the caller took (the solve queue's runner);
    a failure marks the row failed and is re-raised."""
    _execute(sessions, held, now, time_limit, workers, background=False)


def _claim(
    sessions: SessionFactory,
    ref: WhatIfRef,
    *,
    time_limit: float,
    now: dt.datetime,
    actor: User | None,
) -> Claim:
    require_editor(actor)
    if time_limit <= 0:
        raise InvalidInput("time_limit", f"must be positive, got {time_limit}")
    return claim(sessions, ref, time_limit=time_limit, now=now)


def _fresh_copy(sessions: SessionFactory, held: Claim, now: dt.datetime) -> None:
    """The live state now becomes the run's base: a run never plans a stale copy."""
    with read_transaction(sessions) as session:
        row = find(session, held.ident)
        asked = snapshot_of(row)
        base, snapshot = take_copy(session, row.name, now, asked.start, asked.horizon_days)
    write_claimed(sessions, held, base=base, snapshot=snapshot.to_dict())


def _execute(
    sessions: SessionFactory,
    held: Claim,
    now: dt.datetime,
    time_limit: float,
    workers: int,
    *,
    background: bool,
    on_progress: OnProgress | None = None,
) -> None:
    """A fresh copy, both plans, then the comparison; any failure marks the row failed
    with why."""
    try:
        _fresh_copy(sessions, held, now)
        with sessions() as session:
            row = find(session, held.ident)
            base, changed = base_scenario(row), changed_scenario(row)
        elapsed = 0.0
        plans = []
        for step, scenario in zip(STEPS, (base, changed), strict=True):
            report = _reporter(sessions, held, step, elapsed, on_progress)
            found = _plan(scenario, time_limit / 2, workers, report)
            elapsed += found.solver.seconds
            plans.append(found)
        require_plans(plans[0], plans[1])
        _finish(sessions, held, base, changed, plans, snapshot_of(row), elapsed)
    except Exception as exc:
        why = exc.message if isinstance(exc, EnvschedError) else f"{type(exc).__name__}: {exc}"
        write_claimed(sessions, held, status=WhatIfStatus.FAILED, error=why[:2000])
        if not background:
            raise
        log.exception("what-if %s failed", held.ident)


def _plan(
    scenario: Scenario, seconds: float, workers: int, report: Callable[[Progress], None]
) -> Plan:
    report(Progress(elapsed=0.0, stage="starting"))
    return solve(
        scenario, Options(time_limit=seconds, workers=workers, progress=report, max_moved_share=1.0)
    )  # as a round: every move


def _reporter(
    sessions: SessionFactory, held: Claim, step: str, before: float, also: OnProgress | None
) -> Callable[[Progress], None]:
    """Writes each solver report to the row; ``elapsed`` counts the whole run."""

    def report(progress: Progress) -> None:
        stored = {
            "step": step,
            "step_number": STEPS.index(step) + 1,
            "steps": len(STEPS),
            "stage": progress.stage,
            "elapsed": round(before + progress.elapsed, 2),
            "objective": progress.objective,
            "bound": progress.bound,
        }
        write_claimed(sessions, held, progress=stored)
        if also is not None:
            also(stored)

    return report


def require_plans(baseline: Plan, result: Plan) -> None:
    """No measures without two plans: a side the solver found no plan for ends the run,
    with the solver's answer and its reason."""
    missing = [
        _no_plan(side, found)
        for side, found in (("baseline", baseline), ("what-if", result))
        if not found.has_plan
    ]
    if missing:
        raise InvalidState("no plan to compare: " + "; ".join(missing))


def _no_plan(side: str, found: Plan) -> str:
    reason = found.reason or "the solver gave no reason"
    if found.status == "UNKNOWN":
        reason += " (within the time limit: run again with more solver seconds)"
    return f"the {side} is {found.status}: {reason}"


def _finish(
    sessions: SessionFactory,
    held: Claim,
    base: Scenario,
    changed: Scenario,
    plans: list[Plan],
    snapshot: Snapshot,
    elapsed: float,
) -> None:
    baseline, result = plans
    written = write_claimed(
        sessions,
        held,
        status=WhatIfStatus.DONE,
        baseline_plan=plan_to_dict(baseline, base),
        result_plan=plan_to_dict(result, changed),
        comparison=compare_plans(base, baseline, changed, result, snapshot),
        progress={
            "step": "done",
            "step_number": len(STEPS),
            "steps": len(STEPS),
            "stage": "done",
            "elapsed": round(elapsed, 2),
            "objective": result.solver.objective,
            "bound": result.solver.bound,
        },
    )
    if not written:
        raise InvalidState(
            f"what-if {held.ident}: this run was judged interrupted and "
            "its claim given up before it finished; its results were dropped"
        )
