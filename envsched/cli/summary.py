"""What the planning commands print: a progress line per improvement and a plan summary.

Pure functions from solver results to text, so the wording is tested without a terminal.
"""

from __future__ import annotations

from solver.options import Progress
from solver.plan import Plan, ReleaseOutcome
from solver.scenario import Scenario


def format_number(value: float | None) -> str:
    """Objective values print as integers when they are whole, ``-`` when unknown."""
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def format_progress(progress: Progress) -> str:
    line = (
        f"{progress.elapsed:7.1f}s  {progress.stage:<12} "
        f"best {format_number(progress.objective):>10}  "
        f"bound {format_number(progress.bound):>10}"
    )
    return f"{line}  {progress.message}" if progress.message else line


def format_late(outcome: ReleaseOutcome, scenario: Scenario) -> str:
    days = "day" if outcome.late_days == 1 else "days"
    line = f"{outcome.id}: {outcome.late_days} {days} late"
    if outcome.due is not None and outcome.end is not None:
        line += f" (due {scenario.date(outcome.due)}, ends {scenario.date(outcome.end)})"
    return f"{line}: {outcome.reason}" if outcome.reason else line


def format_gap(plan: Plan) -> str:
    gap = plan.solver.gap
    return "-" if gap is None else f"{gap:.1%}"


def format_bounds(plan: Plan) -> list[str]:
    """The capacity-aware lower bounds, when the plan carries them."""
    bounds = plan.solver.bounds
    if not bounds:
        return []
    return [
        f"  bound unplaced      {bounds['weighted_unplaced']} (weighted)",
        f"  bound tardiness     {bounds['weighted_tardiness']} (weighted, every phase placed)",
    ]


def format_clashes(plan: Plan) -> list[str]:
    """The rules kept pinned bookings break, one line each; nothing when the plan is silent."""
    if plan.clashes is None:
        return []
    return [
        f"  pinned clashes      {len(plan.clashes)}",
        *(f"    {c.phase} ({c.rule}): {c.message}" for c in plan.clashes),
    ]


def format_summary(plan: Plan, scenario: Scenario) -> str:
    """The plan's outcome in the order a planner reads it: status (and why, when there is
    no plan), coverage, the pinned bookings kept though they break a rule, lateness, then
    the run."""
    metrics = plan.metrics
    late = [r for r in plan.releases if r.late_days > 0]
    makespan = f"{metrics.makespan_days} days"
    if plan.assignments:
        makespan += f" (last phase ends {scenario.date(metrics.makespan_days)})"
    lines = [
        f"plan for {scenario.name}: {plan.status}",
        *([f"  reason              {plan.reason}"] if plan.reason else []),
        f"  placed              {metrics.placed_phases} of {len(scenario.phases)} phases",
        f"  unplaced            {metrics.unplaced_phases}",
        *(f"    {u.phase} ({u.release}): {u.reason}" for u in plan.unplaced),
        *format_clashes(plan),
        f"  late releases       {len(late)}",
        *(f"    {format_late(r, scenario)}" for r in late),
        f"  weighted tardiness  {metrics.weighted_tardiness}",
        f"  makespan            {makespan}",
        f"  moved bookings      {metrics.moved_bookings}",
        f"  method              {plan.solver.method} ({plan.solver.workers} workers)",
        f"  seconds             {plan.solver.seconds:.1f}",
        f"  gap                 {format_gap(plan)}",
        *format_bounds(plan),
    ]
    return "\n".join(lines)
