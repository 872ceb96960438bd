"""Pinned bookings that contradict each other or a hard rule: the reasons a plan is
INFEASIBLE before any search starts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from solver.calendar import EnvironmentCalendar, Occupancy
from solver.explain import blocking_windows, describe_window
from solver.scenario import Booking, Environment, Scenario, topological_order


def pinned_conflicts(scenario: Scenario) -> list[str]:
    """Why the pinned bookings cannot all be kept; empty when they can."""
    pinned = [b for b in scenario.bookings if b.pinned]
    problems = [p for b in pinned for p in _booking_problems(scenario, b)]
    known = [b for b in pinned if b.phase in scenario.phase_by_id
             and b.environment in scenario.environment_by_id]
    return problems + _capacity_clashes(scenario, known) + _order_problems(scenario, known)


def _booking_problems(scenario: Scenario, booking: Booking) -> list[str]:
    """What one pinned booking breaks on its own: existence, eligibility, horizon, windows."""
    phase = scenario.phase_by_id.get(booking.phase)
    env_id = booking.environment
    if phase is None or env_id not in scenario.environment_by_id:
        return [f"pinned booking of {booking.phase} names an unknown phase or environment"]
    end, where = booking.start + phase.duration, f"pinned {phase.id} on {env_id}"
    problems = []
    if env_id not in scenario.eligible[phase.id]:
        problems.append(f"{where}: {env_id} is not eligible for it")
    if booking.start < 0 or end > scenario.horizon_days:
        problems.append(f"{where} runs outside the planning horizon")
    if booking.start < scenario.release_start(phase):
        problems.append(f"{where} starts before its earliest start "
                        f"{scenario.date(scenario.release_start(phase))}")
    problems.extend(f"{where} overlaps a window: {env_id} {describe_window(w)}"
                    for w in blocking_windows(scenario, env_id, booking.start, end))
    return problems


def _capacity_clashes(scenario: Scenario, pinned: Sequence[Booking]) -> list[str]:
    """Pinned bookings sharing an environment beyond its capacity or its changeover."""
    calendar = EnvironmentCalendar(scenario)
    for b in pinned:
        phase = scenario.phase_by_id[b.phase]
        if calendar.placement(phase.id) is None:
            calendar.occupy(b.environment, b.start, b.start + phase.duration, phase.release,
                            phase.id)
    clashes: dict[frozenset[str], str] = {}
    for b in pinned:
        env = scenario.environment_by_id[b.environment]
        for names, text in _crowding(calendar, env, b.phase):
            clashes.setdefault(names, text)
    return list(clashes.values())


def _crowding(calendar: EnvironmentCalendar, env: Environment, phase_id: str
              ) -> Iterator[tuple[frozenset[str], str]]:
    """The clashes of one placed phase: a day over capacity, a changeover too short."""
    _env_id, mine = calendar.placement(phase_id) or ("", Occupancy(0, 0, "", ""))
    for day in range(max(mine.start, 0), min(mine.end, calendar.horizon)):
        if calendar.load(env.id, day) > env.capacity:
            names = [o.phase for o in calendar.occupants(env.id, day)]
            yield frozenset(names), (f"pinned bookings {' and '.join(names)} overlap on "
                                     f"{env.id} beyond its capacity {env.capacity}")
            break
    gap = env.changeover_days if env.capacity == 1 else 0
    for other in calendar.occupants_between(env.id, mine.start - gap, mine.end + gap):
        apart = other.end <= mine.start or mine.end <= other.start
        if gap and apart and other.release != mine.release:
            pair = sorted((mine.phase, other.phase))
            yield frozenset(pair), (f"pinned bookings {' and '.join(pair)} on {env.id} leave "
                                    f"less than its {gap} changeover days")


def _order_problems(scenario: Scenario, pinned: Sequence[Booking]) -> list[str]:
    """Pinned phases that start before their predecessors can have ended (resources aside)."""
    fixed = {b.phase: b.start for b in pinned}
    earliest: dict[str, int] = {}
    problems = []
    for phase_id in topological_order(scenario):
        phase = scenario.phase_by_id[phase_id]
        start = scenario.release_start(phase)
        binding = None
        for pred, gap in scenario.predecessors[phase_id]:
            pred_end = fixed.get(pred, earliest[pred]) + scenario.phase_by_id[pred].duration
            if pred_end + gap > start:
                start, binding = pred_end + gap, pred
        earliest[phase_id] = start
        if phase_id in fixed and binding is not None and fixed[phase_id] < start:
            kind = "pinned predecessor" if binding in fixed else "predecessor"
            problems.append(f"pinned {phase_id} starts on {scenario.date(fixed[phase_id])} "
                            f"but its {kind} {binding} lets it start on "
                            f"{scenario.date(start)} at the earliest")
    return problems
