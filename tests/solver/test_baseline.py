"""First come, first served keeping the plan in force, and the planner never worse than it.

The baseline (``greedy_plan``): pinned bookings stay, every other booking that still fits
stays, then releases in order of their start. The planner starts from it among its warm
starts, and after its search every moved booking that may go back at no cost goes back.
"""

from __future__ import annotations

from typing import Any

import pytest

from envsched.generate import HIGH_CONTENTION, generate_scenario
from solver import Options, Plan, Progress, Scenario, plan
from solver.optimise import FULL_MODEL_INTERVALS
from solver.restore import restore_bookings
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_phase,
    make_release,
    make_scenario,
)


def planned(scenario: Scenario, **options: Any) -> Plan:
    """The plan of ``options``, after the independent validator found nothing wrong."""
    result = plan(scenario, Options(**options))
    assert validate(scenario, result) == []
    return result


def lexicographic(result: Plan) -> tuple[int, int, int]:
    """Weighted unplaced, weighted tardiness, moved bookings: the planner's own order."""
    m = result.metrics
    return m.weighted_unplaced, m.weighted_tardiness, m.moved_bookings


def placed(result: Plan) -> dict[str, tuple[str, int]]:
    return {a.phase: (a.environment, a.start) for a in result.assignments}


# -- the baseline keeps the plan in force ---------------------------------------------------


def test_baseline_keeps_a_booking_whose_days_a_release_earlier_in_the_order_could_take():
    # R1 comes first (higher priority, same start) and would start on day 0 on SIT-1,
    # but R2 holds SIT-1 from day 0: R2 stays, R1 waits for it
    scenario = make_scenario(
        releases=[make_release("R1", priority=3), make_release("R2", priority=1)],
        bookings=[make_booking("R2-SIT", "SIT-1", 0)],
    )
    result = planned(scenario, method="greedy")
    assert placed(result) == {"R2-SIT": ("SIT-1", 0), "R1-SIT": ("SIT-1", 5)}
    assert result.metrics.moved_bookings == 0


def test_baseline_keeps_a_booking_only_after_its_predecessor_ends():
    # R1-UAT's booking starts on day 3, but R1-SIT (unbooked) cannot end before day 5
    scenario = make_scenario(
        environments=[make_environment(), make_environment("UAT-1", "UAT")],
        releases=[make_release("R1", [("SIT", 5), ("UAT", 4)])],
        bookings=[make_booking("R1-UAT", "UAT-1", 3)],
    )
    result = planned(scenario, method="greedy")
    assert placed(result) == {"R1-SIT": ("SIT-1", 0), "R1-UAT": ("UAT-1", 5)}


# -- moves that buy nothing go back ---------------------------------------------------------


def two_releases(**booking: Any) -> Scenario:
    """R1 and R2, five days each, on two SIT environments; R1 booked on SIT-2 at day 0."""
    return make_scenario(
        environments=[make_environment("SIT-1"), make_environment("SIT-2")],
        releases=[make_release("R1", due=booking.pop("due", 30)), make_release("R2", due=30)],
        bookings=[make_booking("R1-SIT", "SIT-2", booking.pop("start", 0))],
    )


def test_a_moved_booking_whose_place_is_free_goes_back():
    scenario = two_releases()
    moved = {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-1", 5)}
    assert restore_bookings(scenario, "tardiness", moved)["R1-SIT"] == ("SIT-2", 0)


def test_a_moved_booking_whose_place_another_phase_holds_stays_moved():
    scenario = two_releases()
    moved = {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-2", 2)}
    assert restore_bookings(scenario, "tardiness", moved) == moved


def test_a_moved_booking_stays_moved_when_going_back_would_make_its_release_later():
    scenario = two_releases(start=10, due=8)
    moved = {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-1", 5)}
    assert restore_bookings(scenario, "tardiness", moved) == moved


def test_an_unplaced_booked_phase_whose_place_is_free_is_placed_there_again():
    scenario = two_releases()
    assert restore_bookings(scenario, "tardiness", {"R2-SIT": ("SIT-1", 0)}) == {
        "R2-SIT": ("SIT-1", 0),
        "R1-SIT": ("SIT-2", 0),
    }


def test_planner_keeps_a_move_that_makes_room_and_sends_back_one_that_buys_nothing():
    # R2 is due on day 5 and can only run on SIT-1, where R1 is booked: R1 must move.
    # R3's booking on SIT-2 from day 10 is as good as any other place: it stays.
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    only_sit_1 = make_phase("R2-SIT", "R2", environments=["SIT-1"])
    r2 = make_release("R2", priority=3, due=5, phase_objects=(only_sit_1,))
    scenario = make_scenario(
        envs,
        [make_release("R1", due=30), r2, make_release("R3", due=30)],
        bookings=[make_booking("R1-SIT", "SIT-1", 0), make_booking("R3-SIT", "SIT-2", 10)],
    )
    result = planned(scenario, time_limit=5)
    where = placed(result)
    assert where["R2-SIT"] == ("SIT-1", 0)
    assert where["R1-SIT"] != ("SIT-1", 0)
    assert where["R3-SIT"] == ("SIT-2", 10)
    assert result.metrics.moved_bookings == 1


# -- never worse than the baseline ----------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_planner_is_never_worse_than_the_baseline_on_small_contended_years(seed):
    scenario = generate_scenario(30, 8, seed=seed, contention=HIGH_CONTENTION)
    baseline = planned(scenario, method="greedy")
    result = planned(scenario, time_limit=2, seed=seed)
    assert result.has_plan
    assert lexicographic(result) <= lexicographic(baseline)


def test_first_plan_reported_is_the_baseline_and_later_ones_are_better():
    scenario = generate_scenario(30, 8, seed=2, contention=HIGH_CONTENTION)
    baseline = planned(scenario, method="greedy")
    seen: list[Progress] = []
    planned(scenario, time_limit=2, progress=seen.append)
    assert seen[0].stage == "greedy"
    assert seen[0].objective == baseline.metrics.weighted_tardiness
    assert f"unplaced weight {baseline.metrics.weighted_unplaced}," in seen[0].message
    ranks = [reported_rank(p) for p in seen]
    assert ranks == sorted(ranks, reverse=True)


def reported_rank(progress: Progress) -> tuple[int, float, int]:
    """(weighted unplaced, objective, moved) of a report; its message reads
    "unplaced weight U, moved bookings M"."""
    unplaced, moved = (int(part.split()[-1]) for part in progress.message.split(","))
    assert progress.objective is not None
    return unplaced, progress.objective, moved


@pytest.mark.slow
def test_neighbourhood_search_is_never_worse_than_the_baseline_on_a_contended_year():
    scenario = generate_scenario(160, 32, seed=5, contention=HIGH_CONTENTION)
    assert sum(len(envs) for envs in scenario.eligible.values()) > FULL_MODEL_INTERVALS
    baseline = planned(scenario, method="greedy")
    result = planned(scenario, time_limit=4)
    assert baseline.metrics.late_releases > 0
    assert lexicographic(result) <= lexicographic(baseline)
