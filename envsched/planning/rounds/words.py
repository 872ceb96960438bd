"""A planning round in words: who started it, what the solver's answer means, and its
figures under the names people use ("days late, weighted by priority", never "weighted
tardiness"; "last test ends", never "makespan").

Pages say a run through here; the precise figures stay in the run (the API and
``envsched replan --json`` give them as they are) and behind a "details" on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from envsched.days import day_text, last_day, moment_text
from envsched.models import PlanRun, PlanRunStatus, PlanTrigger
from envsched.models.round_results import Proposal
from envsched.run_titles import run_title

__all__ = ["run_title"]  # said here with the rest of a round's words; kept low for notify

# What the solver's answer means for the person reading the run.
SOLVER_WORDS = {
    "OPTIMAL": "the best possible plan was found",
    "FEASIBLE": "a good plan was found; time ran out before the planner could prove it the best",
    "INFEASIBLE": "no plan: the rules contradict each other",
    "UNKNOWN": "no plan was found in the time allowed",
}
# The run's counts a page shows, in its order, under names that say what they count.
METRIC_WORDS = {
    "placed_phases": "Phases placed",
    "unplaced_phases": "Phases left without a place",
    "late_releases": "Releases late",
    "weighted_tardiness": "Days late, weighted by priority",
    "moved_bookings": "Bookings moved",
}
# A what-if's measures: the same, and how long its plan runs.
COMPARISON_WORDS = {**METRIC_WORDS, "makespan_days": "Days until the last test ends"}
# Every figure a round records, for the page's "planner's own figures": precise, but
# named in words (the raw name is the API's).
FIGURE_WORDS = {
    **COMPARISON_WORDS,
    "weighted_unplaced": "Phases left without a place, weighted by priority",
    "makespan_days": "Days from the first day planned until the last test ends",
    "solver_seconds": "Seconds the planner took",
    "method": "How the planner searched",
    "last_end": "Last test ends",
}
TRIGGER_WORDS = {
    PlanTrigger.SCHEDULED: "the nightly round",
    PlanTrigger.MANUAL: "a re-plan started at a terminal",
    PlanTrigger.API: "Re-plan now",
}
# The rule a kept pinned booking breaks (the plan file's ``clashes[].rule``), as a person
# would name the trouble.
RULE_WORDS = {
    "unknown_phase": "no such phase",
    "unknown_environment": "no such environment",
    "eligibility": "the wrong kind of environment",
    "horizon": "beyond the days planned",
    "earliest_start": "starts too early",
    "unavailable": "in a maintenance window",
    "freeze": "in a change freeze",
    "capacity": "overbooked",
    "changeover": "no time to change over",
    "order": "out of order",
}


def started_words(run: PlanRun, starter: str | None) -> str:
    """``Re-plan now by Erin Ortiz``, ``window 2027-03 moved by Rita``, ``the nightly
    round``; ``starter`` is the person's name (None when nobody is recorded)."""
    if run.trigger != PlanTrigger.API and not run.cause:
        return TRIGGER_WORDS[run.trigger]
    what = run.cause or TRIGGER_WORDS[PlanTrigger.API]
    return f"{what} by {starter}" if starter else what


def auto_apply_words(run: PlanRun) -> str:
    """Who accepted when nobody did: the run's own auto-apply, named as its "Started by"
    names the run ("auto-apply of a re-plan started at a terminal")."""
    if run.cause:
        return f"auto-apply of the round after {run.cause}"
    return f"auto-apply of {TRIGGER_WORDS[run.trigger]}"


def figure_rows(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """A run's recorded figures as (what it is, its value) in words, in the order
    recorded: "Days late, weighted by priority", 12; "Last test ends", "16 Aug 2027"
    (``last_end`` is the day after, as stored). A figure no name is known for (an older
    round's) is said from its own name."""
    rows = []
    for key, value in metrics.items():
        label = FIGURE_WORDS.get(key) or key.replace("_", " ").capitalize()
        if key == "last_end" and isinstance(value, str):
            value = day_text(last_day(dt.date.fromisoformat(value)))
        rows.append((label, "—" if value is None else str(value)))
    return rows


def solver_words(status: str | None) -> str:
    return SOLVER_WORDS.get(status or "", "no answer from the planner")


def rule_words(rule: str) -> str:
    return RULE_WORDS.get(rule, rule.replace("_", " "))


def no_plan_error(status: str, reason: str) -> str:
    """Why a round that got no plan failed, as its error says it."""
    said = solver_words(status)
    return f"{said}: {reason}" if reason else said


def applied_words(run: PlanRun) -> str:
    """How much of a round's plan is in place, as its proposals record it: "all 71
    applied, 3 Dec 2026, 02:10 UTC", "70 of 71 applied, 1 refused", "70 of 71 applied,
    1 dropped", "none yet". A dropped proposal counts as dropped, not as refused."""
    if run.status != PlanRunStatus.DONE:
        return "—"
    if run.dry_run:
        return "nothing to apply (a dry run)"
    proposals: list[Proposal] = [*run.diff.moved, *run.diff.placed] if run.diff else []
    applied = sum(1 for p in proposals if p.applied)
    dropped = sum(1 for p in proposals if p.dropped and not p.applied)
    refused = sum(1 for p in proposals if p.refused and not p.applied and not p.dropped)
    if not proposals:
        return "nothing to apply"
    if applied == len(proposals):
        when = f", {moment_text(run.applied_at)}" if run.applied_at else ""
        return f"{'applied' if applied == 1 else f'all {applied} applied'}{when}"
    if not applied and not refused and not dropped:
        return "none yet"
    said = [f"{applied or 'none'} of {len(proposals)} applied"]
    said += [f"{refused} refused"] if refused else []
    said += [f"{dropped} dropped"] if dropped else []
    return ", ".join(said)
