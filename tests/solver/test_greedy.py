"""The greedy planner: every hard rule, pinned and kept bookings, unplaced phases, FCFS."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.calendar import EnvironmentCalendar
from solver.greedy import dispatch, fcfs_order, greedy_plan
from solver.options import Options
from solver.plan import Plan
from solver.scenario import Scenario
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
    make_phase,
    make_release,
    make_scenario,
)

GREEDY = Options(method="greedy")


def plan_checked(scenario: Scenario) -> Plan:
    """The greedy plan, after the independent validator found nothing wrong with it."""
    plan = greedy_plan(scenario, GREEDY)
    assert validate(scenario, plan) == []
    return plan


def spots(plan: Plan) -> dict[str, tuple[str, int]]:
    return {a.phase: (a.environment, a.start) for a in plan.assignments}


def sit_releases(count: int, duration: int = 5) -> list:
    return [make_release(f"R{i}", [("SIT", duration)]) for i in range(1, count + 1)]


# -- one rule at a time -------------------------------------------------------------------


def test_capacity_two_takes_two_phases_at_once_and_the_third_waits():
    scenario = make_scenario([make_environment(capacity=2)], sit_releases(3))
    assert spots(plan_checked(scenario)) == {
        "R1-SIT": ("SIT-1", 0),
        "R2-SIT": ("SIT-1", 0),
        "R3-SIT": ("SIT-1", 5),
    }


def test_capacity_one_runs_phases_one_after_another():
    scenario = make_scenario([make_environment()], sit_releases(2))
    assert spots(plan_checked(scenario))["R2-SIT"] == ("SIT-1", 5)


def test_changeover_leaves_free_days_between_different_releases():
    scenario = make_scenario([make_environment(changeover_days=2)], sit_releases(2))
    assert spots(plan_checked(scenario))["R2-SIT"] == ("SIT-1", 7)


def test_changeover_is_not_needed_within_one_release():
    phases = (make_phase("R1-A", duration=3, after=[]), make_phase("R1-B", duration=3, after=[]))
    scenario = make_scenario(
        [make_environment(changeover_days=2)], [make_release("R1", phase_objects=phases)]
    )
    assert spots(plan_checked(scenario)) == {"R1-A": ("SIT-1", 0), "R1-B": ("SIT-1", 3)}


def test_changeover_does_not_apply_above_capacity_one():
    scenario = make_scenario([make_environment(capacity=2, changeover_days=3)], sit_releases(3))
    assert spots(plan_checked(scenario))["R3-SIT"] == ("SIT-1", 5)


def test_unavailable_window_admits_no_phase():
    env = make_environment(unavailable=[(2, 4, "patching")])
    assert spots(plan_checked(make_scenario([env])))["R1-SIT"] == ("SIT-1", 4)


def test_freeze_of_the_type_admits_no_phase():
    freezes = [make_freeze(0, 6, types=("SIT",), reason="go-live")]
    assert spots(plan_checked(make_scenario(freezes=freezes)))["R1-SIT"] == ("SIT-1", 6)


def test_freeze_of_another_type_does_not_block():
    freezes = [make_freeze(0, 6, types=("UAT",), reason="go-live")]
    assert spots(plan_checked(make_scenario(freezes=freezes)))["R1-SIT"] == ("SIT-1", 0)


def test_phase_waits_for_the_one_before_it_plus_its_gap():
    phases = (
        make_phase("R1-SIT", duration=5),
        make_phase("R1-UAT", type="UAT", duration=3, gap_days=2),
    )
    scenario = make_scenario(
        [make_environment(), make_environment("UAT-1", "UAT")],
        [make_release("R1", phase_objects=phases)],
    )
    assert spots(plan_checked(scenario))["R1-UAT"] == ("UAT-1", 7)


def test_phase_with_after_waits_for_each_named_predecessor_only():
    phases = (
        make_phase("R1-SIT", duration=5),
        make_phase("R1-UAT", type="UAT", duration=3, after=[]),
        make_phase("R1-PERF", type="PERF", duration=2, after=["R1-SIT", "R1-UAT"]),
    )
    envs = [
        make_environment(),
        make_environment("UAT-1", "UAT"),
        make_environment("PERF-1", "PERF"),
    ]
    scenario = make_scenario(envs, [make_release("R1", phase_objects=phases)])
    assert spots(plan_checked(scenario)) == {
        "R1-SIT": ("SIT-1", 0),
        "R1-UAT": ("UAT-1", 0),
        "R1-PERF": ("PERF-1", 5),
    }


def test_release_and_phase_earliest_starts_are_respected():
    phases = (make_phase("R2-SIT", release="R2", duration=2, earliest_start=12),)
    releases = [
        make_release("R1", [("SIT", 2)], earliest_start=10),
        make_release("R2", phase_objects=phases, earliest_start=3),
    ]
    scenario = make_scenario([make_environment(capacity=2)], releases)
    assert spots(plan_checked(scenario)) == {"R1-SIT": ("SIT-1", 10), "R2-SIT": ("SIT-1", 12)}


def test_required_tags_pick_the_environment_carrying_them():
    envs = [make_environment("SIT-1"), make_environment("SIT-2", tags=["mainframe"])]
    phases = (make_phase("R1-SIT", requires_tags=["mainframe"]),)
    scenario = make_scenario(envs, [make_release("R1", phase_objects=phases)])
    assert spots(plan_checked(scenario))["R1-SIT"] == ("SIT-2", 0)


def test_explicit_environment_list_is_respected():
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    phases = (make_phase("R1-SIT", environments=["SIT-2"]),)
    scenario = make_scenario(envs, [make_release("R1", phase_objects=phases)])
    assert spots(plan_checked(scenario))["R1-SIT"] == ("SIT-2", 0)


def test_earliest_start_wins_and_ties_go_to_the_environment_listed_first():
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    scenario = make_scenario(envs, sit_releases(3))
    assert spots(plan_checked(scenario)) == {
        "R1-SIT": ("SIT-1", 0),
        "R2-SIT": ("SIT-2", 0),
        "R3-SIT": ("SIT-1", 5),
    }


def test_phase_stays_inside_the_horizon():
    scenario = make_scenario([make_environment()], sit_releases(3, duration=4), horizon_days=10)
    plan = plan_checked(scenario)
    assert [u.phase for u in plan.unplaced] == ["R3-SIT"]
    assert all(a.end <= 10 for a in plan.assignments)


# -- bookings -----------------------------------------------------------------------------


def test_pinned_booking_is_kept_exactly_and_others_plan_around_it():
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    scenario = make_scenario(
        envs, sit_releases(3), bookings=[make_booking("R3-SIT", "SIT-1", 2, pinned=True)]
    )
    result = spots(plan_checked(scenario))
    assert result["R3-SIT"] == ("SIT-1", 2)
    assert result["R1-SIT"] == ("SIT-2", 0)
    assert result["R2-SIT"] == ("SIT-2", 5)


def test_non_pinned_booking_is_kept_where_it_still_fits():
    envs = [make_environment("SIT-1"), make_environment("SIT-2")]
    scenario = make_scenario(envs, sit_releases(1), bookings=[make_booking("R1-SIT", "SIT-2", 20)])
    plan = plan_checked(scenario)
    assert spots(plan)["R1-SIT"] == ("SIT-2", 20)
    assert plan.metrics.moved_bookings == 0


def test_non_pinned_booking_moves_when_a_window_now_covers_it():
    envs = [make_environment("SIT-1"), make_environment("SIT-2", unavailable=[(19, 22, "rack")])]
    scenario = make_scenario(envs, sit_releases(1), bookings=[make_booking("R1-SIT", "SIT-2", 20)])
    plan = plan_checked(scenario)
    assert spots(plan)["R1-SIT"] == ("SIT-1", 0)
    assert plan.assignments[0].moved and plan.metrics.moved_bookings == 1


def test_non_pinned_booking_moves_when_its_predecessor_now_ends_later():
    releases = [make_release("R1", [("SIT", 10), ("UAT", 3)])]
    envs = [make_environment(), make_environment("UAT-1", "UAT")]
    scenario = make_scenario(envs, releases, bookings=[make_booking("R1-UAT", "UAT-1", 5)])
    assert spots(plan_checked(scenario))["R1-UAT"] == ("UAT-1", 10)


def test_without_keep_bookings_every_phase_goes_to_its_earliest_fit():
    scenario = make_scenario(
        releases=sit_releases(1), bookings=[make_booking("R1-SIT", "SIT-1", 20)]
    )
    assignments, _ = dispatch(scenario, ["R1"], keep_bookings=False)
    assert (assignments[0].start, assignments[0].moved) == (0, True)


def test_predecessor_of_a_pinned_phase_is_placed_before_it_even_if_its_release_comes_last():
    envs = [make_environment(), make_environment("UAT-1", "UAT")]
    releases = [make_release("R1", [("SIT", 5), ("UAT", 3)]), make_release("R2", [("SIT", 8)])]
    scenario = make_scenario(
        envs, releases, bookings=[make_booking("R1-UAT", "UAT-1", 6, pinned=True)]
    )
    assignments, unplaced = dispatch(scenario, ["R2", "R1"])
    assert unplaced == []
    by_phase = {a.phase: a for a in assignments}
    assert by_phase["R1-SIT"].end <= 6 and by_phase["R2-SIT"].start >= 5


# -- unplaced phases ----------------------------------------------------------------------


def test_phase_that_fits_nowhere_is_unplaced_with_its_successors():
    envs = [
        make_environment(unavailable=[(0, 60, "decommissioned")]),
        make_environment("UAT-1", "UAT"),
    ]
    scenario = make_scenario(envs, [make_release("R1", [("SIT", 5), ("UAT", 3)])])
    plan = plan_checked(scenario)
    reasons = {u.phase: u.reason for u in plan.unplaced}
    assert "SIT-1" in reasons["R1-SIT"] and "decommissioned" in reasons["R1-SIT"]
    assert reasons["R1-UAT"] == "predecessor R1-SIT is unplaced"
    assert plan.status == "FEASIBLE" and plan.assignments == ()
    assert plan.metrics.unplaced_phases == 2


def test_pinned_phase_whose_predecessor_finds_no_room_is_kept_as_an_order_clash():
    envs = [
        make_environment(unavailable=[(0, 60, "decommissioned")]),
        make_environment("UAT-1", "UAT"),
    ]
    scenario = make_scenario(
        envs,
        [make_release("R1", [("SIT", 5), ("UAT", 3)])],
        bookings=[make_booking("R1-UAT", "UAT-1", 10, pinned=True)],
    )
    plan = plan_checked(scenario)
    assert plan.status == "FEASIBLE" and spots(plan) == {"R1-UAT": ("UAT-1", 10)}
    assert [u.phase for u in plan.unplaced] == ["R1-SIT"]
    assert plan.clashes is not None
    [clash] = plan.clashes
    assert (clash.phase, clash.rule, clash.involves) == ("R1-UAT", "order", ("R1-SIT",))
    assert "decommissioned" in clash.message


# -- pinned bookings that break a rule: kept, each rule a clash -----------------------------


def clashes_of(plan: Plan) -> set[tuple[str, str, tuple[str, ...]]]:
    assert plan.clashes is not None
    return {(c.phase, c.rule, c.involves) for c in plan.clashes}


# each row: the pinned starts of R1-SIT and R2-SIT (5 days each), whether they clash,
# and where the free R3-SIT then starts: never on a day either pinned booking holds
@pytest.mark.parametrize(
    ("first", "second", "clash", "third"),
    [
        (0, 10, False, 5),  # before: the second starts after the first has ended
        (0, 5, False, 10),  # touching: the second starts on the first's end day
        (0, 3, True, 8),  # overlapping
        (0, 0, True, 5),  # same days
        (2, 2, True, 7),  # inside (same length, same start)
        (10, 0, False, 5),  # after
    ],
)
def test_pinned_bookings_clash_only_when_they_overlap_on_capacity_one(first, second, clash, third):
    scenario = make_scenario(
        releases=sit_releases(3),
        bookings=[
            make_booking("R1-SIT", "SIT-1", first, pinned=True),
            make_booking("R2-SIT", "SIT-1", second, pinned=True),
        ],
    )
    plan = plan_checked(scenario)
    assert plan.status == "FEASIBLE"
    assert spots(plan)["R1-SIT"] == ("SIT-1", first) and spots(plan)["R2-SIT"] == ("SIT-1", second)
    expected = {("R1-SIT", "capacity", ("R2-SIT",)), ("R2-SIT", "capacity", ("R1-SIT",))}
    assert clashes_of(plan) == (expected if clash else set())
    assert spots(plan)["R3-SIT"] == ("SIT-1", third)


def test_pinned_bookings_too_close_for_changeover_clash_and_nothing_goes_between():
    scenario = make_scenario(
        [make_environment(changeover_days=2)],
        sit_releases(3),
        bookings=[
            make_booking("R1-SIT", "SIT-1", 0, pinned=True),
            make_booking("R2-SIT", "SIT-1", 6, pinned=True),
        ],
    )
    plan = plan_checked(scenario)
    assert clashes_of(plan) == {
        ("R1-SIT", "changeover", ("R2-SIT",)),
        ("R2-SIT", "changeover", ("R1-SIT",)),
    }
    assert spots(plan)["R3-SIT"] == ("SIT-1", 13)  # after R2-SIT's end and its changeover


def test_three_pinned_bookings_over_capacity_two_clash_each_naming_the_others():
    scenario = make_scenario(
        [make_environment(capacity=2)],
        sit_releases(4),
        bookings=[make_booking(f"R{i}-SIT", "SIT-1", i, pinned=True) for i in (1, 2, 3)],
    )
    plan = plan_checked(scenario)
    assert clashes_of(plan) == {
        ("R1-SIT", "capacity", ("R2-SIT", "R3-SIT")),
        ("R2-SIT", "capacity", ("R1-SIT", "R3-SIT")),
        ("R3-SIT", "capacity", ("R1-SIT", "R2-SIT")),
    }
    assert spots(plan)["R4-SIT"] == ("SIT-1", 7)  # one unit is free again once R2 is over


def test_pinned_booking_in_a_window_on_a_wrong_environment_or_before_its_start_is_named():
    envs = [make_environment(unavailable=[(0, 3, "patching")]), make_environment("UAT-1", "UAT")]
    scenario = make_scenario(
        envs,
        [make_release("R1", [("SIT", 5)], earliest_start=2), make_release("R2", [("SIT", 5)])],
        bookings=[
            make_booking("R1-SIT", "SIT-1", 1, pinned=True),
            make_booking("R2-SIT", "UAT-1", 0, pinned=True),
        ],
    )
    plan = plan_checked(scenario)
    assert clashes_of(plan) == {
        ("R1-SIT", "unavailable", ()),
        ("R1-SIT", "earliest_start", ()),
        ("R2-SIT", "eligibility", ()),
    }
    assert plan.clashes is not None
    text = " | ".join(c.message for c in plan.clashes)
    assert "patching" in text and "earliest start" in text and "not eligible" in text


def test_pinned_phases_in_the_wrong_order_clash_and_both_are_kept():
    envs = [make_environment(), make_environment("UAT-1", "UAT")]
    scenario = make_scenario(
        envs,
        [make_release("R1", [("SIT", 5), ("UAT", 3)])],
        bookings=[
            make_booking("R1-SIT", "SIT-1", 10, pinned=True),
            make_booking("R1-UAT", "UAT-1", 12, pinned=True),
        ],
    )
    plan = plan_checked(scenario)
    assert plan.status == "FEASIBLE"
    assert spots(plan) == {"R1-SIT": ("SIT-1", 10), "R1-UAT": ("UAT-1", 12)}
    assert clashes_of(plan) == {("R1-UAT", "order", ("R1-SIT",))}
    assert plan.clashes is not None and "pinned predecessor R1-SIT" in plan.clashes[0].message


# -- orders and calendars -----------------------------------------------------------------


def test_fcfs_orders_by_earliest_start_then_priority_then_scenario_order():
    releases = [
        make_release("A", earliest_start=5),
        make_release("B", earliest_start=0),
        make_release("C", earliest_start=5, priority=3),
        make_release("D", earliest_start=5),
    ]
    assert fcfs_order(make_scenario(releases=releases)) == ["B", "C", "A", "D"]


def test_dispatch_follows_the_given_release_order():
    scenario = make_scenario(releases=sit_releases(2))
    assignments, _ = dispatch(scenario, ["R2", "R1"])
    assert {a.phase: a.start for a in assignments} == {"R1-SIT": 5, "R2-SIT": 0}


def test_dispatch_keeps_the_phases_a_given_calendar_holds_and_reinserts_the_rest():
    scenario = make_scenario(releases=sit_releases(3))
    calendar = EnvironmentCalendar(scenario)
    dispatch(scenario, ["R1", "R2", "R3"], calendar)
    calendar.remove("R1-SIT")
    calendar.remove("R2-SIT")
    assignments, _ = dispatch(scenario, ["R2", "R1"], calendar)
    assert {a.phase: a.start for a in assignments} == {"R1-SIT": 5, "R2-SIT": 0, "R3-SIT": 10}


def test_earliest_fit_jumps_past_busy_blocked_and_changeover_days():
    scenario = make_scenario(
        [make_environment(changeover_days=1, unavailable=[(12, 14, "patching")])]
    )
    calendar = EnvironmentCalendar(scenario)
    calendar.occupy("SIT-1", 0, 5, "R9", "R9-SIT")
    calendar.occupy("SIT-1", 8, 10, "R8", "R8-SIT")
    assert calendar.earliest_fit("SIT-1", 0, 2, "R1") == 14
    assert calendar.earliest_fit("SIT-1", 0, 2, "R8") == 6  # no changeover next to R8 itself
    assert calendar.earliest_fit("SIT-1", 0, 2, "R1", latest=13) is None
    assert [o.phase for o in calendar.occupants("SIT-1", 9)] == ["R8-SIT"]


def test_earliest_among_takes_the_earliest_start_then_the_environment_listed_first():
    envs = [make_environment(f"SIT-{i}", unavailable=[(0, 10, "patching")]) for i in (1, 2, 3)]
    calendar = EnvironmentCalendar(make_scenario(envs))
    calendar.occupy("SIT-1", 10, 12, "R9", "R9-SIT")
    assert calendar.earliest_among(["SIT-1", "SIT-2", "SIT-3"], 0, 3, "R1") == ("SIT-2", 10)
    assert calendar.earliest_among(["SIT-3", "SIT-2"], 0, 3, "R1") == ("SIT-3", 10)
    assert calendar.earliest_among(["SIT-1"], 0, 3, "R1", latest=11) is None


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    capacities=st.lists(st.integers(1, 2), min_size=1, max_size=4),
    changeover=st.integers(0, 2),
)
def test_the_fast_searches_agree_with_day_by_day_checks(data, capacities, changeover):
    """``earliest_among`` and ``releases_between`` (the planners' hot loops, searching in
    C) give what checking every day with ``fits`` and ``occupants`` gives."""
    envs = [
        make_environment(
            f"SIT-{i}",
            capacity=cap,
            changeover_days=changeover,
            unavailable=[(w, w + 3, "patching")] if (w := data.draw(st.integers(-5, 60))) else [],
        )
        for i, cap in enumerate(capacities)
    ]
    calendar = EnvironmentCalendar(make_scenario(envs))
    ids = [e.id for e in envs]
    for n in range(data.draw(st.integers(0, 12))):
        env, start = data.draw(st.sampled_from(ids)), data.draw(st.integers(0, 55))
        length = data.draw(st.integers(1, 5))
        if calendar.fits(env, start, start + length, f"R{n % 3}"):
            calendar.occupy(env, start, start + length, f"R{n % 3}", f"P{n}")
    ready, duration = data.draw(st.integers(-3, 62)), data.draw(st.integers(1, 8))
    latest = data.draw(st.none() | st.integers(0, 60))
    release = data.draw(st.sampled_from(["R0", "R1", "R9"]))
    slow = [
        (env, day)
        for day in range(max(ready, 0), 61)
        for env in ids
        if (latest is None or day <= latest) and calendar.fits(env, day, day + duration, release)
    ]
    assert calendar.earliest_among(ids, ready, duration, release, latest) == min(
        slow, key=lambda spot: (spot[1], ids.index(spot[0])), default=None
    )
    lo, hi = sorted(data.draw(st.lists(st.integers(0, 60), min_size=2, max_size=2)))
    wanted = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    assert calendar.releases_between(wanted, lo, hi) == {
        occ.release for env in wanted for occ in calendar.occupants_between(env, lo, hi)
    }


@settings(max_examples=150, deadline=None)
@given(data=st.data(), capacity=st.integers(1, 2))
def test_each_day_keeps_its_load_and_is_open_only_when_neither_blocked_nor_full(data, capacity):
    """Occupying and removing change a capacity-1 environment's days by slice where they
    can (open days taken, days only the phase held freed) and day by day elsewhere, as
    with pinned bookings over one another: either way each day's load is the phases on
    it, and a day is open when it is neither blocked nor full."""
    env = make_environment(capacity=capacity, unavailable=[(10, 13, "patching")])
    calendar = EnvironmentCalendar(make_scenario([env], horizon_days=40))
    placed: list[str] = []
    for n in range(data.draw(st.integers(1, 25))):
        if placed and data.draw(st.booleans()):
            calendar.remove(placed.pop(data.draw(st.integers(0, len(placed) - 1))))
        else:
            start, length = data.draw(st.integers(-2, 38)), data.draw(st.integers(1, 6))
            calendar.occupy("SIT-1", start, start + length, f"R{n}", f"P{n}")
            placed.append(f"P{n}")
        for day in range(40):
            on = len(calendar.occupants("SIT-1", day))
            assert calendar.load("SIT-1", day) == on
            is_open = not 10 <= day < 13 and on < capacity
            assert calendar.fits("SIT-1", day, day + 1, "R99") == is_open


def test_removing_a_phase_frees_its_days_and_a_copy_is_independent():
    calendar = EnvironmentCalendar(make_scenario())
    calendar.occupy("SIT-1", 0, 5, "R1", "R1-SIT")
    twin = calendar.copy()
    calendar.remove("R1-SIT")
    assert calendar.fits("SIT-1", 0, 5, "R2") and not twin.fits("SIT-1", 0, 5, "R2")
    assert calendar.placement("R1-SIT") is None and twin.placement("R1-SIT") is not None


# -- whole plans --------------------------------------------------------------------------


def contended_scenario(seed: int, releases: int, environments: int) -> Scenario:
    rnd = random.Random(seed)
    types = ["SIT", "UAT", "PERF"]
    envs = [
        make_environment(
            f"{types[i % 3]}-{i}",
            types[i % 3],
            capacity=rnd.choice([1, 1, 2]),
            changeover_days=rnd.choice([0, 1]),
            tags=rnd.sample(["mainframe", "cloud"], rnd.randint(0, 2)),
            unavailable=[(d, d + 2, "patching") for d in rnd.sample(range(55), 2)],
        )
        for i in range(environments)
    ]
    rels = [
        make_release(
            f"R{r}",
            [(t, rnd.randint(2, 8)) for t in types],
            earliest_start=rnd.randint(0, 20),
            due=rnd.randint(15, 50),
            priority=rnd.randint(1, 3),
        )
        for r in range(releases)
    ]
    pinned = [make_booking("R0-SIT", envs[0].id, 30, pinned=True)] if rnd.random() < 0.5 else []
    moved = [make_booking("R1-UAT", envs[1].id, rnd.randint(0, 50))]
    return make_scenario(
        envs,
        rels,
        horizon_days=60,
        bookings=pinned + moved,
        freezes=[make_freeze(40, 43, types=("PERF",), reason="quarter-end")],
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 25), st.integers(3, 9))
def test_greedy_plans_of_random_scenarios_break_no_rule(seed, releases, environments):
    scenario = contended_scenario(seed, releases, environments)
    plan = plan_checked(scenario)
    assert plan.status == "FEASIBLE"  # a pinned booking in a window is a clash, kept
    assert plan.metrics.placed_phases + plan.metrics.unplaced_phases == 3 * releases


def test_greedy_plan_reports_method_and_explains_late_releases():
    plan = plan_checked(contended_scenario(seed=7, releases=25, environments=3))
    assert plan.status == "FEASIBLE"
    assert (plan.solver.method, plan.solver.objective, plan.solver.workers) == ("greedy", None, 1)
    late = [r for r in plan.releases if r.late_days > 0]
    assert late and all(r.reason.startswith(f"{r.id} late by") for r in late)
    assert all(r.reason == "" for r in plan.releases if r.late_days == 0)
