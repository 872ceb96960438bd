"""Lower bounds that need no solver: what each release could do with the environments to
itself. They let the neighbourhood search stop early and report a gap."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

from solver.free_runs import fitted_ends, free_runs
from solver.pinned import ends_by_order
from solver.scenario import Phase, Scenario, Window, topological_order


def earliest_ends(scenario: Scenario) -> dict[str, int]:
    """Phase id -> its end if every environment were free: a pinned phase's own end, else
    durations, gaps and earliest starts along the order, nothing else."""
    pinned = {b.phase: b.start for b in scenario.bookings if b.pinned}
    return ends_by_order(scenario, pinned)


def search_bound(scenario: Scenario, objective: str) -> int:
    """The best bound on the timing term the search can stop at, for plans that place
    every phase: under tardiness the capacity-aware one too."""
    bound = timing_lower_bound(scenario, objective)
    return max(bound, tardiness_lower_bound(scenario)) if objective == "tardiness" else bound


def search_target(scenario: Scenario, objective: str) -> tuple[int, int, int]:
    """A score (weighted unplaced, timing, moved) no plan can beat, so the search may stop
    there. Computed inside the time limit, it leaves the finished plan's bounds free."""
    unplaced = unplaced_lower_bound(scenario)
    return (unplaced, 0, 0) if unplaced else (0, search_bound(scenario, objective), 0)


def timing_lower_bound(scenario: Scenario, objective: str) -> int:
    """A bound on weighted tardiness (or makespan) for plans that place every phase."""
    ends = earliest_ends(scenario)
    release_end: dict[str, int] = {}
    for phase in scenario.phases:
        release_end[phase.release] = max(release_end.get(phase.release, 0), ends[phase.id])
    if objective == "makespan":
        return max(release_end.values(), default=0)
    return sum(
        r.priority * max(0, release_end[r.id] - r.due)
        for r in scenario.releases
        if r.due is not None and r.id in release_end
    )


# -- capacity: energy of each environment type ----------------------------------------
#
# Both bounds below relax a plan to "work of a type against free environment-days of that
# type". A phase that is not pinned uses one unit of its environment's capacity on each
# day it runs; it may not run on a blocked day (unavailable window, freeze) nor where the
# pinned bookings already fill the environment, nor outside [0, horizon). Every placed
# phase of type T therefore fits in the free units of type T, whatever its environment,
# and any window's work can be no more than the window's free units. Eligibility by tags,
# changeovers and the order between phases are relaxed away, which only loosens a bound.


def free_units(scenario: Scenario) -> dict[str, list[int]]:
    """Environment type -> per day of the horizon, the capacity left to phases that are not
    pinned: none on a blocked day, and none of what the pinned bookings fill."""
    horizon = scenario.horizon_days
    units = {env.type: [0] * horizon for env in scenario.environments}
    pinned = _pinned_load(scenario)
    for env in scenario.environments:
        blocked = _days(scenario.blocked[env.id], horizon)
        for day in range(horizon):
            if day not in blocked:
                units[env.type][day] += max(0, env.capacity - pinned[env.id][day])
    return units


def _pinned_load(scenario: Scenario) -> dict[str, list[int]]:
    load = {env.id: [0] * scenario.horizon_days for env in scenario.environments}
    for booking in scenario.bookings:
        phase = scenario.phase_by_id.get(booking.phase)
        if booking.pinned and phase:
            for member in scenario.members.get(booking.environment, ()):
                for day in _clip(booking.start, booking.start + phase.duration, scenario):
                    load[member][day] += 1
    return load


def _clip(start: int, end: int, scenario: Scenario) -> range:
    return range(max(0, start), min(end, scenario.horizon_days))


def _days(windows: tuple[Window, ...], horizon: int) -> set[int]:
    return {day for w in windows for day in range(max(0, w.start), min(w.end, horizon))}


def movable_phases(scenario: Scenario) -> list[Phase]:
    pinned = {b.phase for b in scenario.bookings if b.pinned}
    return [phase for phase in scenario.phases if phase.id not in pinned]


# Both bounds take seconds on a year of thousands of phases and are asked for by the
# search and again by the finished plan: the scenario is immutable, so they are kept.
@lru_cache(maxsize=2)
def unplaced_lower_bound(scenario: Scenario) -> int:
    """A bound on weighted unplaced (each unplaced phase weighs its release's priority).

    Valid because a phase with no eligible environment, or that cannot end inside the
    horizon after its earliest start, is unplaced in every plan (and so is every phase
    that waits for it); and for each type and day ``a``, the phases that cannot start
    before ``a`` fit in the free units of ``[a, horizon)`` only if phases holding at least
    the excess work are left out, which costs at least the cheapest fraction by weight per
    day of work (a fractional knapsack, a relaxation of the exact choice)."""
    forced = _never_placed(scenario)
    bound = sum(_weight(scenario, phase_id) for phase_id in forced)
    free = free_units(scenario)
    starts = _earliest_starts(scenario)
    for env_type, units in free.items():
        phases = [p for p in movable_phases(scenario) if p.type == env_type and p.id not in forced]
        bound += _cheapest_late_cut(scenario, phases, units, starts)
    return bound


@lru_cache(maxsize=2)
def _fitted_ends(scenario: Scenario) -> dict[str, int | None]:
    return fitted_ends(scenario, free_runs(scenario, _pinned_load(scenario)))


def _never_placed(scenario: Scenario) -> set[str]:
    """Phases that are not pinned and fit in no plan (``free_runs``), nor what waits for them."""
    ends = _fitted_ends(scenario)
    return {phase.id for phase in movable_phases(scenario) if ends[phase.id] is None}


