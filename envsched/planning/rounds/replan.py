"""One planning round: stored state -> scenario -> plan -> checked -> recorded as a PlanRun.

``replan`` is the one path for every trigger (the CLI, the nightly job, "Re-plan now"):

1. claim the round lock (``runlock``); a second round meanwhile is recorded as refused
   and raises ``ReplanBusy``; a run still "running" then was left so by a process that
   died, and is marked failed (interrupted);
2. build the round's scenario (``replan_scenario``: confirmed, in-use and near-term
   bookings pinned, tentative ones movable) and solve it within the time limit;
3. no plan (INFEASIBLE, UNKNOWN) or a plan the independent validator rejects: the run
   is recorded as failed with the reason, and no booking is touched;
4. otherwise record the diff (``replan_diff``) and the flags (``flags``); with
   ``replan_auto_apply`` apply the proposals at once (``replan_apply``), else they wait
   for an environment manager to accept them;
5. queue what to tell people (``notify``): new clashes or shortfalls, bookings moved.
   Only rows are written under the lock; the deliveries are sent after the round by
   whoever started it (``notify.send_due``) and retried later by the scheduler, so a
   slow mail server or a dead webhook never keeps the lock held.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from envsched.booking import clashes_in
from envsched.counted import counted
from envsched.db import SessionFactory, read_transaction
from envsched.errors import EnvschedError
from envsched.models import (
    OPEN_SOLVE_STATUSES,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    SolveJob,
    SolveKind,
    User,
)
from envsched.models.round_results import ClashFlag, RoundDiff, RoundFlags
from envsched.notify import Notifier
from envsched.planning.rounds import apply as replan_apply
from envsched.planning.rounds.diff import plan_diff
from envsched.planning.rounds.flags import (
    REMEDY_SECONDS,
    clash_flags,
    pinned_clash_flags,
    round_flags,
)
from envsched.planning.rounds.runlock import ReplanBusy, round_lock, round_running
from envsched.planning.rounds.scenario import RoundScenario, round_scenario
from envsched.planning.rounds.words import no_plan_error
from envsched.settings import Settings
from solver import Options, Progress
from solver import plan as solve
from solver.plan import Plan
from solver.scenario import Scenario
from solver.validate import validate

__all__ = [
    "ReplanBusy",
    "accept_proposal",
    "accept_run",
    "drop_proposal",
    "latest_runs",
    "replan",
    "settle_interrupted_runs",
]

log = logging.getLogger(__name__)
accept_run = replan_apply.accept_run
accept_proposal = replan_apply.accept_proposal
drop_proposal = replan_apply.drop_proposal
SHOWN_VIOLATIONS = 3
INTERRUPTED = "interrupted: the process running this round stopped before it finished"


# A round's moves are proposals a manager accepts one by one (or the nightly auto-apply
# takes what still fits), so the round keeps every move that pays: the planner's
# stability budget (docs/design.md) is for batch plans of `envsched plan`.
ROUND_MOVES = 1.0


def replan(
    sessions: SessionFactory,
    *,
    trigger: PlanTrigger | str,
    now: dt.datetime,
    dry_run: bool = False,
    time_limit: float | None = None,
    progress: Callable[[Progress], None] | None = None,
    settings: Settings | None = None,
    notifier: Notifier | None = None,
    started_by: User | None = None,
    cause: str = "",
    run_id: int | None = None,
) -> PlanRun:
    """Run one planning round and return its recorded ``PlanRun``; ``started_by`` and
    ``cause`` say who asked for it and why ("Re-plan now", a moved window). ``run_id``:
    the run a queued round recorded already (``envsched.solves``), filled in here."""
    settings = settings or Settings()
    started: dict[str, Any] = {
        "trigger": PlanTrigger(trigger),
        "dry_run": dry_run,
        "started_at": now,
        "started_by_id": started_by.id if started_by else None,
        "cause": cause,
    }
    limit = time_limit or settings.replan_time_limit
    try:
        with round_lock(sessions, now, limit):
            _fail_running(sessions, now)  # holding the lock: none of them is running
            run = _round(
                sessions,
                _begun(sessions, started, run_id),
                settings,
                Options(time_limit=limit, progress=progress, max_moved_share=ROUND_MOVES),
            )
            if not dry_run:  # queued only: nothing is sent while the lock is held
                (notifier or Notifier(settings)).after_round(sessions, run, now)
    except ReplanBusy:
        refused: dict[str, Any] = {
            "status": PlanRunStatus.REFUSED,
            "finished_at": now,
            "error": "another planning round was running",
        }
        if run_id is None:
            _record(sessions, PlanRun(**started, **refused))
        else:
            _update(sessions, run_id, refused)
        raise
    return run


def settle_interrupted_runs(sessions: SessionFactory, now: dt.datetime) -> None:
    """Mark failed the runs left "running" by a process that died before they ended.

    Only a round holding the lock runs, so when nothing holds it, no run is running.
    Pages and the API call this before they show runs."""
    with read_transaction(sessions) as session:
        running = session.exec(
            select(PlanRun.id).where(
                PlanRun.status == PlanRunStatus.RUNNING,
                col(PlanRun.id).not_in(
                    select(SolveJob.target_id).where(
                        SolveJob.kind == SolveKind.REPLAN,
                        col(SolveJob.status).in_(OPEN_SOLVE_STATUSES),
                    )
                ),
            )
        ).first()
    if running is not None and not round_running(sessions, now):
        _fail_running(sessions, now)


def _fail_running(sessions: SessionFactory, now: dt.datetime) -> None:
    """Fail the running runs no round holds, except those a queued solve fills in (the
    queue settles them: ``envsched.solves.queue``)."""
    queued = select(SolveJob.target_id).where(
        SolveJob.kind == SolveKind.REPLAN, col(SolveJob.status).in_(OPEN_SOLVE_STATUSES)
    )
    with sessions.begin() as session:
        for run in session.exec(
            select(PlanRun)
            .where(PlanRun.status == PlanRunStatus.RUNNING, col(PlanRun.id).not_in(queued))
            .with_for_update()
        ):
            run.status, run.error = PlanRunStatus.FAILED, INTERRUPTED
            run.finished_at = max(now, run.started_at)


def latest_runs(sessions: SessionFactory, limit: int = 20) -> list[PlanRun]:
    """The newest runs first: the history a UI or the API lists."""
    with read_transaction(sessions) as session:
        query = select(PlanRun).order_by(col(PlanRun.id).desc()).limit(limit)
        return list(session.exec(query).all())


def _record(sessions: SessionFactory, run: PlanRun) -> PlanRun:
    with sessions.begin() as session:
        session.add(run)
    return run


def _begun(sessions: SessionFactory, started: dict[str, Any], run_id: int | None) -> PlanRun:
    """The round's run: recorded now, or the queued one, begun now."""
    if run_id is None:
        return _record(sessions, PlanRun(**started))
    return _update(sessions, run_id, {"started_at": started["started_at"]})


