"""What a round changes, and why: the ``diff`` of a ``PlanRun``.

* ``moved``: live (tentative) bookings the plan puts on another environment or day;
* ``placed``: phases without a live booking that the plan places;
* ``unplaced``: phases the plan cannot place, with the solver's reason.

Why a booking moves is found by comparison with the *stay plan*: the same scenario with
every booking pinned where it is. The solver only moves a booking for a real gain (more
phases placed, less weighted lateness), so the difference between the two plans is the
gain; ``gain`` says it for the round, each move's ``why`` for its own release first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from solver.plan import Assignment, Plan, ReleaseOutcome
from solver.scenario import Scenario


def plan_diff(scenario: Scenario, plan: Plan, booking_ids: dict[str, int],
              stay: Plan | None, booking_ends: dict[str, dt.date] | None = None
              ) -> dict[str, Any]:
    """The round's proposals; days ``[start, end)`` as files keep them. A move's ``from``
    is the booking as stored (``booking_ends``: its own end, which may differ from its
    phase's length), not as the phase would place it."""
    gains = release_gains(plan, stay) if stay is not None and stay.has_plan else {}
    moved = [_moved(scenario, a, booking_ids, gains, stay, booking_ends or {})
             for a in plan.assignments if a.moved]
    placed = [dict(_place(scenario, a), phase=a.phase, release=a.release, applied=False)
              for a in plan.assignments if a.phase not in scenario.booking_by_phase]
    unplaced = [{"phase": u.phase, "release": u.release, "reason": u.reason}
                for u in plan.unplaced]
    return {"moved": moved, "placed": placed, "unplaced": unplaced,
            "gain": _round_gain(plan, stay) if moved else ""}


def _place(scenario: Scenario, a: Assignment) -> dict[str, str]:
    return {"environment": a.environment, "start": scenario.date(a.start).isoformat(),
            "end": scenario.date(a.end).isoformat()}


def _moved(scenario: Scenario, a: Assignment, booking_ids: dict[str, int],
           gains: dict[str, str], stay: Plan | None,
           booking_ends: dict[str, dt.date]) -> dict[str, Any]:
    booked = scenario.booking_by_phase[a.phase]
    end = booking_ends.get(a.phase) or scenario.date(
        booked.start + scenario.phase_by_id[a.phase].duration)
    before = {"environment": booked.environment, "start": scenario.date(booked.start).isoformat(),
              "end": end.isoformat()}
    return {"booking": booking_ids.get(a.phase), "phase": a.phase, "release": a.release,
            "from": before, "to": _place(scenario, a), "why": _why(a.release, gains, stay),
            "applied": False}


def _why(release: str, gains: dict[str, str], stay: Plan | None) -> str:
    if stay is None:
        return "the comparison with every booking kept in place did not finish"
    if not stay.has_plan:
        return f"keeping every booking where it is breaks a hard rule: {stay.reason}"
    if release in gains:
        return gains[release]
    if gains:
        return "makes room: " + "; ".join(gains.values())
    return "no gain found against keeping every booking in place"


def release_gains(plan: Plan, stay: Plan) -> dict[str, str]:
    """Release id -> how it fares better in ``plan`` than in ``stay``, in words."""
    kept = {r.id: r for r in stay.releases}
    unplaced_now = _unplaced_by_release(plan)
    unplaced_before = _unplaced_by_release(stay)
    found: dict[str, str] = {}
    for outcome in plan.releases:
        before = kept.get(outcome.id)
        more = unplaced_before.get(outcome.id, 0) - unplaced_now.get(outcome.id, 0)
        if more > 0:
            found[outcome.id] = f"{outcome.id} gets {more} more phase(s) placed"
        elif before is not None and outcome.late_days < before.late_days:
            found[outcome.id] = _less_late(outcome, before)
    return found


def _less_late(now: ReleaseOutcome, before: ReleaseOutcome) -> str:
    gained = before.late_days - now.late_days
    result = "on time" if now.late_days == 0 else f"{now.late_days} days late"
    return (f"{now.id} finishes {gained} days earlier: {result} instead of "
            f"{before.late_days} days late")


def _unplaced_by_release(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for u in plan.unplaced:
        counts[u.release] = counts.get(u.release, 0) + 1
    return counts


def _round_gain(plan: Plan, stay: Plan | None) -> str:
    if stay is None or not stay.has_plan:
        return _why("", {}, stay)
    now, before = plan.metrics, stay.metrics
    parts = []
    if now.placed_phases > before.placed_phases:
        parts.append(f"places {now.placed_phases - before.placed_phases} more phase(s)")
    if now.weighted_tardiness < before.weighted_tardiness:
        parts.append(f"cuts weighted lateness from {before.weighted_tardiness} "
                     f"to {now.weighted_tardiness}")
    if now.makespan_days < before.makespan_days:
        parts.append(f"ends everything {before.makespan_days - now.makespan_days} days sooner")
    moved = plan.metrics.moved_bookings
    head = f"moving {moved} tentative booking(s) "
    return head + (", ".join(parts) if parts else "gains nothing measurable over keeping them")
