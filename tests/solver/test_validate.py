"""The plan validator: a hand-written valid plan passes, and each corruption is caught.

The plans here are written by hand, not solved: the validator must judge a plan on its
own. ``solver.metrics`` is used only to give a corrupted plan consistent metrics, so
that each corruption trips exactly the rule it is about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from solver.metrics import compute_metrics, is_moved, release_outcomes
from solver.plan import Assignment, Metrics, Plan, SolverInfo, Unplaced
from solver.scenario import Scenario
from solver.validate import Violation, validate
from solver.validate.recompute import recompute_metrics, recompute_release_outcomes
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
    make_phase,
    make_release,
    make_scenario,
)


def contended_scenario() -> Scenario:
    """Four releases over SIT, UAT and PERF environments with every kind of rule in play."""
    environments = [
        make_environment("SIT-1", "SIT", changeover_days=2),
        make_environment("SIT-2", "SIT", capacity=2),
        make_environment("UAT-1", "UAT", tags=["mainframe"], unavailable=[(20, 23, "patching")]),
        make_environment("UAT-2", "UAT"),
        make_environment("PERF-1", "PERF"),
        make_environment("PERF-2", "PERF"),
    ]
    r1 = make_release(
        "R1",
        priority=3,
        earliest_start=2,
        due=10,
        phase_objects=(
            make_phase("R1-SIT", "R1", "SIT", 5),
            make_phase("R1-UAT", "R1", "UAT", 3, gap_days=1, requires_tags=["mainframe"]),
            make_phase(
                "R1-PERF",
                "R1",
                "PERF",
                2,
                after=["R1-SIT"],
                environments=["PERF-2"],
                earliest_start=8,
            ),
        ),
    )
    r2 = make_release(
        "R2",
        due=20,
        phase_objects=(
            make_phase("R2-SIT", "R2", "SIT", 3),
            make_phase("R2-UAT", "R2", "UAT", 3, after=[]),
            make_phase("R2-PERF", "R2", "PERF", 2, after=["R2-SIT", "R2-UAT"]),
        ),
    )
    return make_scenario(
        environments,
        [r1, r2, make_release("R3", [("SIT", 3)]), make_release("R4", [("SIT", 3)])],
        freezes=[make_freeze(40, 45, ("PERF",), "load-test lab closed")],
        bookings=[
            make_booking("R2-UAT", "UAT-2", 10, pinned=True),
            make_booking("R3-SIT", "SIT-2", 1),
        ],
    )


SCENARIO = contended_scenario()


def valid_plan() -> Plan:
    """Every phase placed by hand; R1 ends on day 11, one day late; R3-SIT moved off day 1."""
    placed = [
        ("R1-SIT", "SIT-1", 2),
        ("R2-SIT", "SIT-1", 9),  # 2 changeover days between them
        ("R1-UAT", "UAT-1", 8),
        ("R1-PERF", "PERF-2", 8),
        ("R2-UAT", "UAT-2", 10),
        ("R2-PERF", "PERF-1", 14),
        ("R3-SIT", "SIT-2", 0),
        ("R4-SIT", "SIT-2", 1),  # two at once on capacity 2
    ]
    return consistent(
        Plan("test", "OPTIMAL", SolverInfo("hand", 0.0), tuple(assign(*p) for p in placed))
    )


def assign(phase: str, environment: str, start: int) -> Assignment:
    ph = SCENARIO.phase_by_id[phase]
    return Assignment(phase, ph.release, environment, start, start + ph.duration)


def consistent(plan: Plan, scenario: Scenario = SCENARIO) -> Plan:
    """The plan with moved flags, release outcomes and metrics that agree with its placements."""
    flagged = tuple(dataclasses.replace(a, moved=is_moved(scenario, a)) for a in plan.assignments)
    return dataclasses.replace(
        plan,
        assignments=flagged,
        releases=tuple(release_outcomes(scenario, flagged)),
        metrics=compute_metrics(scenario, flagged, plan.unplaced),
    )


def moved_to(phase: str, environment: str, start: int) -> Callable[[Plan], Plan]:
    """A corruption: place ``phase`` elsewhere, keeping the plan's reports consistent."""

    def corrupt(plan: Plan) -> Plan:
        kept = tuple(a for a in plan.assignments if a.phase != phase)
        return consistent(
            dataclasses.replace(plan, assignments=(*kept, assign(phase, environment, start)))
        )

    return corrupt


