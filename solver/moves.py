"""The stability budget: how many bookings in force a plan may move.

A plan that reshuffles a large part of what teams already hold is a plan nobody
follows, however much lateness it saves. So beside the objective's third criterion
(fewer moves are better), the planner keeps a budget: at most a share of the movable
(unpinned) bookings in force may move. A booking whose place no longer holds (its
environment gone, its days blocked) moves regardless and counts toward the budget.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from solver.plan import Placement
from solver.scenario import Scenario


def move_budget(scenario: Scenario, share: float) -> int:
    """How many movable bookings in force a plan may move: the share, rounded down (never
    more than the share), but at least one unless the share is nought."""
    movable = sum(1 for b in scenario.bookings if not b.pinned and b.phase in scenario.phase_by_id)
    return max(1, math.floor(share * movable)) if share > 0 else 0


def moved_phases(scenario: Scenario, placement: Placement, phases: Iterable[str]) -> int:
    """How many of ``phases`` hold a movable booking that ``placement`` moves or drops."""
    count = 0
    for phase_id in phases:
        booking = scenario.booking_by_phase.get(phase_id)
        if (
            booking is not None
            and not booking.pinned
            and placement.get(phase_id) != (booking.environment, booking.start)
        ):
            count += 1
    return count


def moves_allowed(
    scenario: Scenario, placement: Placement, free: frozenset[str], budget: int
) -> int:
    """How many bookings among the ``free`` phases may be moved: what the budget leaves
    after the moves outside them, and never fewer than the incumbent's own moves there
    (so the incumbent stays a solution of the model)."""
    outside = moved_phases(
        scenario, placement, (p for p in scenario.booking_by_phase if p not in free)
    )
    inside = moved_phases(scenario, placement, free)
    return max(budget - outside, inside)
