"""The plan's assignments, read against the scenario rather than taken at their word."""

from __future__ import annotations

from solver.plan import Assignment, Plan
from solver.scenario import Scenario


def placements(scenario: Scenario, plan: Plan) -> dict[str, Assignment]:
    """Phase id -> its assignment, for phases the scenario knows (first one if duplicated)."""
    placed: dict[str, Assignment] = {}
    for a in plan.assignments:
        if a.phase in scenario.phase_by_id:
            placed.setdefault(a.phase, a)
    return placed


def release_of(scenario: Scenario, a: Assignment) -> str:
    """The release the scenario says a placed phase belongs to (not what the plan claims)."""
    return scenario.phase_by_id[a.phase].release


def is_moved(scenario: Scenario, a: Assignment) -> bool:
    booking = scenario.booking_by_phase.get(a.phase)
    return booking is not None and (booking.environment, booking.start) != (a.environment, a.start)


def occupied(scenario: Scenario, place: str) -> tuple[str, ...]:
    """The environments a phase placed on ``place`` occupies: the environment itself, or
    every member of a stack; () when the scenario has no such place."""
    if any(env.id == place for env in scenario.environments):
        return (place,)
    for stack in scenario.stacks:
        if stack.id == place:
            return stack.members
    return ()
