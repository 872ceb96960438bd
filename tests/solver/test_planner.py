"""``solver.plan``: the objective's strict order, what a plan reports, and the large search.

Objective order (docs/design.md): place as much as possible, then lateness (or makespan), then
move as few bookings as possible, then earlier is better. Each test below shows one step
of that order deciding; every plan is checked by the independent validator.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from solver import Options, Plan, Progress, Scenario, plan
from solver.greedy import greedy_plan
from solver.optimise import FULL_MODEL_INTERVALS
from solver.validate import validate
from solver.validate.recompute import recompute_metrics
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_phase,
    make_release,
    make_scenario,
)


def planned(scenario: Scenario, **options: Any) -> Plan:
    """The planner's plan, after the independent validator found nothing wrong with it."""
    options.setdefault("time_limit", 3.0)
    result = plan(scenario, Options(**options))
    assert validate(scenario, result) == []
    return result


def spots(result: Plan) -> dict[str, tuple[str, int]]:
    return {a.phase: (a.environment, a.start) for a in result.assignments}


def rank(result: Plan) -> tuple[int, int]:
    """The two highest criteria of the objective, in their order."""
    return result.metrics.weighted_unplaced, result.metrics.weighted_tardiness


def fcfs_trap() -> Scenario:
    """First come first served runs the long, unhurried R1 first and makes R2 and R3 late."""
    releases = [
        make_release("R1", [("SIT", 10)], priority=1, earliest_start=0, due=30),
        make_release("R2", [("SIT", 5)], priority=5, earliest_start=1, due=8),
        make_release("R3", [("SIT", 4)], priority=2, earliest_start=2, due=12),
    ]
    return make_scenario([make_environment()], releases)


# -- the objective's order ------------------------------------------------------------------


def test_cp_sat_beats_first_come_first_served_when_fcfs_makes_a_priority_release_late():
    scenario = fcfs_trap()
    greedy = planned(scenario, method="greedy")
    best = planned(scenario)
    assert greedy.metrics.weighted_tardiness == 5 * 7 + 2 * 7  # R2 and R3 wait for R1
    assert best.status == "OPTIMAL"
    assert best.metrics.weighted_tardiness < greedy.metrics.weighted_tardiness
    assert best.metrics.weighted_tardiness == 0


def test_placing_a_phase_beats_keeping_another_release_on_time():
    # R1 on time (days 5-15) leaves no ten free days for R2; placing R2 first makes R1 late
    releases = [
        make_release("R1", [("SIT", 10)], priority=10, earliest_start=5, due=15),
        make_release("R2", [("SIT", 10)], priority=1),
    ]
    result = planned(make_scenario([make_environment()], releases, horizon_days=20))
    assert result.unplaced == ()
    assert spots(result) == {"R1-SIT": ("SIT-1", 10), "R2-SIT": ("SIT-1", 0)}
    assert result.metrics.weighted_tardiness == 10 * 5
    assert [o.late_days for o in result.releases] == [5, 0]