def _earliest_starts(scenario: Scenario) -> dict[str, int]:
    ends = _fitted_ends(scenario)
    return {
        phase.id: end - phase.duration
        for phase in scenario.phases
        if (end := ends[phase.id]) is not None
    }


def _weight(scenario: Scenario, phase_id: str) -> int:
    return scenario.release_by_id[scenario.phase_by_id[phase_id].release].priority


def _cheapest_late_cut(
    scenario: Scenario, phases: list[Phase], units: list[int], starts: dict[str, int]
) -> int:
    """The most, over days ``a``, that leaving out work starting after ``a`` must cost."""
    suffix = [0] * (len(units) + 1)
    for day in reversed(range(len(units))):
        suffix[day] = suffix[day + 1] + units[day]
    best = 0
    for a in sorted({starts[p.id] for p in phases}):
        late = [p for p in phases if starts[p.id] >= a]
        excess = sum(p.duration for p in late) - suffix[min(max(a, 0), len(units))]
        if excess > 0:
            items = [(Fraction(_weight(scenario, p.id), p.duration), p.duration) for p in late]
            best = max(best, _fractional_cover(excess, items))
    return best


def _fractional_cover(excess: int, items: list[tuple[Fraction, int]]) -> int:
    """The least cost of at least ``excess`` units from items (cost per unit, units at
    most), taking any fraction of an item: cheapest first is optimal. Rounded up, as the
    true cost is an integer."""
    cost, left = Fraction(0), Fraction(excess)
    for rate, amount in sorted(items):
        take = min(left, Fraction(amount))
        cost, left = cost + rate * take, left - take
        if left <= 0:
            break
    return math.ceil(cost)


@lru_cache(maxsize=2)
def tardiness_lower_bound(scenario: Scenario) -> int:
    """A bound on weighted tardiness for plans that place every phase, at least the
    critical path's (``timing_lower_bound``).

    Say release r is late by ``cp[r] + extra[r]`` days, ``cp`` its critical-path lateness.
    Each phase p of r must then end by its deadline ``due + cp + extra - tail(p)`` (tail:
    the days the phases after it need), so at least ``duration - (deadline - t)`` of its
    work lies before any day t. For each type and day t that work must fit in the free
    units of ``[0, t)``. A day of ``extra[r]`` lowers that work by at most the number of
    r's phases that have some, and by no more than all of it: covering the excess is a
    fractional knapsack whose least cost bounds the extra weighted tardiness."""
    late = _critical_lateness(scenario)
    deadlines = _deadlines(scenario, late)
    extra = 0
    for env_type, units in free_units(scenario).items():
        phases = [p for p in movable_phases(scenario) if p.type == env_type and p.id in deadlines]
        extra = max(extra, _cheapest_early_cut(scenario, phases, units, deadlines))
    return sum(scenario.release_by_id[r].priority * days for r, days in late.items()) + extra


def _critical_lateness(scenario: Scenario) -> dict[str, int]:
    """Release id -> its days late if each phase had its environments to itself (releases
    with a due date). A phase that fits nowhere leaves no plan placing every phase."""
    ends = _fitted_ends(scenario)
    late: dict[str, int] = {}
    for release in scenario.releases:
        known = [end for phase in release.phases if (end := ends[phase.id]) is not None]
        if release.due is not None and known:
            late[release.id] = max(0, max(known) - release.due)
    return late


def _deadlines(scenario: Scenario, late: dict[str, int]) -> dict[str, int]:
    """Phase id -> the day it must end by for its release to be no later than ``late``."""
    tails = _tails(scenario)
    due = {
        r.id: r.due + late[r.id] for r in scenario.releases if r.due is not None and r.id in late
    }
    return {
        phase.id: due[phase.release] - tails[phase.id]
        for phase in scenario.phases
        if phase.release in due
    }


def _tails(scenario: Scenario) -> dict[str, int]:
    """Phase id -> the days that must follow its end within its release: gaps and durations
    of the phases that wait for it. A pinned phase is left out: it may break the order."""
    pinned = {b.phase for b in scenario.bookings if b.pinned}
    tails: dict[str, int] = {}
    for phase_id in reversed(topological_order(scenario)):
        tails[phase_id] = max(
            (
                gap + scenario.phase_by_id[succ].duration + tails[succ]
                for succ in scenario.successors[phase_id]
                if succ not in pinned
                for pred, gap in scenario.predecessors[succ]
                if pred == phase_id
            ),
            default=0,
        )
    return tails


def _cheapest_early_cut(
    scenario: Scenario, phases: list[Phase], units: list[int], deadlines: dict[str, int]
) -> int:
    """The most, over days t, that making the work due before t fit must cost in lateness."""
    prefix = [0]
    for amount in units:
        prefix.append(prefix[-1] + amount)
    best = 0
    for t in sorted({d for p in phases if 0 < (d := deadlines[p.id]) <= len(units)}):
        before = {p.id: p.duration - max(0, deadlines[p.id] - t) for p in phases}
        excess = sum(work for work in before.values() if work > 0) - prefix[t]
        if excess > 0:
            best = max(best, _fractional_cover(excess, _lateness_items(scenario, phases, before)))
    return best


def _lateness_items(
    scenario: Scenario, phases: list[Phase], before: dict[str, int]
) -> list[tuple[Fraction, int]]:
    """Per release, (cost of one unit of work moved past t, units it can move): a day late
    costs its priority and moves one unit for each of its phases with work before t."""
    count: dict[str, int] = {}
    work: dict[str, int] = {}
    for p in phases:
        if before[p.id] > 0:
            count[p.release] = count.get(p.release, 0) + 1
            work[p.release] = work.get(p.release, 0) + before[p.id]
    return [(Fraction(scenario.release_by_id[r].priority, count[r]), work[r]) for r in count]
