"""Ruin and recreate (``solver.ruin``): never worse than where it started, its running
totals equal to the plan's own score, the stability budget kept, and every plan it
returns valid by the independent validator."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from solver import Options, Scenario
from solver.calendar import Occupancy
from solver.greedy import dispatch, fcfs_order, greedy_plan
from solver.metrics import score
from solver.plan import Placement
from solver.planner import build_plan
from solver.ruin import RuinAndRecreate
from solver.run import Run
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_phase,
    make_release,
    make_scenario,
)
from tests.solver.test_move_budget import queued_on_one_environment
from tests.solver.test_planner_properties import bare_scenarios


def first_come_first_served(scenario: Scenario) -> Placement:
    assignments, _unplaced = dispatch(scenario, fcfs_order(scenario))
    return {a.phase: (a.environment, a.start) for a in assignments}


def searched(
    scenario: Scenario, start: Placement, steps: int, budget: int | None = None, seed: int = 0
) -> RuinAndRecreate:
    search = RuinAndRecreate(scenario, start, budget, seed)
    for _step in range(steps):
        target = search.draw()
        if target is None:
            break
        search.step(target)
    return search


def assert_valid(scenario: Scenario, placement: Placement) -> None:
    run = Run(scenario, Options(time_limit=1), "tardiness", time.perf_counter())
    assert validate(scenario, build_plan(run, placement, "FEASIBLE", None)) == []


def urgent_release_behind_three() -> Scenario:
    """Three releases of priority 1 start on day 0 on the one SIT environment; R9, of
    priority 5 and due on day 6, may start on day 1. First come, first served puts R9
    last (70 days of weighted lateness); R9 first, on day 1, leaves R2 one day and R3 six
    days late: 7, the best there is."""
    releases = [make_release(f"R{i}", earliest_start=0, due=15) for i in (1, 2, 3)]
    releases.append(make_release("R9", priority=5, earliest_start=1, due=6))
    return make_scenario([make_environment("SIT-1")], releases)


def test_the_urgent_release_goes_before_those_that_can_wait():
    scenario = urgent_release_behind_three()
    start = first_come_first_served(scenario)
    assert score(scenario, "tardiness", start) == (0, 70, 0)
    search = searched(scenario, start, steps=50)
    assert search.current == score(scenario, "tardiness", search.placement) == (0, 7, 0)
    assert_valid(scenario, search.placement)


def test_run_returns_the_best_plan_it_saw():
    scenario = urgent_release_behind_three()
    search = RuinAndRecreate(scenario, first_come_first_served(scenario), None, seed=1)
    heard: list[tuple[int, int, int]] = []
    best = search.run(time.perf_counter() + 2, heard.append)
    assert score(scenario, "tardiness", best) == (0, 7, 0)


def test_moves_stay_within_the_budget():
    scenario = queued_on_one_environment()
    in_force = {b.phase: (b.environment, b.start) for b in scenario.bookings}
    free = searched(scenario, in_force, steps=300)
    budgeted = searched(scenario, in_force, steps=300, budget=2)
    assert free.current[2] > 2
    assert budgeted.current[2] <= 2
    assert budgeted.current < score(scenario, "tardiness", in_force)
    assert budgeted.current == score(scenario, "tardiness", budgeted.placement)


@st.composite
def scenarios_with_plan_in_force(draw: st.DrawFn) -> Scenario:
    """A small random scenario whose greedy plan is in force, some bookings pinned."""
    scenario = draw(bare_scenarios())
    placed = greedy_plan(scenario, Options(method="greedy")).assignments
    bookings = [
        make_booking(a.phase, a.environment, a.start, pinned=draw(st.booleans()))
        for a in placed
        if draw(st.booleans())
    ]
    return make_scenario(
        list(scenario.environments),
        list(scenario.releases),
        horizon_days=scenario.horizon_days,
        freezes=scenario.freezes,
        bookings=bookings,
    )


@settings(max_examples=60, deadline=None)
@given(scenarios_with_plan_in_force(), st.integers(0, 3), st.integers(0, 1000))
def test_never_worse_counted_right_within_budget_and_valid(scenario, budget, seed):
    start = first_come_first_served(scenario)
    before = score(scenario, "tardiness", start)
    search = searched(scenario, start, steps=40, budget=budget, seed=seed)
    assert search.current == score(scenario, "tardiness", search.placement)
    assert search.current <= before
    assert search.current[2] <= max(budget, before[2])
    assert_valid(scenario, search.placement)


def test_a_string_is_releases_in_a_row_on_one_environment_the_drawn_one_may_use():
    """Six releases queue on SIT-1 and two on SIT-2 (R9 may use only SIT-1): a string
    for R9 is a run of SIT-1's releases in their order there, never SIT-2's."""
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    releases = [make_release(f"R{i}", earliest_start=0, due=40) for i in range(1, 9)]
    only_sit_1 = (make_phase("R9-SIT", "R9", environments=["SIT-1"]),)
    releases.append(make_release("R9", priority=5, due=5, phase_objects=only_sit_1))
    scenario = make_scenario(envs, releases, horizon_days=120)
    lane = [f"R{i}" for i in range(1, 7)]
    start = {f"{rid}-SIT": ("SIT-1", 5 * n) for n, rid in enumerate(lane)}
    start |= {"R7-SIT": ("SIT-2", 0), "R8-SIT": ("SIT-2", 5), "R9-SIT": ("SIT-1", 30)}
    search = RuinAndRecreate(scenario, start, None, seed=3)
    for _draw in range(20):
        count = search.rng.randint(1, 4)
        string = search._string("R9", None, 0, 60, count)
        assert 1 <= len(string) <= count
        first = lane.index(string[0])
        assert string == lane[first : first + len(string)]


def test_the_longest_wait_is_the_phase_and_days_the_release_waited_for():
    """R1's SIT starts as soon as it may (day 2); its UAT, ready on day 7, waits for
    UAT-1 until day 20: the holders of UAT-1 and UAT-2 from day 7 to 20 keep it late."""
    envs = [
        make_environment("SIT-1"),
        make_environment("UAT-1", "UAT"),
        make_environment("UAT-2", "UAT"),
    ]
    release = make_release("R1", [("SIT", 5), ("UAT", 5)], earliest_start=2, due=10)
    scenario = make_scenario(envs, [release])
    search = RuinAndRecreate(
        scenario, {"R1-SIT": ("SIT-1", 2), "R1-UAT": ("UAT-1", 20)}, None, seed=0
    )
    assert search._longest_wait(release) == (["UAT-1", "UAT-2"], 7, 20)
    on_time = RuinAndRecreate(
        scenario, {"R1-SIT": ("SIT-1", 2), "R1-UAT": ("UAT-2", 7)}, None, seed=0
    )
    assert on_time._longest_wait(release) is None


def test_the_queue_order_puts_the_others_back_as_they_began(monkeypatch):
    scenario = make_scenario(releases=[make_release(f"R{i}") for i in (1, 2, 3, 4)])
    start = {"R1-SIT": ("SIT-1", 20), "R2-SIT": ("SIT-1", 0), "R3-SIT": ("SIT-1", 10)}
    search = RuinAndRecreate(scenario, start, None, seed=0)
    monkeypatch.setattr("solver.ruin.QUEUE_SHARE", 1.0)
    others = ["R1", "R4", "R2", "R3"]
    search._order(others, search._remove(others))
    assert others == ["R2", "R3", "R1", "R4"]  # R4 was not placed: last


def test_a_step_that_cannot_pay_stops_early_and_leaves_the_plan_as_it_was(monkeypatch):
    """R9 (priority 1) may only go first by pushing a release of priority 5 late: put
    back in queue order, R1 goes late and the recreate gives up there; any step around R9
    puts everything back."""
    releases = [make_release(f"R{i}", priority=5, due=5 * i) for i in (1, 2, 3)]
    releases.append(make_release("R9", due=1))
    scenario = make_scenario(releases=releases, horizon_days=20)
    start = {f"R{i}-SIT": ("SIT-1", 5 * (i - 1)) for i in (1, 2, 3)} | {"R9-SIT": ("SIT-1", 15)}
    search = RuinAndRecreate(scenario, start, None, seed=0)
    monkeypatch.setattr("solver.ruin.QUEUE_SHARE", 1.0)
    ruined = ["R9", "R1", "R2", "R3"]
    before = (0, 19, 0)
    taken = search._remove(ruined)
    assert search._recreate(ruined, taken, before) is None
    assert search.calendar.placement("R9-SIT") == ("SIT-1", Occupancy(0, 5, "R9", "R9-SIT"))
    placed = [r for r in ("R1", "R2", "R3") if search.calendar.placement(f"{r}-SIT")]
    assert placed == ["R1"]
    search._remove(ruined)
    search._put_back(taken)
    for _step in range(30):
        assert search.step("R9") is False
    assert search.placement == start and search.current == before
