"""The CP-SAT planner keeps every hard rule: a feasible and an infeasible case for each.

"Infeasible" for a rule means a phase the rule keeps out is reported unplaced with a
reason (or, for a pinned booking that breaks it, kept and reported as a clash; see
``test_pinned_clashes``); the plan itself is still checked by the independent validator,
like every plan here.
"""

from __future__ import annotations

from typing import Any

import pytest

from solver import Options, Plan, Scenario, plan
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
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


def reasons(result: Plan) -> dict[str, str]:
    return {u.phase: u.reason for u in result.unplaced}


def sit_releases(count: int, duration: int = 5, **overrides: Any) -> list:
    return [make_release(f"R{i}", [("SIT", duration)], **overrides) for i in range(1, count + 1)]


# -- eligible environments: type, tags, explicit list ---------------------------------


def test_phase_runs_on_an_environment_of_its_own_type():
    envs = [make_environment("SIT-1", "SIT"), make_environment("UAT-1", "UAT")]
    scenario = make_scenario(envs, [make_release("R1", [("UAT", 4)])])
    assert spots(planned(scenario)) == {"R1-UAT": ("UAT-1", 0)}


def test_required_tags_pick_the_environment_carrying_them():
    envs = [make_environment("UAT-1", "UAT"), make_environment("UAT-2", "UAT", tags=["mainframe"])]
    phase = make_phase("R1-UAT", type="UAT", duration=4, requires_tags=["mainframe"])
    scenario = make_scenario(envs, [make_release("R1", phase_objects=(phase,))])
    assert spots(planned(scenario)) == {"R1-UAT": ("UAT-2", 0)}


def test_explicit_environment_list_is_respected_even_when_another_is_free_earlier():
    envs = [make_environment("SIT-1"), make_environment("SIT-2", unavailable=[(0, 3)])]
    phase = make_phase("R1-SIT", duration=4, environments=["SIT-2"])
    scenario = make_scenario(envs, [make_release("R1", phase_objects=(phase,))])
    assert spots(planned(scenario)) == {"R1-SIT": ("SIT-2", 3)}


# each row: the phase's overrides, and words its unplaced reason must contain
@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"type": "PERF"}, ["PERF"]),  # no such type
        ({"type": "UAT", "requires_tags": ["gpu"]}, ["UAT", "gpu"]),  # tag missing
        ({"type": "UAT", "environments": ["SIT-1"]}, ["UAT", "SIT-1"]),  # list of others
    ],
)
def test_phase_without_an_eligible_environment_is_unplaced_with_its_successor(overrides, words):
    envs = [make_environment("SIT-1", "SIT", tags=["gpu"]), make_environment("UAT-1", "UAT")]
    first = make_phase("R1-X", duration=3, **overrides)
    second = make_phase("R1-SIT", duration=3)
    scenario = make_scenario(envs, [make_release("R1", phase_objects=(first, second))])
    result = planned(scenario)
    assert result.has_plan and result.assignments == ()
    why = reasons(result)
    assert all(word in why["R1-X"] for word in words), why["R1-X"]
    assert "R1-X" in why["R1-SIT"] and "unplaced" in why["R1-SIT"]


# -- capacity ---------------------------------------------------------------------------


def test_capacity_one_runs_phases_one_after_another():
    result = planned(make_scenario([make_environment()], sit_releases(2)))
    assert sorted(start for _env, start in spots(result).values()) == [0, 5]


def test_capacity_two_lets_two_phases_share_the_same_days_and_the_third_waits():
    result = planned(make_scenario([make_environment(capacity=2)], sit_releases(3)))
    assert sorted(start for _env, start in spots(result).values()) == [0, 0, 5]
    assert result.metrics.makespan_days == 10


def test_capacity_one_leaves_the_lower_priority_phase_unplaced_when_only_one_fits():
    releases = [
        make_release("R1", [("SIT", 5)], priority=1),
        make_release("R2", [("SIT", 5)], priority=3),
    ]
    result = planned(make_scenario([make_environment()], releases, horizon_days=8))
    assert list(spots(result)) == ["R2-SIT"]
    assert "R2" in reasons(result)["R1-SIT"]  # busy with the release that took the days


