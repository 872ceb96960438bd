"""Earlier is better: shift every movable phase to its earliest free start.

The last criterion of the objective is left out of the CP-SAT sum (it would swamp the
others) and served here instead: moving a phase earlier never makes a release later,
never breaks an order, and is only done where the environment is free, so every higher
criterion keeps its value. Phases that sit on their booking in force stay put.
"""

from __future__ import annotations

from solver.calendar import EnvironmentCalendar, ready_day
from solver.plan import Placement
from solver.scenario import Scenario


def compact(scenario: Scenario, placement: Placement) -> Placement:
    calendar = EnvironmentCalendar(scenario)
    for phase_id, (env_id, start) in placement.items():
        phase = scenario.phase_by_id[phase_id]
        calendar.occupy(env_id, start, start + phase.duration, phase.release, phase_id)
    ends = {p: s + scenario.phase_by_id[p].duration for p, (_e, s) in placement.items()}
    result = dict(placement)
    for phase_id in sorted(placement, key=lambda p: placement[p][1]):
        if _stays(scenario, phase_id, placement[phase_id]):
            continue
        result[phase_id] = _shift_earlier(scenario, calendar, phase_id, ends)
        ends[phase_id] = result[phase_id][1] + scenario.phase_by_id[phase_id].duration
    return result


def _stays(scenario: Scenario, phase_id: str, where: tuple[str, int]) -> bool:
    booking = scenario.booking_by_phase.get(phase_id)
    return booking is not None and (booking.pinned or (booking.environment, booking.start) == where)


def _shift_earlier(
    scenario: Scenario, calendar: EnvironmentCalendar, phase_id: str, ends: dict[str, int]
) -> tuple[str, int]:
    phase = scenario.phase_by_id[phase_id]
    env_id, occ = calendar.remove(phase_id)
    best = (occ.start, env_id)
    ready = ready_day(scenario, phase, ends)
    for candidate in scenario.eligible[phase_id]:
        start = calendar.earliest_fit(
            candidate, ready, phase.duration, phase.release, latest=best[0] - 1
        )
        if start is not None and start < best[0]:
            best = (start, candidate)
    calendar.occupy(best[1], best[0], best[0] + phase.duration, phase.release, phase_id)
    return best[1], best[0]