def unplaced(*phases: str) -> Callable[[Plan], Plan]:
    """A corruption (or not): report ``phases`` unplaced instead of placed."""

    def corrupt(plan: Plan) -> Plan:
        kept = tuple(a for a in plan.assignments if a.phase not in phases)
        gone = tuple(Unplaced(p, SCENARIO.phase_by_id[p].release, "no room") for p in phases)
        return consistent(dataclasses.replace(plan, assignments=kept, unplaced=gone))

    return corrupt


def edited(phase: str, **changes: object) -> Callable[[Plan], Plan]:
    """A corruption: change fields of one assignment and nothing else the plan reports."""

    def corrupt(plan: Plan) -> Plan:
        return dataclasses.replace(
            plan,
            assignments=tuple(
                dataclasses.replace(a, **changes) if a.phase == phase else a  # type: ignore[arg-type]
                for a in plan.assignments
            ),
        )

    return corrupt


def without(phase: str) -> Callable[[Plan], Plan]:
    def corrupt(plan: Plan) -> Plan:
        return consistent(
            dataclasses.replace(
                plan, assignments=tuple(a for a in plan.assignments if a.phase != phase)
            )
        )

    return corrupt


def also_unplaced(phase: str) -> Callable[[Plan], Plan]:
    def corrupt(plan: Plan) -> Plan:
        return consistent(
            dataclasses.replace(plan, unplaced=(Unplaced(phase, "R3", "listed twice"),))
        )

    return corrupt


def with_metrics(**changes: int) -> Callable[[Plan], Plan]:
    def corrupt(plan: Plan) -> Plan:
        return dataclasses.replace(plan, metrics=dataclasses.replace(plan.metrics, **changes))

    return corrupt


def with_outcome(release: str, **changes: object) -> Callable[[Plan], Plan]:
    def corrupt(plan: Plan) -> Plan:
        return dataclasses.replace(
            plan,
            releases=tuple(
                dataclasses.replace(o, **changes) if o.id == release else o  # type: ignore[arg-type]
                for o in plan.releases
            ),
        )

    return corrupt


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def test_a_hand_written_valid_plan_has_no_violations() -> None:
    assert validate(SCENARIO, valid_plan()) == []


def test_recomputed_metrics_match_the_hand_counted_ones() -> None:
    assert recompute_metrics(SCENARIO, valid_plan()) == Metrics(
        placed_phases=8,
        unplaced_phases=0,
        weighted_unplaced=0,
        weighted_tardiness=3,
        late_releases=1,
        makespan_days=16,
        moved_bookings=1,
    )


def test_recomputed_release_outcomes_give_end_due_and_days_late() -> None:
    outcomes = {o.id: o for o in recompute_release_outcomes(SCENARIO, valid_plan())}
    assert (outcomes["R1"].end, outcomes["R1"].due, outcomes["R1"].late_days) == (11, 10, 1)
    assert (outcomes["R2"].end, outcomes["R2"].late_days) == (16, 0)
    assert (outcomes["R3"].end, outcomes["R3"].due, outcomes["R3"].late_days) == (3, None, 0)


def test_a_release_with_nothing_placed_has_no_end_and_unplaced_bookings_count_as_moved() -> None:
    plan = unplaced("R3-SIT")(valid_plan())
    assert validate(SCENARIO, plan) == []
    assert {o.id: o.end for o in recompute_release_outcomes(SCENARIO, plan)}["R3"] is None
    metrics = recompute_metrics(SCENARIO, plan)
    assert (metrics.unplaced_phases, metrics.weighted_unplaced, metrics.moved_bookings) == (1, 1, 1)


def test_a_plan_may_leave_a_phase_unplaced_when_its_successors_are_unplaced_too() -> None:
    plan = unplaced("R1-SIT", "R1-UAT", "R1-PERF")(valid_plan())
    assert validate(SCENARIO, plan) == []
    assert recompute_metrics(SCENARIO, plan).weighted_unplaced == 9


