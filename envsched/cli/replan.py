"""``envsched replan``: one planning round, at a terminal (the nightly one is the worker's).

The clock is read here, once per command. Errors are not caught: ``TranslatingGroup``
turns ``ReplanBusy`` (another round is running) into exit code 1 and one line.
"""

from __future__ import annotations

import json
from typing import Any

import click

from envsched.cli.errors import EXIT_PROBLEMS
from envsched.cli.planning import print_progress
from envsched.cli.stored import stored_state, utc_now
from envsched.models import PlanRun, PlanRunStatus, PlanTrigger
from envsched.models.round_results import RefusedOne, RoundDiff, RoundFlags
from envsched.notify import send_due
from envsched.planning import last_accept
from envsched.planning import replan as run_round
from envsched.settings import Settings


@click.command()
@click.option("--dry-run", is_flag=True, help="Plan and report, but propose and apply nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Solver seconds (default ENVSCHED_REPLAN_TIME_LIMIT).",
)
def replan(dry_run: bool, as_json: bool, time_limit: float | None) -> None:
    """One planning round over the stored state.

    Progress goes to stderr; the run to stdout. Exits 1 when the round failed.
    """
    settings = Settings.from_env()
    with stored_state() as sessions:
        run = run_round(
            sessions,
            trigger=PlanTrigger.MANUAL,
            now=utc_now(),
            dry_run=dry_run,
            time_limit=time_limit,
            progress=print_progress,
            settings=settings,
        )
        send_due(sessions, settings)  # what the round queued; failures wait for retries
    click.echo(json.dumps(run_to_dict(run), indent=2) if as_json else summary(run))
    if run.status != PlanRunStatus.DONE:
        raise SystemExit(EXIT_PROBLEMS)


def run_to_dict(run: PlanRun) -> dict[str, Any]:
    """The run as ``--json`` prints it (and as an API may return it)."""
    return {
        "id": run.id,
        "trigger": run.trigger.value,
        "status": run.status.value,
        "dry_run": run.dry_run,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "solver_status": run.solver_status,
        "objective": run.objective,
        "bound": run.bound,
        "applied": run.applied,
        "error": run.error,
        "metrics": run.metrics,
        "flags": run.flags.stored() if run.flags else {},
        "diff": run.diff.stored() if run.diff else {},
    }


def summary(run: PlanRun) -> str:
    diff, flags = run.diff or RoundDiff(), run.flags or RoundFlags()
    lines = [
        f"plan run {run.id}: {run.status.value} ({run.solver_status or 'no solver status'})"
        + (" — dry run" if run.dry_run else "")
    ]
    if run.error:
        lines.append(f"  {run.error}")
    lines.append(
        f"  moved {len(diff.moved)}, placed {len(diff.placed)}, "
        f"unplaced {len(diff.unplaced)}" + (" — applied" if run.applied else "")
    )
    if diff.gain:
        lines.append(f"  {diff.gain}")
    lines += [f"  refused {r.phase}: {r.reason}" for r in _refused(run)]
    lines.append(
        f"  clashes {len(flags.clashes)}, "
        f"pinned bookings breaking a rule {len(flags.pinned)}, "
        f"shortfalls {len(flags.shortfalls)}, "
        f"late releases {len(flags.late)}"
    )
    lines += [f"  pinned: {c.message}" for c in flags.pinned]
    lines += [f"  remedy: {remedy}" for remedy in flags.remedies]
    return "\n".join(lines)


def _refused(run: PlanRun) -> list[RefusedOne]:
    """The proposals the newest accept of ``run`` refused (auto-apply's, for a round)."""
    accepted = last_accept(run)
    return list(accepted.refused) if accepted else []


COMMANDS = (replan,)
