"""Trouble a round sees ahead, and the cheapest remedy the solver can find, in words.

* ``clashes``: what is wrong with the stored bookings now (``clashes.clashes_in``);
* ``pinned``: each rule a pinned booking breaks, which the plan keeps all the same
  (``Plan.clashes``), with what it ``blocks``: the phases the plan leaves unplaced that
  could run on its environment, and the other phases of the clash left unplaced;
* ``shortfalls``: runs of weeks where a type's demand forecast beats its supply
  (``capacity.capacity_report``), with the releases the plan leaves late or unplaced
  that need that type;
* ``late``: releases the plan ends after their due day, with the solver's reason;
* ``remedies``: for each short type with suffering releases, the solver re-plans with
  one more environment of that type for those weeks (a what-if on a copy of the
  scenario, a few seconds at most) and says which releases it brings in on time; and
  for each late release, the slip of its due day that the plan needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

import pandas as pd

from envsched.booking import StateClash
from envsched.db import SessionFactory
from envsched.models.round_results import ClashFlag, LateFlag, PinnedFlag, RoundFlags, ShortfallFlag
from envsched.planning.capacity import capacity_report
from solver import Options
from solver import plan as solve
from solver.plan import Clash, Plan
from solver.scenario import Environment, Scenario, Window

REMEDY_SECONDS = 2.0  # per what-if re-plan
MAX_REMEDY_TRIES = 2  # short types tried, worst first
WEEK = dt.timedelta(days=7)


def clash_flags(clashes: list[StateClash]) -> list[ClashFlag]:
    return [
        ClashFlag.model_validate(
            dict(
                asdict(c),
                start=c.start.isoformat(),
                end=c.end.isoformat(),
                booking_ids=list(c.booking_ids),
            )
        )
        for c in clashes
    ]


def pinned_clash_flags(
    scenario: Scenario, plan: Plan, booking_ids: Mapping[str, int]
) -> list[PinnedFlag]:
    """The rules the kept pinned bookings break, each with its booking and what it blocks."""
    unplaced = {u.phase for u in plan.unplaced}
    return [
        PinnedFlag(
            booking=booking_ids.get(c.phase),
            phase=c.phase,
            release=c.release,
            environment=c.environment,
            start=scenario.date(c.start).isoformat(),
            end=scenario.date(c.end).isoformat() if c.end is not None else None,
            rule=c.rule,
            message=c.message,
            involves=list(c.involves),
            blocks=_blocked_by(scenario, c, unplaced),
        )
        for c in plan.clashes or ()
    ]


def _blocked_by(scenario: Scenario, clash: Clash, unplaced: set[str]) -> list[str]:
    could_use = {p for p in unplaced if clash.environment in scenario.eligible.get(p, ())}
    return sorted(could_use | (unplaced & set(clash.involves)))


def round_flags(
    sessions: SessionFactory,
    scenario: Scenario,
    plan: Plan,
    clashes: list[ClashFlag],
    today: dt.date,
    weeks: int,
) -> RoundFlags:
    shortfalls = shortfall_runs(capacity_report(sessions, today, weeks), scenario, plan)
    late = late_releases(scenario, plan)
    remedies = [
        *extra_environment_remedies(scenario, plan, shortfalls),
        *slip_remedies(scenario, late),
    ]
    return RoundFlags(clashes=clashes, shortfalls=shortfalls, late=late, remedies=remedies)


# -- shortfalls -----------------------------------------------------------------------------


def shortfall_runs(report: pd.DataFrame, scenario: Scenario, plan: Plan) -> list[ShortfallFlag]:
    """Consecutive short weeks of one type, merged, with the releases that suffer."""
    runs: list[dict[str, Any]] = []
    short = report[report["shortfall_days"] > 0].sort_values(["type", "week_start"])
    for row in short.to_dict("records"):
        week, days = row["week_start"].date(), int(row["shortfall_days"])
        last = runs[-1] if runs else None
        if last and last["type"] == row["type"] and last["_last"] + WEEK == week:
            last.update(_last=week, short_days=last["short_days"] + days)
        else:
            runs.append({"type": row["type"], "_first": week, "_last": week, "short_days": days})
    return [_described(run, scenario, plan) for run in runs]


def _described(run: dict[str, Any], scenario: Scenario, plan: Plan) -> ShortfallFlag:
    first, last = run["_first"], run["_last"]
    return ShortfallFlag(
        type=run["type"],
        first_week=first.isoformat(),
        last_week=last.isoformat(),
        weeks=_weeks(first, last),
        short_days=run["short_days"],
        releases=suffering(scenario, plan, run["type"]),
    )


def _weeks(first: dt.date, last: dt.date) -> str:
    a, b = first.isocalendar().week, last.isocalendar().week
    return f"week {a}" if a == b else f"weeks {a}–{b}"


def suffering(scenario: Scenario, plan: Plan, type_name: str) -> list[str]:
    """Releases late or with unplaced phases that have a phase of ``type_name``."""
    troubled = {r.id for r in plan.releases if r.late_days > 0}
    troubled |= {u.release for u in plan.unplaced}
    return sorted(
        r.id
        for r in scenario.releases
        if r.id in troubled and any(ph.type == type_name for ph in r.phases)
    )


def late_releases(scenario: Scenario, plan: Plan) -> list[LateFlag]:
    return [
        LateFlag(
            release=r.id,
            late_days=r.late_days,
            reason=r.reason,
            due=scenario.date(r.due).isoformat() if r.due is not None else None,
        )
        for r in plan.releases
        if r.late_days > 0
    ]


# -- remedies -------------------------------------------------------------------------------


def slip_remedies(scenario: Scenario, late: list[LateFlag]) -> list[str]:
    weight = {r.id: r.priority for r in scenario.releases}
    ranked = sorted(late, key=lambda r: -weight.get(r.release, 1) * r.late_days)
    return [
        f"slip {r.release} by {r.late_days} day{'s' if r.late_days != 1 else ''}" for r in ranked
    ]


def extra_environment_remedies(
    scenario: Scenario, plan: Plan, shortfalls: list[ShortfallFlag]
) -> list[str]:
    tried = [s for s in sorted(shortfalls, key=lambda s: -s.short_days) if s.releases]
    remedies = []
    seen: set[str] = set()
    for shortfall in tried:
        if shortfall.type in seen or len(seen) == MAX_REMEDY_TRIES:
            continue
        seen.add(shortfall.type)
        start, end = _extra_window(scenario, shortfall)
        helped = _helped_by_extra(scenario, shortfall, start, end)
        if helped:
            remedies.append(
                f"one more {shortfall.type} environment for "
                f"{_weeks(start, end - dt.timedelta(days=1))} brings "
                f"{_and(helped)} in on time"
            )
    return remedies


def _extra_window(scenario: Scenario, shortfall: ShortfallFlag) -> tuple[dt.date, dt.date]:
    """From the first short week to the end of the later of the last short week and the
    week the last suffering release is due: room for whole phases, not only short days."""
    start = dt.date.fromisoformat(shortfall.first_week)
    end = dt.date.fromisoformat(shortfall.last_week) + WEEK
    dues = [
        scenario.date(r.due)
        for r in scenario.releases
        if r.id in shortfall.releases and r.due is not None
    ]
    if dues:
        last_due = max(dues) - dt.timedelta(days=1)
        end = max(end, last_due - dt.timedelta(days=last_due.weekday()) + WEEK)
    return start, end


def _helped_by_extra(
    scenario: Scenario, shortfall: ShortfallFlag, start: dt.date, end: dt.date
) -> list[str]:
    what_if = with_extra_environment(scenario, shortfall.type, start, end)
    if what_if is None:
        return []
    better = solve(
        what_if, Options(time_limit=REMEDY_SECONDS, workers=2, max_moved_share=1.0)
    )  # as a round: every move
    if not better.has_plan:
        return []
    fine = {r.id for r in better.releases if r.late_days == 0}
    fine -= {u.release for u in better.unplaced}
    return [r for r in shortfall.releases if r in fine]


def with_extra_environment(
    scenario: Scenario, type_name: str, start: dt.date, end: dt.date
) -> Scenario | None:
    """``scenario`` with a copy of its best-equipped ``type_name`` environment, usable only
    on ``[start, end)``; None when the type has no environment to copy."""
    models = [e for e in scenario.environments if e.type == type_name]
    if not models:
        return None
    model = max(models, key=lambda e: (len(e.tags), e.capacity))
    a, b = max(0, scenario.day(start)), min(scenario.horizon_days, scenario.day(end))
    closed = tuple(
        w
        for w in (
            Window(0, a, "not added yet"),
            Window(b, scenario.horizon_days, "added only for a while"),
        )
        if w.start < w.end
    )
    extra = Environment(
        id=f"{type_name}-extra",
        type=type_name,
        capacity=1,
        tags=model.tags,
        changeover_days=model.changeover_days,
        unavailable=closed,
    )
    return replace(scenario, environments=(*scenario.environments, extra))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