CORRUPTIONS = [
    # (what is wrong, corruption, the rules it must trip)
    ("overlap on capacity 1", moved_to("R2-SIT", "SIT-1", 5), {"overlap"}),
    ("three phases on capacity 2", moved_to("R2-SIT", "SIT-2", 2), {"capacity"}),
    ("one changeover day of two", moved_to("R2-SIT", "SIT-1", 8), {"changeover"}),
    ("wrong environment type", moved_to("R2-PERF", "SIT-2", 14), {"ineligible"}),
    ("required tag missing", moved_to("R1-UAT", "UAT-2", 13), {"ineligible"}),
    ("not in the phase's list", moved_to("R1-PERF", "PERF-1", 8), {"ineligible"}),
    ("unknown environment", edited("R3-SIT", environment="SIT-9"), {"unknown_environment"}),
    ("inside an unavailable window", moved_to("R1-UAT", "UAT-1", 19), {"unavailable"}),
    ("inside a freeze of its type", moved_to("R2-PERF", "PERF-1", 40), {"freeze"}),
    ("before its predecessor ends", moved_to("R1-PERF", "PERF-2", 6), {"order", "earliest_start"}),
    ("gap day not respected", moved_to("R1-UAT", "UAT-1", 7), {"order"}),
    ("before the later of two `after` predecessors", moved_to("R2-PERF", "PERF-1", 12), {"order"}),
    ("before the release's earliest start", moved_to("R1-SIT", "SIT-1", 1), {"earliest_start"}),
    ("before the phase's own earliest start", moved_to("R1-PERF", "PERF-2", 7), {"earliest_start"}),
    ("ends after the horizon", moved_to("R3-SIT", "SIT-2", 58), {"horizon"}),
    ("starts before day 0", moved_to("R4-SIT", "SIT-2", -1), {"horizon", "earliest_start"}),
    ("wrong duration", lambda p: consistent(edited("R3-SIT", end=4)(p)), {"duration"}),
    ("ends where it starts", lambda p: consistent(edited("R1-SIT", end=2)(p)), {"duration"}),
    ("a phase missing", without("R4-SIT"), {"missing_phase"}),
    ("placed and unplaced", also_unplaced("R3-SIT"), {"duplicate_phase"}),
    (
        "an unknown phase",
        lambda p: dataclasses.replace(
            p, assignments=(*p.assignments, Assignment("R9-SIT", "R9", "SIT-1", 30, 33))
        ),
        {"unknown_phase"},
    ),
    ("under another release", edited("R1-SIT", release="R2"), {"wrong_release"}),
    ("successor of an unplaced phase placed", unplaced("R2-SIT"), {"successor_of_unplaced"}),
    ("pinned booking moved", moved_to("R2-UAT", "UAT-2", 11), {"pinned_moved"}),
    ("pinned booking unplaced", unplaced("R2-UAT", "R2-PERF"), {"pinned_moved"}),
    ("moved flag false for a moved booking", edited("R3-SIT", moved=False), {"moved_flag"}),
    ("moved flag true for a kept booking", edited("R2-UAT", moved=True), {"moved_flag"}),
    ("wrong weighted tardiness", with_metrics(weighted_tardiness=0), {"metrics"}),
    ("wrong makespan", with_metrics(makespan_days=15), {"metrics"}),
    ("wrong moved bookings", with_metrics(moved_bookings=0), {"metrics"}),
    ("wrong late days", with_outcome("R1", late_days=0), {"release_outcome"}),
    ("wrong release end", with_outcome("R2", end=15), {"release_outcome"}),
    (
        "a release outcome missing",
        lambda p: dataclasses.replace(p, releases=p.releases[:-1]),
        {"release_outcome"},
    ),
    (
        "unplaced without a reason",
        lambda p: dataclasses.replace(
            unplaced("R4-SIT")(p), unplaced=(Unplaced("R4-SIT", "R4", ""),)
        ),
        {"unplaced_reason"},
    ),
]


@pytest.mark.parametrize(
    ("corruption", "expected"),
    [(c, e) for _, c, e in CORRUPTIONS],
    ids=[name for name, _, _ in CORRUPTIONS],
)
def test_each_corruption_of_a_valid_plan_is_caught_by_its_rule(
    corruption: Callable[[Plan], Plan], expected: set[str]
) -> None:
    assert rules(validate(SCENARIO, corruption(valid_plan()))) == expected


ALLOWED = [
    # (what looks suspicious but is fine, change)
    ("a freeze of another type", moved_to("R3-SIT", "SIT-2", 40)),
    ("touching the unavailable window", moved_to("R1-UAT", "UAT-1", 17)),
    ("exactly the changeover days", moved_to("R2-SIT", "SIT-1", 9)),
    ("exactly the gap day", moved_to("R1-UAT", "UAT-1", 8)),
    ("a moveable booking kept in place", moved_to("R3-SIT", "SIT-2", 1)),
]


@pytest.mark.parametrize("change", [c for _, c in ALLOWED], ids=[n for n, _ in ALLOWED])
def test_borderline_placements_that_keep_every_rule_are_accepted(
    change: Callable[[Plan], Plan],
) -> None:
    assert validate(SCENARIO, change(valid_plan())) == []


