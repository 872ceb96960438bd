"""Plan runs: the history of planning rounds, "Re-plan now", and accepting proposals.

``POST /plan-runs`` takes the nightly job's path (``web.background.replan_now``) and
answers 202 with the run as soon as it has begun; another round running is 409.
Accepting goes through ``envsched.planning.rounds.replan``: every open proposal that
still fits applies, the rest are refused one by one (``last_accept``) and stay open; a
refusal is no error.
Accepting one proposal that is refused answers 409 with the reason; dropping one closes
it unapplied (``diff.drops``), so the run no longer counts it open.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from envsched import planning
from envsched.db import read_transaction
from envsched.errors import NotFound
from envsched.models import PlanRun, SolveKind
from envsched.planning import (
    AcceptIn,
    PlanRunDetailOut,
    PlanRunOut,
    ReplanIn,
    last_accept,
    open_proposals,
)
from web.api import queries
from web.api.routing import JSON, Route, actor
from web.api.schemas import Page, Paging
from web.background import queue_of, replan_now
from web.context import now, sessions

SUMMARY_FIELDS = (
    "id",
    "trigger",
    "status",
    "dry_run",
    "started_at",
    "finished_at",
    "solver_status",
    "objective",
    "bound",
    "applied",
    "applied_at",
    "error",
    "metrics",
)


def run_summary(run: PlanRun) -> JSON:
    data: dict[str, Any] = {name: getattr(run, name) for name in SUMMARY_FIELDS}
    data.update(
        trigger=run.trigger.value,
        status=run.status.value,
        open_proposals=open_proposals(run),
        queue=queue_of(SolveKind.REPLAN, run.id),
    )
    for name in ("started_at", "finished_at", "applied_at"):
        data[name] = data[name].isoformat() if data[name] is not None else None
    return data


def run_detail(run: PlanRun) -> JSON:
    accepted = last_accept(run)
    return {
        **run_summary(run),
        "flags": run.flags.stored() if run.flags else {},
        "diff": run.diff.stored() if run.diff else {},
        "last_accept": accepted.stored() if accepted else None,
    }


def find_run(run_id: int) -> PlanRun:
    planning.settle_interrupted_runs(sessions(), now())
    with read_transaction(sessions()) as session:
        run = session.get(PlanRun, run_id)
    if run is None:
        raise NotFound("plan run", run_id)
    return run


def list_runs(query: Paging) -> JSON:
    planning.settle_interrupted_runs(sessions(), now())
    with read_transaction(sessions()) as session:
        rows = select(PlanRun).order_by(col(PlanRun.id).desc())
        return queries.page(session, rows, query, run_summary)


def get_run(run_id: int) -> JSON:
    return run_detail(find_run(run_id))


def start_run(body: ReplanIn) -> JSON:
    return run_detail(replan_now(time_limit=body.time_limit, dry_run=body.dry_run))


def accept_run(run_id: int) -> JSON:
    find_run(run_id)  # 404 first: the service would try to mark a missing run failed
    return run_detail(planning.accept_run(sessions(), run_id, actor=actor(), now=now()))


def accept_proposal(run_id: int, phase: str, body: AcceptIn) -> JSON:
    accepted = planning.accept_proposal(
        sessions(), run_id, phase, actor=actor(), now=now(), quota_reason=body.quota_reason
    )
    return run_detail(accepted)


def drop_proposal(run_id: int, phase: str) -> JSON:
    return run_detail(planning.drop_proposal(sessions(), run_id, phase, actor=actor(), now=now()))


ROUTES = [
    Route(
        "GET",
        "/plan-runs",
        list_runs,
        "planruns:read",
        "List planning rounds, newest first",
        Page[PlanRunOut],
        query=Paging,
        errors=(400,),
    ),
    Route(
        "POST",
        "/plan-runs",
        start_run,
        "planruns:run",
        "Re-plan now: start a planning round (the nightly job's path); 202 once it has "
        "begun, 409 while another round runs",
        PlanRunDetailOut,
        202,
        body=ReplanIn,
        errors=(409,),
        example={"time_limit": 2, "dry_run": True},
    ),
    Route(
        "GET",
        "/plan-runs/<int:run_id>",
        get_run,
        "planruns:read",
        "A planning round: status, metrics, flags and diff",
        PlanRunDetailOut,
        errors=(404,),
    ),
    Route(
        "POST",
        "/plan-runs/<int:run_id>/accept",
        accept_run,
        "planruns:accept",
        "Accept every open proposal of the newest finished round that still fits; the "
        "others stay open, each listed in last_accept.refused with its reason",
        PlanRunDetailOut,
        errors=(404, 409),
    ),
    Route(
        "POST",
        "/plan-runs/<int:run_id>/proposals/<phase>/accept",
        accept_proposal,
        "planruns:accept",
        "Accept the round's one proposal for a phase; 409 with the "
        "reason when it no longer fits (it stays open); past its owner's team quota "
        "only with a quota_reason",
        PlanRunDetailOut,
        errors=(400, 404, 409),
        body=AcceptIn,
    ),
    Route(
        "POST",
        "/plan-runs/<int:run_id>/proposals/<phase>/drop",
        drop_proposal,
        "planruns:accept",
        "Drop the round's one open proposal for a phase (one refused for good, say): it "
        "books nothing and is no longer open; diff.drops records who dropped it when",
        PlanRunDetailOut,
        errors=(400, 404, 409),
    ),
]