def test_capacity_two_fits_what_capacity_one_cannot():
    releases = sit_releases(2)
    assert (
        planned(
            make_scenario([make_environment(capacity=2)], releases, horizon_days=8)
        ).metrics.unplaced_phases
        == 0
    )


# -- changeover ---------------------------------------------------------------------------


def test_changeover_leaves_free_days_between_phases_of_different_releases():
    result = planned(make_scenario([make_environment(changeover_days=2)], sit_releases(2)))
    assert sorted(start for _env, start in spots(result).values()) == [0, 7]


def test_changeover_is_not_needed_between_phases_of_one_release():
    phases = (make_phase("R1-A", duration=3, after=[]), make_phase("R1-B", duration=3, after=[]))
    scenario = make_scenario(
        [make_environment(changeover_days=2)], [make_release("R1", phase_objects=phases)]
    )
    result = planned(scenario)
    assert sorted(start for _env, start in spots(result).values()) == [0, 3]


def test_changeover_does_not_apply_above_capacity_one():
    scenario = make_scenario([make_environment(capacity=2, changeover_days=3)], sit_releases(3))
    assert sorted(start for _env, start in spots(planned(scenario)).values()) == [0, 0, 5]


@pytest.mark.parametrize(("changeover", "unplaced"), [(0, 0), (1, 0), (2, 1)])
def test_changeover_days_can_push_a_phase_out_of_the_horizon(changeover, unplaced):
    scenario = make_scenario(
        [make_environment(changeover_days=changeover)], sit_releases(2), horizon_days=11
    )
    result = planned(scenario)
    assert result.metrics.unplaced_phases == unplaced
    if unplaced:
        assert "SIT-1" in result.unplaced[0].reason


# -- unavailable windows and freezes ----------------------------------------------------------


def test_unavailable_window_admits_no_phase():
    env = make_environment(unavailable=[(2, 4, "patching")])
    assert spots(planned(make_scenario([env])))["R1-SIT"] == ("SIT-1", 4)


def test_unavailable_window_sends_the_phase_to_another_environment():
    envs = [make_environment("SIT-1", unavailable=[(0, 10)]), make_environment("SIT-2")]
    assert spots(planned(make_scenario(envs)))["R1-SIT"] == ("SIT-2", 0)


def test_phase_that_fits_around_no_window_is_unplaced_naming_the_window():
    env = make_environment(unavailable=[(3, 20, "patching")])
    result = planned(make_scenario([env], horizon_days=24))
    assert result.assignments == ()
    assert "patching" in reasons(result)["R1-SIT"]


def test_freeze_of_the_phase_type_admits_no_phase():
    scenario = make_scenario(freezes=[make_freeze(0, 3, ("SIT",), "year-end")])
    assert spots(planned(scenario))["R1-SIT"] == ("SIT-1", 3)


def test_freeze_of_another_type_does_not_block():
    scenario = make_scenario(freezes=[make_freeze(0, 3, ("UAT",))])
    assert spots(planned(scenario))["R1-SIT"] == ("SIT-1", 0)


def test_freeze_without_types_covers_every_type():
    scenario = make_scenario(freezes=[make_freeze(0, 3)])
    assert spots(planned(scenario))["R1-SIT"] == ("SIT-1", 3)


def test_phase_that_fits_around_no_freeze_is_unplaced_naming_the_freeze():
    scenario = make_scenario(freezes=[make_freeze(4, 20, ("SIT",), "year-end")], horizon_days=24)
    result = planned(scenario)
    assert result.assignments == ()
    assert "year-end" in reasons(result)["R1-SIT"]


# -- order --------------------------------------------------------------------------------------


def two_types() -> list:
    return [
        make_environment("SIT-1", "SIT"),
        make_environment("UAT-1", "UAT"),
        make_environment("PERF-1", "PERF"),
    ]


def test_phase_waits_for_the_phase_listed_before_it():
    scenario = make_scenario(two_types(), [make_release("R1", [("SIT", 5), ("UAT", 3)])])
    assert spots(planned(scenario)) == {"R1-SIT": ("SIT-1", 0), "R1-UAT": ("UAT-1", 5)}


