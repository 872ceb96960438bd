"""The validator and kept pinned bookings that break a rule: it excuses exactly their own
breaks, still checks everything else, and holds a plan to listing exactly their clashes.

Plans are written by hand, as in ``test_validate``: the validator judges them on its own.
"""

from __future__ import annotations

import dataclasses

from solver.metrics import compute_metrics, is_moved, release_outcomes
from solver.plan import Assignment, Clash, Plan, SolverInfo, Unplaced
from solver.scenario import Scenario
from solver.validate import Violation, validate
from tests.solver.factories import make_booking, make_environment, make_release, make_scenario


def kept_scenario(**changes: object) -> Scenario:
    """R1-UAT pinned on day 2 (before R1-SIT can end, inside UAT-1's patching window);
    R2-SIT and R3-SIT pinned on SIT-1 over its capacity; R4-SIT free."""
    envs = [
        make_environment("SIT-1"),
        make_environment("SIT-2"),
        make_environment("UAT-1", "UAT", unavailable=[(2, 3, "patching")]),
    ]
    releases = [
        make_release("R1", [("SIT", 5), ("UAT", 3)]),
        make_release("R2", [("SIT", 5)]),
        make_release("R3", [("SIT", 3)]),
        make_release("R4", [("SIT", 2)]),
    ]
    bookings = [
        make_booking("R1-UAT", "UAT-1", 2, pinned=True),
        make_booking("R2-SIT", "SIT-1", 0, pinned=True),
        make_booking("R3-SIT", "SIT-1", 3, pinned=True),
    ]
    return make_scenario(envs, releases, **{"bookings": bookings, **changes})


SCENARIO = kept_scenario()


def hand_plan(
    scenario: Scenario,
    placed: list[tuple[str, str, int]],
    clashes: tuple[Clash, ...] | None,
    unplaced: tuple[str, ...] = (),
) -> Plan:
    """A plan of the given placements with consistent moved flags, outcomes and metrics."""
    assignments = tuple(_assign(scenario, *p) for p in placed)
    gone = tuple(Unplaced(p, scenario.phase_by_id[p].release, "no room") for p in unplaced)
    return Plan(
        "test",
        "FEASIBLE",
        SolverInfo("hand", 0.0),
        assignments,
        gone,
        tuple(release_outcomes(scenario, assignments)),
        compute_metrics(scenario, assignments, gone),
        clashes=clashes,
    )


def _assign(scenario: Scenario, phase: str, environment: str, start: int) -> Assignment:
    ph = scenario.phase_by_id[phase]
    a = Assignment(phase, ph.release, environment, start, start + ph.duration)
    return dataclasses.replace(a, moved=is_moved(scenario, a))


def clash(phase: str, environment: str, start: int, rule: str, *others: str) -> Clash:
    ph = SCENARIO.phase_by_id[phase]
    return Clash(phase, ph.release, environment, start, start + ph.duration, rule, "…", others)


PLACED = [
    ("R1-SIT", "SIT-2", 0),
    ("R1-UAT", "UAT-1", 2),
    ("R2-SIT", "SIT-1", 0),
    ("R3-SIT", "SIT-1", 3),
    ("R4-SIT", "SIT-2", 5),
]
CLASHES = (
    clash("R1-UAT", "UAT-1", 2, "unavailable"),
    clash("R1-UAT", "UAT-1", 2, "order", "R1-SIT"),
    clash("R2-SIT", "SIT-1", 0, "capacity", "R3-SIT"),
    clash("R3-SIT", "SIT-1", 3, "capacity", "R2-SIT"),
)


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def test_a_plan_keeping_rule_breaking_pinned_bookings_with_their_clashes_is_valid() -> None:
    assert validate(SCENARIO, hand_plan(SCENARIO, PLACED, CLASHES)) == []


def test_a_plan_that_does_not_list_clashes_is_not_held_to_them() -> None:
    assert validate(SCENARIO, hand_plan(SCENARIO, PLACED, None)) == []


def test_a_clash_left_out_of_the_list_is_missing() -> None:
    violations = validate(SCENARIO, hand_plan(SCENARIO, PLACED, CLASHES[1:]))
    assert [(v.rule, v.phase) for v in violations] == [("clash_missing", "R1-UAT")]
    assert "breaks the unavailable rule" in violations[0].message


def test_a_clash_no_pinned_booking_breaks_is_invented() -> None:
    made_up = (*CLASHES, clash("R2-SIT", "SIT-1", 0, "eligibility"))
    assert rules(validate(SCENARIO, hand_plan(SCENARIO, PLACED, made_up))) == {"clash_invented"}