def _update(sessions: SessionFactory, run_id: int, fields: dict[str, Any]) -> PlanRun:
    with sessions.begin() as session:
        run = session.get_one(PlanRun, run_id)
        for name, value in fields.items():
            setattr(run, name, value)
    return run


def _round(sessions: SessionFactory, run: PlanRun, settings: Settings, options: Options) -> PlanRun:
    now = run.started_at
    assert run.id is not None
    began = time.perf_counter()
    try:
        with read_transaction(sessions) as session:
            prepared = round_scenario(
                session,
                now,
                near_term_days=settings.near_term_days,
                horizon_days=settings.horizon_days,
            )
            clashes = clash_flags(clashes_in(session))
        result = solve(prepared.scenario, options)
        fields = _outcome(sessions, prepared, result, clashes, now, settings)
    except Exception as error:
        replan_apply.mark_failed(sessions, run.id, f"the round broke: {error}", now)
        raise
    finished = now + dt.timedelta(seconds=time.perf_counter() - began)
    run = _finish(sessions, run.id, finished, fields)
    if _should_apply(run, settings):
        run = _auto_apply(sessions, run.id or 0, finished)
    return run


def _outcome(
    sessions: SessionFactory,
    prepared: RoundScenario,
    result: Plan,
    clashes: list[ClashFlag],
    now: dt.datetime,
    settings: Settings,
) -> dict[str, Any]:
    """The run's columns for this solver result (failed when there is no usable plan)."""
    scenario = prepared.scenario
    fields: dict[str, Any] = {
        "solver_status": result.status,
        "objective": result.solver.objective,
        "bound": result.solver.bound,
        "metrics": _metrics(scenario, result),
        "flags": RoundFlags(clashes=clashes, left_out=list(prepared.left_out)),
        "diff": RoundDiff(),
    }
    if not result.has_plan:
        return dict(
            fields, status=PlanRunStatus.FAILED, error=no_plan_error(result.status, result.reason)
        )
    violations = validate(scenario, result)
    if violations:
        shown = "; ".join(v.message for v in violations[:SHOWN_VIOLATIONS])
        return dict(
            fields,
            status=PlanRunStatus.FAILED,
            error=f"the plan breaks {counted(len(violations), 'rule')}: {shown}",
        )
    stay = _stay_plan(prepared) if result.metrics.moved_bookings else None
    diff = plan_diff(scenario, result, prepared.booked, stay)
    return dict(
        fields,
        status=PlanRunStatus.DONE,
        metrics={**fields["metrics"], "moved_bookings": len(diff.moved)},  # strays too
        diff=diff,
        flags=_flags(sessions, prepared, result, clashes, now, settings),
    )