def test_gap_days_add_to_the_wait():
    phases = (
        make_phase("R1-SIT", duration=5),
        make_phase("R1-UAT", type="UAT", duration=3, gap_days=2),
    )
    scenario = make_scenario(two_types(), [make_release("R1", phase_objects=phases)])
    assert spots(planned(scenario))["R1-UAT"] == ("UAT-1", 7)


def test_phase_with_after_waits_for_each_of_two_predecessors_and_no_other():
    phases = (
        make_phase("R1-SIT", duration=5, after=[]),
        make_phase("R1-UAT", type="UAT", duration=3, after=[]),
        make_phase("R1-PERF", type="PERF", duration=2, after=["R1-SIT", "R1-UAT"]),
        make_phase("R1-UAT2", type="UAT", duration=2, after=["R1-SIT"], gap_days=1),
    )
    scenario = make_scenario(two_types(), [make_release("R1", phase_objects=phases)])
    placed = spots(planned(scenario))
    assert placed["R1-SIT"] == ("SIT-1", 0) and placed["R1-UAT"] == ("UAT-1", 0)
    assert placed["R1-PERF"] == ("PERF-1", 5)  # the later of its two predecessors
    assert placed["R1-UAT2"] == ("UAT-1", 6)  # R1-SIT's end plus its gap


def test_phases_of_different_releases_never_wait_for_each_other():
    releases = [make_release("R1", [("SIT", 5)]), make_release("R2", [("UAT", 5)])]
    placed = spots(planned(make_scenario(two_types(), releases)))
    assert placed == {"R1-SIT": ("SIT-1", 0), "R2-UAT": ("UAT-1", 0)}


# -- earliest starts ------------------------------------------------------------------------


def test_nothing_of_a_release_starts_before_its_earliest_start():
    scenario = make_scenario(
        two_types(), [make_release("R1", [("SIT", 3), ("UAT", 3)], earliest_start=4)]
    )
    assert spots(planned(scenario)) == {"R1-SIT": ("SIT-1", 4), "R1-UAT": ("UAT-1", 7)}


# each row: release earliest start, phase earliest start, expected start (the later wins)
@pytest.mark.parametrize(
    ("release_start", "phase_start", "expected"),
    [
        (0, 6, 6),
        (4, 2, 4),
        (4, None, 4),
    ],
)
def test_phase_earliest_start_and_release_earliest_start_both_hold(
    release_start, phase_start, expected
):
    phase = make_phase("R1-SIT", duration=3, earliest_start=phase_start)
    release = make_release("R1", phase_objects=(phase,), earliest_start=release_start)
    assert spots(planned(make_scenario(releases=[release])))["R1-SIT"] == ("SIT-1", expected)


def test_phase_whose_earliest_start_leaves_too_few_days_is_unplaced():
    phase = make_phase("R1-SIT", duration=5, earliest_start=57)
    result = planned(make_scenario(releases=[make_release("R1", phase_objects=(phase,))]))
    assert result.assignments == ()
    assert "5 days" in reasons(result)["R1-SIT"]


# -- horizon ----------------------------------------------------------------------------------


def test_phase_that_cannot_fit_the_horizon_is_unplaced_and_so_are_its_successors():
    release = make_release("R1", [("SIT", 6), ("UAT", 6), ("PERF", 2)])
    result = planned(make_scenario(two_types(), [release], horizon_days=10))
    assert spots(result) == {"R1-SIT": ("SIT-1", 0)}
    why = reasons(result)
    assert "R1-UAT needs 6 days but only 4 remain" in why["R1-UAT"]
    assert why["R1-PERF"] == "predecessor R1-UAT is unplaced"


def test_phase_longer_than_the_horizon_is_unplaced_while_others_are_placed():
    releases = [make_release("R1", [("SIT", 30)]), make_release("R2", [("SIT", 5)])]
    result = planned(make_scenario(releases=releases, horizon_days=20))
    assert spots(result) == {"R2-SIT": ("SIT-1", 0)}
    assert "R1-SIT" in reasons(result)


# -- pinned bookings ------------------------------------------------------------------------