def test_a_clash_naming_the_wrong_phases_is_both_missing_and_invented() -> None:
    wrong = (*CLASHES[:2], clash("R2-SIT", "SIT-1", 0, "capacity", "R4-SIT"), CLASHES[3])
    assert rules(validate(SCENARIO, hand_plan(SCENARIO, PLACED, wrong))) == {
        "clash_missing",
        "clash_invented",
    }


def test_a_free_phase_on_days_pinned_bookings_over_fill_breaks_the_capacity() -> None:
    placed = [*PLACED[:4], ("R4-SIT", "SIT-1", 5)]  # R3-SIT holds SIT-1 until day 6
    assert rules(validate(SCENARIO, hand_plan(SCENARIO, placed, CLASHES))) == {"overlap"}


def test_a_free_phase_after_the_pinned_over_fill_is_fine() -> None:
    placed = [*PLACED[:4], ("R4-SIT", "SIT-1", 6)]
    assert validate(SCENARIO, hand_plan(SCENARIO, placed, CLASHES)) == []


def test_a_free_phase_in_a_window_still_breaks_it() -> None:
    scenario = dataclasses.replace(
        SCENARIO, releases=(*SCENARIO.releases, make_release("R5", [("UAT", 1)]))
    )
    placed = [*PLACED, ("R5-UAT", "UAT-1", 5)]
    assert validate(scenario, hand_plan(scenario, placed, CLASHES)) == []
    # UAT-1 is free on day 5 but not on day 2, the patching day R1-UAT is pinned into
    placed = [*PLACED, ("R5-UAT", "UAT-1", 2)]
    assert rules(validate(scenario, hand_plan(scenario, placed, CLASHES))) == {
        "unavailable",
        "overlap",
    }


def test_a_pinned_booking_moved_off_its_place_is_not_excused() -> None:
    placed = [PLACED[0], ("R1-UAT", "UAT-1", 3), *PLACED[2:]]  # R1-SIT ends on day 5
    assert rules(validate(SCENARIO, hand_plan(SCENARIO, placed, CLASHES))) == {
        "pinned_moved",
        "order",
    }


# -- a pinned phase whose predecessor finds no room before it ------------------------------


ROOMY = kept_scenario(bookings=[make_booking("R1-UAT", "UAT-1", 8, pinned=True)])


def test_a_pinned_phase_kept_without_its_predecessor_is_an_order_clash() -> None:
    # R1-SIT could end by day 5 by the order alone, so the order rule holds for it
    placed = [
        ("R1-UAT", "UAT-1", 8),
        ("R2-SIT", "SIT-1", 0),
        ("R3-SIT", "SIT-2", 0),
        ("R4-SIT", "SIT-2", 3),
    ]
    stranded = (Clash("R1-UAT", "R1", "UAT-1", 8, 11, "order", "…", ("R1-SIT",)),)
    assert validate(ROOMY, hand_plan(ROOMY, placed, stranded, unplaced=("R1-SIT",))) == []
    assert rules(validate(ROOMY, hand_plan(ROOMY, placed, (), unplaced=("R1-SIT",)))) == {
        "clash_missing"
    }


def test_a_predecessor_of_a_pinned_phase_that_keeps_the_order_must_end_before_it() -> None:
    placed = [
        ("R1-SIT", "SIT-1", 4),
        ("R1-UAT", "UAT-1", 8),
        ("R2-SIT", "SIT-2", 0),
        ("R3-SIT", "SIT-2", 5),
        ("R4-SIT", "SIT-1", 0),
    ]
    assert rules(validate(ROOMY, hand_plan(ROOMY, placed, ()))) == {"order"}


# -- bookings that cannot be kept -----------------------------------------------------------


def test_a_phase_pinned_on_an_unknown_environment_may_be_placed_anywhere_as_moved() -> None:
    scenario = kept_scenario(bookings=[make_booking("R1-SIT", "SIT-9", 0, pinned=True)])
    placed = [
        ("R1-SIT", "SIT-1", 0),
        ("R1-UAT", "UAT-1", 5),
        ("R2-SIT", "SIT-2", 0),
        ("R3-SIT", "SIT-1", 5),
        ("R4-SIT", "SIT-2", 5),
    ]
    unknown = (Clash("R1-SIT", "R1", "SIT-9", 0, 5, "unknown_environment", "…"),)
    result = hand_plan(scenario, placed, unknown)
    assert result.assignments[0].moved and validate(scenario, result) == []
