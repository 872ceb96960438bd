"""The stability budget: a plan moves at most a share of the movable bookings in force
(``Options.max_moved_share``, ``solver.moves``), in the whole model and in the search."""

from __future__ import annotations

import time

import pytest

from solver import Options, Plan, Scenario, plan
from solver.lns import NeighbourhoodSearch
from solver.metrics import score
from solver.moves import move_budget, moves_allowed
from solver.validate import validate
from tests.solver.factories import make_booking, make_environment, make_release, make_scenario

QUEUE = 10  # releases booked one after another on SIT-1, all due on day 5


def queued_on_one_environment() -> Scenario:
    """Ten bookings in force queue on SIT-1 while SIT-2 stands empty: each one moved to
    SIT-2 saves days of lateness, so without a budget the planner moves about half."""
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    releases = [make_release(f"R{i}", due=5) for i in range(QUEUE)]
    bookings = [make_booking(f"R{i}-SIT", "SIT-1", 5 * i) for i in range(QUEUE)]
    return make_scenario(envs, releases, bookings=bookings)


def planned(scenario: Scenario, **options: object) -> Plan:
    result = plan(scenario, Options(time_limit=5, **options))  # type: ignore[arg-type]
    assert validate(scenario, result) == []
    return result


def test_budget_is_the_share_of_unpinned_bookings_rounded_down_but_at_least_one():
    scenario = queued_on_one_environment()
    assert move_budget(scenario, 0.1) == 1
    assert move_budget(scenario, 0.25) == 2
    assert move_budget(scenario, 0.01) == 1
    assert move_budget(scenario, 0) == 0


@pytest.mark.parametrize(("share", "most"), [(0.0, 0), (0.1, 1), (0.3, 3)])
def test_planner_moves_no_more_bookings_than_its_budget(share, most):
    result = planned(queued_on_one_environment(), max_moved_share=share)
    assert result.metrics.moved_bookings == most  # each move pays for itself here


def test_a_larger_budget_buys_less_lateness():
    scenario = queued_on_one_environment()
    tight = planned(scenario, max_moved_share=0.1)
    free = planned(scenario, max_moved_share=1.0)
    assert free.metrics.moved_bookings > tight.metrics.moved_bookings
    assert free.metrics.weighted_tardiness < tight.metrics.weighted_tardiness


def test_moves_allowed_leave_what_the_budget_has_after_moves_outside():
    scenario = queued_on_one_environment()
    in_force = {b.phase: (b.environment, b.start) for b in scenario.bookings}
    two_moved = {**in_force, "R8-SIT": ("SIT-2", 0), "R9-SIT": ("SIT-2", 5)}
    assert moves_allowed(scenario, two_moved, frozenset({"R1-SIT"}), budget=3) == 1
    assert moves_allowed(scenario, two_moved, frozenset({"R1-SIT"}), budget=1) == 0
    # never fewer than the incumbent's own moves inside, so it stays a solution
    assert moves_allowed(scenario, two_moved, frozenset({"R8-SIT", "R9-SIT"}), budget=1) == 2


def test_neighbourhood_search_keeps_the_budget():
    scenario = queued_on_one_environment()
    in_force = {b.phase: (b.environment, b.start) for b in scenario.bookings}
    search = NeighbourhoodSearch(
        scenario, "tardiness", workers=1, seed=3, on_improvement=lambda _state: None, move_budget=2
    )
    state = search.run(in_force, time.perf_counter() + 3)
    assert state.score < score(scenario, "tardiness", in_force)
    assert state.score[2] == 2