def test_pinned_booking_is_kept_exactly_and_others_plan_around_it():
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    scenario = make_scenario(
        envs, sit_releases(3), bookings=[make_booking("R2-SIT", "SIT-2", 10, pinned=True)]
    )
    result = planned(scenario)
    placed = spots(result)
    assert placed["R2-SIT"] == ("SIT-2", 10)
    assert {placed["R1-SIT"], placed["R3-SIT"]} == {("SIT-1", 0), ("SIT-2", 0)}
    assert not any(a.moved for a in result.assignments)


def test_pinned_successor_holds_its_predecessor_before_it():
    scenario = make_scenario(
        two_types(),
        [make_release("R1", [("SIT", 5), ("UAT", 3)])],
        bookings=[make_booking("R1-UAT", "UAT-1", 6, pinned=True)],
    )
    placed = spots(planned(scenario))
    assert placed["R1-UAT"] == ("UAT-1", 6) and placed["R1-SIT"][1] <= 1


def clashes_of(result: Plan) -> set[tuple[str, str, tuple[str, ...]]]:
    assert result.clashes is not None
    return {(c.phase, c.rule, c.involves) for c in result.clashes}


# each row: the second pinned booking's start on SIT-1 (changeover 2) and the rule it breaks
@pytest.mark.parametrize(
    ("second", "rule"),
    [
        (3, "capacity"),  # capacity 1, overlapping days
        (6, "changeover"),  # apart, but closer than the changeover
    ],
)
def test_pinned_bookings_that_clash_are_kept_and_both_named(second, rule):
    env = make_environment(changeover_days=2)
    bookings = [
        make_booking("R1-SIT", "SIT-1", 0, pinned=True),
        make_booking("R2-SIT", "SIT-1", second, pinned=True),
    ]
    result = planned(make_scenario([env], sit_releases(3), bookings=bookings))
    assert result.has_plan and result.unplaced == ()
    assert spots(result)["R1-SIT"] == ("SIT-1", 0) and spots(result)["R2-SIT"] == ("SIT-1", second)
    assert clashes_of(result) == {("R1-SIT", rule, ("R2-SIT",)), ("R2-SIT", rule, ("R1-SIT",))}
    assert spots(result)["R3-SIT"] == ("SIT-1", second + 5 + 2)  # after both, and changeover


