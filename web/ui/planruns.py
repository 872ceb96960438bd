"""Plan-run pages: the history of planning rounds, one round's diff and flags, and the
buttons that start a round ("Re-plan now") or accept its proposals.

Each action is one service call (the same as the API's); a refusal — another round
running, a run out of date, a booking changed since — comes back as a message on the
page, not an error page. "Accept all" applies what fits and says which proposals were
refused and why; they keep their own Accept button, and a "Drop" button that closes
one for good (it books nothing, and the run no longer counts it open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlmodel import Session, col, select

from envsched import planning
from envsched.counted import counted
from envsched.days import last_day
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models import PlanRun, PlanRunStatus, SolveKind, User
from envsched.models.round_results import RoundDiff, RoundFlags
from envsched.planning import acceptable, last_accept, open_proposals
from web.api.planruns import find_run
from web.auth import current_user, requires
from web.background import queue_of, queued_of, replan_now, shown_status
from web.context import now, sessions
from web.ui import round_words
from web.ui.params import int_arg

PER_PAGE = 25


@requires("planruns:read")
def planrun_list() -> Any:
    page = int_arg("page", 1, low=1, high=10_000)
    planning.settle_interrupted_runs(sessions(), now())
    with read_transaction(sessions()) as session:
        runs = list(
            session.exec(
                select(PlanRun)
                .order_by(col(PlanRun.id).desc())
                .offset((page - 1) * PER_PAGE)
                .limit(PER_PAGE + 1)
            ).all()
        )
        started = _started_words(session, runs[:PER_PAGE])
    return render_template(
        "planruns.html",
        runs=runs[:PER_PAGE],
        page=page,
        more=len(runs) > PER_PAGE,
        open_proposals=open_proposals,
        applied_words=planning.applied_words,
        started=started,
        run_title=planning.run_title,
        queued=queued_of(SolveKind.REPLAN),
    )


@requires("planruns:read")
def planrun_detail(run_id: int) -> Any:
    run = find_run(run_id)
    queue = queue_of(SolveKind.REPLAN, run.id)
    with read_transaction(sessions()) as session:
        started = _started_words(session, [run])[run.id or 0]
    return render_template(
        "planrun.html",
        run=run,
        started=started,
        metric_words=planning.METRIC_WORDS,
        figures=planning.figure_rows(run.metrics or {}),
        solver_words=planning.solver_words(run.solver_status),
        rule_words=planning.rule_words,
        title=planning.run_title(run),
        move_why=round_words.move_why,
        late_words=round_words.late_words,
        plain_text=round_words.plain_text,
        sentence=round_words.sentence,
        last_end=_last_day(run),
        flags=run.flags or RoundFlags(),
        diff=run.diff or RoundDiff(),
        open_count=open_proposals(run),
        applied=planning.applied_words(run),
        acceptable=acceptable(run),
        droppable=open_proposals(run) > 0 and run.status == PlanRunStatus.DONE,
        running=run.status == PlanRunStatus.RUNNING,
        queue=queue,
        shown=shown_status(run.status.value, queue),
    )


def _started_words(session: Session, runs: list[PlanRun]) -> dict[int, str]:
    """Run id -> who or what started it, in words ("Re-plan now by Erin Ortiz")."""
    ids = {r.started_by_id for r in runs if r.started_by_id is not None}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
    names = {u.id: u.full_name or u.name for u in users}
    return {r.id or 0: planning.started_words(r, names.get(r.started_by_id)) for r in runs}


def _last_day(run: PlanRun) -> dt.date | None:
    """The last day a placed phase runs ("last test ends"), if the run recorded it."""
    end = (run.metrics or {}).get("last_end")
    return last_day(dt.date.fromisoformat(end)) if end else None


@requires("planruns:run")
def planrun_start() -> Any:
    dry_run = request.form.get("dry_run") == "on"
    try:
        run = replan_now(dry_run=dry_run)
    except EnvschedError as exc:
        flash(exc.said, "error")
        return redirect(url_for("ui.planrun_list"))
    flash(f"{planning.run_title(run)} started.", "success")
    return redirect(url_for("ui.planrun_detail", run_id=run.id))


@requires("planruns:accept")
def planrun_accept(run_id: int) -> Any:
    find_run(run_id)  # 404 first: a page, not a message, for a run that does not exist
    try:
        run = planning.accept_run(sessions(), run_id, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(f"{exc.said[:1].upper()}{exc.said[1:]}", "error")
    else:
        _flash_accept(run)
    return redirect(url_for("ui.planrun_detail", run_id=run_id))


def _flash_accept(run: PlanRun) -> None:
    accepted = last_accept(run)
    applied = counted(len(accepted.applied) if accepted else 0, "proposal")
    flash(f"{applied.capitalize()} applied.", "success")
    for refused in accepted.refused if accepted else []:
        flash(f"The proposal for {refused.phase} was refused: {refused.reason}", "error")


@requires("planruns:accept")
def proposal_accept(run_id: int, phase: str) -> Any:
    return _act(
        run_id,
        lambda: planning.accept_proposal(
            sessions(),
            run_id,
            phase,
            actor=current_user(),
            now=now(),
            quota_reason=request.form.get("quota_reason"),
        ),
        f"the proposal for {phase} was applied",
    )


@requires("planruns:accept")
def proposal_drop(run_id: int, phase: str) -> Any:
    return _act(
        run_id,
        lambda: planning.drop_proposal(sessions(), run_id, phase, actor=current_user(), now=now()),
        f"the proposal for {phase} was dropped: it books nothing and is no longer open",
    )


def _act(run_id: int, action: Callable[[], Any], done: str) -> Any:
    try:
        action()
    except EnvschedError as exc:
        flash(f"{exc.said[:1].upper()}{exc.said[1:]}", "error")
    else:
        flash(f"{done[:1].upper()}{done[1:]}.", "success")
    return redirect(url_for("ui.planrun_detail", run_id=run_id))
