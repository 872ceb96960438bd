"""The capacity-aware lower bounds: never above the optimum of tiny scenarios solved to
OPTIMAL by CP-SAT, and tighter than the critical path where environments are short."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from solver import Options, Scenario, plan
from solver.bounds import (
    free_units,
    search_bound,
    tardiness_lower_bound,
    timing_lower_bound,
    unplaced_lower_bound,
)
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
    make_release,
    make_scenario,
)
from tests.solver.test_planner_properties import scenarios


def optimum(scenario: Scenario) -> tuple[int, int] | None:
    """(weighted unplaced, weighted tardiness) of CP-SAT's plan when it proves it optimal."""
    result = plan(scenario, Options(time_limit=5, objective="tardiness", workers=1))
    assert validate(scenario, result) == []
    if result.status != "OPTIMAL":
        return None
    return result.metrics.weighted_unplaced, result.metrics.weighted_tardiness


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_bounds_never_exceed_the_optimum(scenario: Scenario) -> None:
    best = optimum(scenario)
    if best is None:
        return
    unplaced, tardiness = best
    assert unplaced_lower_bound(scenario) <= unplaced
    if unplaced == 0:  # the tardiness bound speaks of plans that place every phase
        assert timing_lower_bound(scenario, "tardiness") <= tardiness_lower_bound(scenario)
        assert tardiness_lower_bound(scenario) <= tardiness


def contended() -> Scenario:
    """Three releases of 10 SIT days each, one SIT environment, all due on day 10."""
    releases = [make_release(f"R{i}", phases=[("SIT", 10)], due=10, priority=i) for i in (1, 2, 3)]
    return make_scenario([make_environment("SIT-1", "SIT")], releases, horizon_days=60)


def test_the_tardiness_bound_sees_what_the_critical_path_does_not() -> None:
    scenario = contended()
    # each release alone is on time; together, two wait 10 and 20 days: at best the two
    # cheapest (priority 1 and 2) are late, 1 x 20 + 2 x 10 = 40
    assert timing_lower_bound(scenario, "tardiness") == 0
    assert optimum(scenario) == (0, 40)
    # before day 10, 30 days of work against 10 free days: 20 days must move past day 10,
    # and a release moves at most its own 10: R1's at 1 a day, R2's at 2 a day
    assert tardiness_lower_bound(scenario) == 30
    # the neighbourhood search may stop at it; under makespan only the critical path counts
    assert search_bound(scenario, "tardiness") == 30
    assert search_bound(scenario, "makespan") == timing_lower_bound(scenario, "makespan") == 10


def test_the_unplaced_bound_counts_work_that_cannot_fit_in_the_horizon() -> None:
    releases = [make_release(f"R{i}", phases=[("SIT", 10)], priority=i) for i in (1, 2, 3)]
    scenario = make_scenario([make_environment("SIT-1", "SIT")], releases, horizon_days=25)
    # 30 days of work, 25 free: at least 5 days go, at priority 1 per 10 days -> 1
    assert unplaced_lower_bound(scenario) == 1
    assert optimum(scenario) == (1, 0)


def test_a_phase_without_an_environment_or_room_is_never_placed() -> None:
    releases = [
        make_release("R1", phases=[("UAT", 3)], priority=2),
        make_release("R2", phases=[("SIT", 30), ("UAT", 1)], priority=3),
    ]
    scenario = make_scenario([make_environment("SIT-1", "SIT")], releases, horizon_days=20)
    assert unplaced_lower_bound(scenario) == 2 + 3 * 2


def test_free_units_leave_out_blocked_days_and_pinned_bookings() -> None:
    env = make_environment("SIT-1", "SIT", capacity=2, unavailable=[(0, 2, "patching")])
    release = make_release("R1", phases=[("SIT", 3)])
    scenario = make_scenario(
        [env],
        [release],
        horizon_days=8,
        freezes=[make_freeze(6, 7, ("SIT",))],
        bookings=[make_booking("R1-SIT", "SIT-1", 3, pinned=True)],
    )
    assert free_units(scenario) == {"SIT": [0, 0, 2, 1, 1, 1, 0, 2]}


def test_every_plan_carries_the_bounds() -> None:
    result = plan(contended(), Options(method="greedy"))
    assert validate(contended(), result) == []
    assert result.solver.bounds == {"weighted_unplaced": 0, "weighted_tardiness": 30}
    # the greedy plan has no bound of its own: the capacity bound is its bound
    assert result.solver.bound == 30
    cp_sat = plan(contended(), Options(time_limit=5, workers=1))
    assert cp_sat.solver.bounds == result.solver.bounds and cp_sat.solver.bound == 40


def test_a_phase_waits_for_a_run_of_open_days_long_enough() -> None:
    # SIT-1 is down on days 3-4: the 5-day phase cannot start before day 5, 5 days late
    env = make_environment("SIT-1", "SIT", unavailable=[(3, 5, "patching")])
    release = make_release("R1", phases=[("SIT", 5)], due=5, priority=2)
    scenario = make_scenario([env], [release], horizon_days=60)
    assert timing_lower_bound(scenario, "tardiness") == 0
    assert optimum(scenario) == (0, 2 * 5)
    assert tardiness_lower_bound(scenario) == 2 * 5
    # with the horizon at day 9 it fits nowhere: unplaced, at its priority
    short = make_scenario([env], [release], horizon_days=9)
    assert optimum(short) == (2, 0)
    assert unplaced_lower_bound(short) == 2