def _flags(
    sessions: SessionFactory,
    prepared: RoundScenario,
    result: Plan,
    clashes: list[ClashFlag],
    now: dt.datetime,
    settings: Settings,
) -> RoundFlags:
    weeks = max(1, settings.horizon_days // 7)
    flags = round_flags(sessions, prepared.scenario, result, clashes, now.date(), weeks)
    booking_ids = {phase: b.booking_id for phase, b in prepared.booked.items()}
    return flags.model_copy(
        update={
            "left_out": list(prepared.left_out),
            "pinned": pinned_clash_flags(prepared.scenario, result, booking_ids),
        }
    )


def _metrics(scenario: Scenario, result: Plan) -> dict[str, Any]:
    """The solver's counts, and the day the last placed phase ends (its ``makespan_days``
    as a date, for people: "last test ends 12 Oct 2027")."""
    last_end = scenario.date(result.metrics.makespan_days) if result.assignments else None
    return {
        **dataclasses.asdict(result.metrics),
        "solver_seconds": round(result.solver.seconds, 3),
        "method": result.solver.method,
        "last_end": last_end.isoformat() if last_end else None,
    }


def _stay_plan(prepared: RoundScenario) -> Plan | None:
    """The plan with every booking pinned where it is: what moving bookings is measured by."""
    stay = solve(
        prepared.staying(),
        Options(time_limit=REMEDY_SECONDS, workers=2, max_moved_share=ROUND_MOVES),
    )
    return stay if stay.status != "UNKNOWN" else None


def _finish(
    sessions: SessionFactory, run_id: int, finished: dt.datetime, fields: dict[str, Any]
) -> PlanRun:
    with sessions.begin() as session:
        run = session.get_one(PlanRun, run_id)
        for name, value in fields.items():
            setattr(run, name, value)
        run.finished_at = finished
    return run


def _should_apply(run: PlanRun, settings: Settings) -> bool:
    return settings.replan_auto_apply and replan_apply.acceptable(run)


def _auto_apply(sessions: SessionFactory, run_id: int, now: dt.datetime) -> PlanRun:
    """Apply every proposal that fits; each one refused is logged with its reason."""
    try:
        run = replan_apply.accept_run(sessions, run_id, actor=None, now=now)
    except EnvschedError as error:  # the run itself refused (never one proposal)
        log.warning("plan run %s could not be applied: %s", run_id, error)
        with read_transaction(sessions) as session:
            return session.get_one(PlanRun, run_id)
    accepted = replan_apply.last_accept(run)
    for refused in accepted.refused if accepted else []:
        log.warning(
            "plan run %s: the proposal for %s was refused: %s",
            run_id,
            refused.phase,
            refused.reason,
        )
    return run
