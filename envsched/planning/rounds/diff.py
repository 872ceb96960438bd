"""What a round changes, and why: the ``diff`` of a ``PlanRun``.

* ``moved``: live (tentative) bookings the plan puts on another environment or day,
  ``from`` the days the booking holds now; a *stray* (a booking the scenario could not
  hold where it is, ``replan_scenario``) moves to where the plan places its phase;
* ``placed``: phases without a live booking that the plan places (never a phase that
  has one: that would book it twice);
* ``unplaced``: phases the plan cannot place, with the solver's reason.

Why a booking moves is found by comparison with the *stay plan*: the same scenario with
every booking pinned where it is. The solver only moves a booking for a real gain (more
phases placed, less weighted lateness), so the difference between the two plans is the
gain; ``gain`` says it for the round, each move's ``why`` for its own release first.
"""

from __future__ import annotations

from collections.abc import Mapping

from envsched.counted import counted
from envsched.models.round_results import (
    BrokenRule,
    MovedProposal,
    Place,
    PlacedProposal,
    RoundDiff,
    Unplaced,
)
from envsched.planning.rounds.scenario import Booked
from solver.explain import blocking_windows
from solver.pinned import earliest_start_limit
from solver.plan import Assignment, Clash, Plan, ReleaseOutcome
from solver.scenario import Freeze, Scenario


def plan_diff(
    scenario: Scenario, plan: Plan, booked: Mapping[str, Booked], stay: Plan | None
) -> RoundDiff:
    """``booked``: the live booking of each phase that has one (the scenario's or a stray)."""
    gains = release_gains(plan, stay) if stay is not None and stay.has_plan else {}
    moved = [_moved(scenario, a, booked, gains, stay) for a in plan.assignments if a.moved]
    fresh = [a for a in plan.assignments if a.phase not in scenario.booking_by_phase]
    moved += [_stray_moved(scenario, a, booked[a.phase]) for a in fresh if a.phase in booked]
    placed = [
        PlacedProposal(**_place(scenario, a).model_dump(), phase=a.phase, release=a.release)
        for a in fresh
        if a.phase not in booked
    ]
    unplaced = [Unplaced(phase=u.phase, release=u.release, reason=u.reason) for u in plan.unplaced]
    return RoundDiff(
        moved=moved,
        placed=placed,
        unplaced=unplaced,
        gain=_round_gain(plan, stay, len(moved)) if moved else "",
    )


def _place(scenario: Scenario, a: Assignment) -> Place:
    return Place(
        environment=a.environment,
        start=scenario.date(a.start).isoformat(),
        end=scenario.date(a.end).isoformat(),
    )


def _moved(
    scenario: Scenario,
    a: Assignment,
    booked: Mapping[str, Booked],
    gains: dict[str, str],
    stay: Plan | None,
) -> MovedProposal:
    clashes = [c for c in (stay.clashes or ()) if c.phase == a.phase] if stay else []
    why = (
        "where it is, it breaks a rule: " + "; ".join(c.message for c in clashes)
        if clashes
        else _why(a.release, gains, stay)
    )
    moved = _proposed_move(scenario, a, booked[a.phase], why)
    moved.broken = [_broken(scenario, c, booked) for c in clashes]
    return moved


def _broken(scenario: Scenario, clash: Clash, booked: Mapping[str, Booked]) -> BrokenRule:
    """The facts behind a clash, from the bookings and the scenario, for a page to word."""
    if clash.rule == "earliest_start":
        limit = earliest_start_limit(scenario, scenario.phase_by_id[clash.phase])
        return BrokenRule(rule=clash.rule, start=scenario.date(limit).isoformat())
    if clash.rule == "order" and clash.involves and clash.involves[0] in booked:
        pred = booked[clash.involves[0]]
        gap = dict(scenario.predecessors[clash.phase]).get(clash.involves[0], 0)
        return BrokenRule(
            rule=clash.rule,
            start=pred.start.isoformat(),
            end=pred.end.isoformat(),
            involves=list(clash.involves),
            gap=gap,
        )
    if clash.rule in ("freeze", "unavailable") and clash.end is not None:
        for window in blocking_windows(scenario, clash.environment, clash.start, clash.end):
            if (clash.rule == "freeze") == isinstance(window, Freeze):
                return BrokenRule(
                    rule=clash.rule,
                    start=scenario.date(window.start).isoformat(),
                    end=scenario.date(window.end).isoformat(),
                    reason=window.reason,
                )
    return BrokenRule(rule=clash.rule, involves=list(clash.involves))


def _stray_moved(scenario: Scenario, a: Assignment, booked: Booked) -> MovedProposal:
    why = f"its booking cannot stay on {booked.environment}: {booked.stray}"
    return _proposed_move(scenario, a, booked, why)


def _proposed_move(scenario: Scenario, a: Assignment, booked: Booked, why: str) -> MovedProposal:
    before = Place(
        environment=booked.environment, start=booked.start.isoformat(), end=booked.end.isoformat()
    )
    return MovedProposal(
        booking=booked.booking_id,
        phase=a.phase,
        release=a.release,
        before=before,
        to=_place(scenario, a),
        why=why,
    )


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
            found[outcome.id] = f"{outcome.id} gets {counted(more, 'more phase')} placed"
        elif before is not None and outcome.late_days < before.late_days:
            found[outcome.id] = _less_late(outcome, before)
    return found


def _less_late(now: ReleaseOutcome, before: ReleaseOutcome) -> str:
    gained = before.late_days - now.late_days
    result = "on time" if now.late_days == 0 else f"{counted(now.late_days, 'day')} late"
    return (
        f"{now.id} finishes {counted(gained, 'day')} earlier: {result} instead of "
        f"{counted(before.late_days, 'day')} late"
    )


def _unplaced_by_release(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for u in plan.unplaced:
        counts[u.release] = counts.get(u.release, 0) + 1
    return counts


def _round_gain(plan: Plan, stay: Plan | None, moved: int) -> str:
    """What moving the ``moved`` bookings gains (strays, which cannot stay, included)."""
    head = f"moving {counted(moved, 'tentative booking')} "
    if stay is None or not stay.has_plan:
        strays = moved - plan.metrics.moved_bookings
        if stay is None and strays == moved:
            return head + f"puts {'it' if moved == 1 else 'them'} where the rules allow"
        return head + _why("", {}, stay)
    now, before = plan.metrics, stay.metrics
    parts = []
    if now.placed_phases > before.placed_phases:
        parts.append(f"places {counted(now.placed_phases - before.placed_phases, 'more phase')}")
    if now.weighted_tardiness < before.weighted_tardiness:
        parts.append(
            f"cuts weighted lateness from {before.weighted_tardiness} to {now.weighted_tardiness}"
        )
    if now.makespan_days < before.makespan_days:
        sooner = counted(before.makespan_days - now.makespan_days, "day")
        parts.append(f"ends everything {sooner} sooner")
    moved_phases = {a.phase for a in plan.assignments if a.moved}
    breaking = len({c.phase for c in stay.clashes or () if c.phase in moved_phases})
    breaking += moved - plan.metrics.moved_bookings  # strays: they cannot stay where they are
    if breaking:
        parts.append(f"mends {breaking} that break a rule where they are")
    return head + (", ".join(parts) if parts else "gains nothing measurable over keeping them")