def test_pinned_bookings_apart_by_the_changeover_do_not_clash():
    env = make_environment(changeover_days=2)
    bookings = [
        make_booking("R1-SIT", "SIT-1", 0, pinned=True),
        make_booking("R2-SIT", "SIT-1", 7, pinned=True),
    ]
    result = planned(make_scenario([env], sit_releases(2), bookings=bookings))
    assert result.status == "OPTIMAL" and result.clashes == ()
    assert spots(result) == {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-1", 7)}


def test_pinned_phases_in_the_wrong_order_are_kept_as_an_order_clash():
    bookings = [
        make_booking("R1-SIT", "SIT-1", 4, pinned=True),
        make_booking("R1-UAT", "UAT-1", 2, pinned=True),
    ]
    scenario = make_scenario(
        two_types(), [make_release("R1", [("SIT", 5), ("UAT", 3)])], bookings=bookings
    )
    result = planned(scenario)
    assert result.status == "OPTIMAL"
    assert spots(result) == {"R1-SIT": ("SIT-1", 4), "R1-UAT": ("UAT-1", 2)}
    assert clashes_of(result) == {("R1-UAT", "order", ("R1-SIT",))}


def test_pinned_booking_inside_a_window_is_kept_as_a_clash_naming_the_window():
    env = make_environment(unavailable=[(2, 4, "patching")])
    scenario = make_scenario(
        [env], sit_releases(2), bookings=[make_booking("R1-SIT", "SIT-1", 0, pinned=True)]
    )
    result = planned(scenario)
    assert spots(result) == {"R1-SIT": ("SIT-1", 0), "R2-SIT": ("SIT-1", 5)}
    assert clashes_of(result) == {("R1-SIT", "unavailable", ())}
    assert result.clashes is not None and "patching" in result.clashes[0].message


def test_pinned_phase_whose_predecessor_has_no_room_is_kept_naming_it():
    envs = [make_environment("SIT-1"), make_environment("UAT-1", "UAT")]
    releases = [make_release("R1", [("SIT", 5), ("UAT", 3)]), make_release("R2", [("SIT", 5)])]
    bookings = [
        make_booking("R1-UAT", "UAT-1", 5, pinned=True),
        make_booking("R2-SIT", "SIT-1", 0, pinned=True),
    ]
    result = planned(make_scenario(envs, releases, bookings=bookings))
    assert result.has_plan
    assert spots(result) == {"R1-UAT": ("UAT-1", 5), "R2-SIT": ("SIT-1", 0)}
    assert "R2" in reasons(result)["R1-SIT"]  # SIT-1 is busy with R2 before R1-UAT
    assert clashes_of(result) == {("R1-UAT", "order", ("R1-SIT",))}


def test_pinned_successors_planned_by_greedy_are_planned_by_cp_sat_too():
    # first come first served (R1 first, by priority) fits both SITs before their pinned
    # UATs; the earliest-due-date order (R2 first) would not
    envs = [make_environment("SIT-1"), make_environment("UAT-1", "UAT")]
    releases = [
        make_release("R1", [("SIT", 5), ("UAT", 3)], priority=3, due=20),
        make_release("R2", [("SIT", 5), ("UAT", 3)], priority=1, due=13),
    ]
    bookings = [
        make_booking("R1-UAT", "UAT-1", 5, pinned=True),
        make_booking("R2-UAT", "UAT-1", 10, pinned=True),
    ]
    scenario = make_scenario(envs, releases, bookings=bookings)
    assert planned(scenario, method="greedy").unplaced == ()
    result = planned(scenario)
    assert result.unplaced == ()
    assert spots(result)["R1-SIT"] == ("SIT-1", 0) and spots(result)["R2-SIT"] == ("SIT-1", 5)


def test_pinned_successors_are_planned_when_one_release_order_fits_their_predecessors():
    # R2 comes first by priority (first come first served), and its SIT would take the
    # days R1-SIT needs before R1's pinned UAT; R1's SIT first, then R2's, fits both.
    envs = [make_environment("SIT-1"), make_environment("UAT-1", "UAT")]
    releases = [
        make_release("R1", [("SIT", 5), ("UAT", 3)], priority=1, due=8),
        make_release("R2", [("SIT", 5), ("UAT", 3)], priority=3, due=13),
    ]
    bookings = [
        make_booking("R1-UAT", "UAT-1", 5, pinned=True),
        make_booking("R2-UAT", "UAT-1", 10, pinned=True),
    ]
    result = planned(make_scenario(envs, releases, bookings=bookings))
    assert result.unplaced == ()
    assert spots(result)["R1-SIT"] == ("SIT-1", 0) and spots(result)["R2-SIT"] == ("SIT-1", 5)


def test_pinned_successors_are_planned_when_only_the_model_finds_room_for_their_predecessors():
    # Every dispatch order puts R1 first and its short SIT on SIT-1 (listed first), which
    # leaves R2's long SIT (SIT-1 only) no room before its pinned UAT; R1-SIT on SIT-2 fits.
    envs = [
        make_environment("SIT-1"),
        make_environment("SIT-2"),
        make_environment("UAT-1", "UAT"),
        make_environment("UAT-2", "UAT"),
    ]
    r1 = make_release(
        "R1",
        phase_objects=(
            make_phase("R1-SIT", "R1", duration=2),
            make_phase("R1-UAT", "R1", "UAT", 3),
        ),
        priority=5,
        due=4,
    )
    r2 = make_release(
        "R2",
        phase_objects=(
            make_phase("R2-SIT", "R2", duration=10, environments=["SIT-1"]),
            make_phase("R2-UAT", "R2", "UAT", 3),
        ),
    )
    bookings = [
        make_booking("R1-UAT", "UAT-1", 10, pinned=True),
        make_booking("R2-UAT", "UAT-2", 10, pinned=True),
    ]
    result = planned(make_scenario(envs, [r1, r2], bookings=bookings))
    assert result.unplaced == () and result.clashes == ()
    assert spots(result)["R1-SIT"][0] == "SIT-2" and spots(result)["R2-SIT"] == ("SIT-1", 0)