def test_lateness_beats_stability_a_movable_booking_moves_to_make_room():
    # R2 comes first (scenario order) and keeps its booking under first come first served
    releases = [make_release("R2", [("SIT", 5)]), make_release("R1", [("SIT", 5)], due=5)]
    scenario = make_scenario(
        [make_environment()], releases, bookings=[make_booking("R2-SIT", "SIT-1", 0)]
    )
    assert planned(scenario, method="greedy").metrics.weighted_tardiness == 5
    result = planned(scenario)
    assert result.metrics.weighted_tardiness == 0
    assert spots(result) == {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-1", 5)}
    moved = {a.phase: a.moved for a in result.assignments}
    assert moved == {"R2-SIT": True, "R1-SIT": False}
    assert result.metrics.moved_bookings == 1


def test_stability_beats_earlier_a_movable_booking_in_a_good_place_stays():
    releases = [make_release("R1", [("SIT", 5)]), make_release("R2", [("SIT", 5)], due=20)]
    scenario = make_scenario(
        [make_environment()], releases, bookings=[make_booking("R2-SIT", "SIT-1", 10)]
    )
    result = planned(scenario)
    assert spots(result) == {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-1", 10)}
    assert not any(a.moved for a in result.assignments)
    assert result.metrics.moved_bookings == 0


def test_planning_a_plan_again_with_its_own_result_as_bookings_moves_nothing():
    scenario = fcfs_trap()
    first = planned(scenario)
    bookings = [make_booking(a.phase, a.environment, a.start) for a in first.assignments]
    again_scenario = make_scenario(
        list(scenario.environments), list(scenario.releases), bookings=bookings
    )
    again = planned(again_scenario)
    assert spots(again) == spots(first)
    assert again.metrics.moved_bookings == 0 and rank(again) == rank(first)


def test_earlier_is_better_a_lone_phase_starts_on_its_earliest_possible_day():
    envs = [
        make_environment("SIT-1", unavailable=[(0, 9)]),
        make_environment("SIT-2", unavailable=[(3, 6)]),
    ]
    release = make_release("R1", [("SIT", 4)], earliest_start=2)
    assert spots(planned(make_scenario(envs, [release]))) == {"R1-SIT": ("SIT-2", 6)}


def test_releases_without_due_dates_still_start_as_early_as_they_can():
    envs = [make_environment("SIT-1"), make_environment("UAT-1", "UAT")]
    releases = [make_release(f"R{i}", [("SIT", 3), ("UAT", 2)]) for i in range(1, 4)]
    result = planned(make_scenario(envs, releases))
    assert sorted(a.start for a in result.assignments if a.environment == "SIT-1") == [0, 3, 6]
    assert result.metrics.makespan_days == 11


# -- makespan on a small job shop -------------------------------------------------------------

# jobs as (machine, days) in order. The busiest machine, M2, alone needs 10 days; the
# optimum is 11, found by exhaustive search over the 6^3 job sequences of the machines.
JOB_SHOP = {
    "J1": [("M1", 3), ("M2", 2), ("M3", 2)],
    "J2": [("M1", 2), ("M3", 1), ("M2", 4)],
    "J3": [("M2", 4), ("M3", 3), ("M1", 1)],
}
JOB_SHOP_OPTIMUM = 11


def job_shop(**overrides: Any) -> Scenario:
    machines = [make_environment(m, m) for m in ("M1", "M2", "M3")]
    releases = [make_release(job, steps, due=0) for job, steps in JOB_SHOP.items()]
    return make_scenario(machines, releases, **overrides)


def test_makespan_objective_reaches_the_job_shop_optimum():
    scenario = job_shop()
    result = planned(scenario, objective="makespan")
    assert result.status == "OPTIMAL"
    assert result.metrics.makespan_days == JOB_SHOP_OPTIMUM
    assert result.solver.objective == JOB_SHOP_OPTIMUM == result.solver.bound
    assert planned(scenario, method="greedy").metrics.makespan_days >= JOB_SHOP_OPTIMUM


def test_scenario_objective_makespan_is_used_when_the_options_name_none():
    result = planned(job_shop(objective="makespan"))
    assert result.metrics.makespan_days == JOB_SHOP_OPTIMUM
    assert result.solver.objective == JOB_SHOP_OPTIMUM


def test_options_objective_overrides_the_scenario_objective():
    # tardiness with due 0 everywhere: the sum of job ends, not the last of them
    tardiness = planned(job_shop(objective="makespan"), objective="tardiness")
    assert tardiness.solver.objective == tardiness.metrics.weighted_tardiness
    assert tardiness.metrics.weighted_tardiness == sum(o.end or 0 for o in tardiness.releases)


# -- what a plan reports ----------------------------------------------------------------------


def test_method_greedy_returns_the_greedy_plan():
    scenario = fcfs_trap()
    options = Options(method="greedy", time_limit=3)
    result = planned(scenario, method="greedy")
    assert result.solver.method == "greedy"
    assert result.assignments == greedy_plan(scenario, options).assignments
    assert planned(scenario).solver.method == "cp-sat"


@pytest.mark.parametrize("objective", ["tardiness", "makespan"])
def test_plan_metrics_and_terms_equal_their_recomputed_values(objective):
    scenario = fcfs_trap()
    result = planned(scenario, objective=objective)
    metrics = recompute_metrics(scenario, result)
    assert result.metrics == metrics
    assert result.solver.terms == {
        "weighted_unplaced": metrics.weighted_unplaced,
        "weighted_tardiness": metrics.weighted_tardiness,
        "makespan_days": metrics.makespan_days,
        "moved_bookings": metrics.moved_bookings,
    }


def test_unplaced_phases_and_late_releases_carry_reasons():
    releases = [
        make_release("R1", [("SIT", 5)], due=3),
        make_release("R2", [("SIT", 30)]),
        make_release("R3", [("SIT", 4), ("UAT", 2)]),
    ]
    result = planned(make_scenario([make_environment()], releases, horizon_days=20))
    unplaced = {u.phase: u.reason for u in result.unplaced}
    assert set(unplaced) == {"R2-SIT", "R3-UAT"}
    assert all(reason.strip() for reason in unplaced.values())
    late = [o for o in result.releases if o.late_days]
    assert [o.id for o in late] == ["R1"] and late[0].late_days == 2 and late[0].reason.strip()


def test_progress_is_reported_with_the_stage_it_comes_from():
    seen: list[Progress] = []
    planned(fcfs_trap(), progress=seen.append)
    stages = [p.stage for p in seen]
    assert stages[0] == "greedy" and "cp-sat" in stages
    assert all(isinstance(p, Progress) and p.elapsed >= 0 for p in seen)


def test_progress_of_the_greedy_method_names_the_greedy_stage():
    seen: list[Progress] = []
    planned(fcfs_trap(), method="greedy", progress=seen.append)
    assert [p.stage for p in seen] == ["greedy"]


# -- a large scenario: the neighbourhood search -------------------------------------------------

TYPES = ("SIT", "UAT", "PERF", "STAGING")


def contended_scenario(releases: int = 180, per_type: int = 6, seed: int = 3) -> Scenario:
    """Releases through four test types on six environments each, due soon after they may
    start: more work than the environments hold on time, so dispatch leaves some late."""
    rng = random.Random(seed)
    envs = [
        make_environment(
            f"{t}-{i}",
            t,
            capacity=rng.choice((1, 1, 2)),
            changeover_days=rng.choice((0, 1)),
            tags=["mainframe"] if i % 3 == 0 else [],
        )
        for t in TYPES
        for i in range(1, per_type + 1)
    ]
    made = []
    for r in range(1, releases + 1):
        steps = [(t, rng.randint(4, 12)) for t in TYPES]
        early = rng.randrange(0, 250)
        work = sum(days for _t, days in steps)
        phases = tuple(
            make_phase(
                f"R{r}-{t}",
                f"R{r}",
                t,
                days,
                requires_tags=["mainframe"] if rng.random() < 0.1 else [],
            )
            for t, days in steps
        )
        made.append(
            make_release(
                f"R{r}",
                phase_objects=phases,
                priority=rng.randint(1, 3),
                earliest_start=early,
                due=early + work + rng.randint(0, 10),
            )
        )
    return make_scenario(envs, made, horizon_days=365)


@pytest.mark.slow
def test_large_scenario_gets_a_valid_plan_never_worse_than_greedy():
    scenario = contended_scenario()
    assert sum(len(envs) for envs in scenario.eligible.values()) > FULL_MODEL_INTERVALS
    greedy = planned(scenario, method="greedy")
    seen: list[Progress] = []
    result = planned(scenario, time_limit=6.0, progress=seen.append)
    assert result.has_plan
    assert rank(result) <= rank(greedy)
    assert seen and seen[0].stage == "greedy"
    assert all(p.stage in ("greedy", "rearrange") or p.stage.startswith("lns") for p in seen)