def test_phases_of_one_release_may_run_back_to_back_despite_a_changeover() -> None:
    scenario = make_scenario(
        [make_environment("SIT-1", changeover_days=3)],
        [
            make_release("R1", [("SIT", 4), ("UAT", 2)]),
            make_release(
                "R2",
                phase_objects=(
                    make_phase("R2-A", "R2", "SIT", 2),
                    make_phase("R2-B", "R2", "SIT", 2),
                ),
            ),
        ],
    )
    plan = Plan(
        "test",
        "OPTIMAL",
        SolverInfo("hand", 0.0),
        (
            Assignment("R2-A", "R2", "SIT-1", 0, 2),
            Assignment("R2-B", "R2", "SIT-1", 2, 4),
            Assignment("R1-SIT", "R1", "SIT-1", 7, 11),
        ),
        unplaced=(Unplaced("R1-UAT", "R1", "no UAT environment"),),
    )
    assert validate(scenario, consistent(plan, scenario)) == []


OVERLAPS = [
    # R1-SIT holds days [10, 14) on a capacity-1 environment; R2-SIT comes (start, duration)
    ("before", 4, 4, set()),
    ("touching before", 6, 4, set()),
    ("overlapping the start", 8, 4, {"overlap"}),
    ("same days", 10, 4, {"overlap"}),
    ("inside", 11, 2, {"overlap"}),
    ("around", 9, 6, {"overlap"}),
    ("overlapping the end", 12, 4, {"overlap"}),
    ("touching after", 14, 4, set()),
    ("after", 20, 4, set()),
]


@pytest.mark.parametrize(
    ("start", "duration", "expected"), [o[1:] for o in OVERLAPS], ids=[o[0] for o in OVERLAPS]
)
def test_capacity_one_admits_no_shared_day(start: int, duration: int, expected: set[str]) -> None:
    scenario = make_scenario(
        [make_environment("SIT-1")],
        [make_release("R1", [("SIT", 4)]), make_release("R2", [("SIT", duration)])],
    )
    plan = Plan(
        "test",
        "OPTIMAL",
        SolverInfo("hand", 0.0),
        (
            Assignment("R1-SIT", "R1", "SIT-1", 10, 14),
            Assignment("R2-SIT", "R2", "SIT-1", start, start + duration),
        ),
    )
    assert rules(validate(scenario, consistent(plan, scenario))) == expected


def test_an_overload_message_names_environment_days_phases_and_capacity() -> None:
    [violation] = validate(SCENARIO, moved_to("R2-SIT", "SIT-1", 5)(valid_plan()))
    assert violation.message == (
        "SIT-1 holds 2 phases on days 5-6 (2027-01-09 to 2027-01-10) "
        "(R1-SIT, R2-SIT) but its capacity is 1"
    )


def test_an_order_violation_names_both_phases_and_the_day_it_could_start() -> None:
    [violation] = validate(SCENARIO, moved_to("R1-UAT", "UAT-1", 7)(valid_plan()))
    assert violation.phase == "R1-UAT"
    assert "R1-SIT" in violation.message and "2027-01-12 (day 8)" in violation.message


@pytest.mark.parametrize("status", ["INFEASIBLE", "UNKNOWN"])
def test_a_plan_without_a_solution_may_be_empty(status: str) -> None:
    plan = Plan("test", status, SolverInfo("hand", 0.0), reason="R2-UAT is pinned into a clash")
    assert validate(SCENARIO, plan) == []


def test_an_infeasible_plan_must_say_why() -> None:
    plan = Plan("test", "INFEASIBLE", SolverInfo("hand", 0.0))
    assert rules(validate(SCENARIO, plan)) == {"status"}


def test_assignments_listed_by_a_plan_without_a_solution_still_obey_the_rules() -> None:
    clash = (assign("R1-SIT", "SIT-1", 2), assign("R2-SIT", "SIT-1", 4))
    plan = consistent(Plan("test", "UNKNOWN", SolverInfo("hand", 0.0), clash, reason="time"))
    assert rules(validate(SCENARIO, plan)) == {"overlap"}


def test_a_solved_plan_that_lists_nothing_misses_every_phase() -> None:
    plan = consistent(Plan("test", "FEASIBLE", SolverInfo("hand", 0.0)))
    missing = {v.phase for v in validate(SCENARIO, plan) if v.rule == "missing_phase"}
    assert missing == {p.id for p in SCENARIO.phases}
