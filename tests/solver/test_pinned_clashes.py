"""A pinned booking that breaks a rule is kept, holds its days and is reported as a clash
naming the rule; everything else is planned by the rules (docs/design.md, "Meaning").

For each kind of break: the booking that breaks the rule (before, an INFEASIBLE plan)
and the same booking moved to where it keeps the rule (no clash), by both planners, each
plan checked by the independent validator, which also recomputes the clashes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest

from solver import Booking, Options, Plan, Scenario, plan
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
    make_release,
    make_scenario,
)

METHODS = ["greedy", "cp-sat"]


def base_scenario(
    bookings: list[Booking],
    changeover: int = 0,
    windows: tuple[tuple[int, int, str], ...] = (),
    r1_start: int = 0,
    freezes: tuple[Any, ...] = (),
) -> Scenario:
    """R1 and R2 each test SIT (5 days) then UAT (3 days); R3 only SIT (2 days)."""
    envs = [
        make_environment("SIT-1", "SIT", changeover_days=changeover, unavailable=windows),
        make_environment("UAT-1", "UAT"),
    ]
    releases = [
        make_release("R1", [("SIT", 5), ("UAT", 3)], earliest_start=r1_start),
        make_release("R2", [("SIT", 5), ("UAT", 3)]),
        make_release("R3", [("SIT", 2)]),
    ]
    return make_scenario(envs, releases, horizon_days=40, bookings=bookings, freezes=freezes)


def pinned(phase: str, environment: str, start: int) -> Booking:
    return make_booking(phase, environment, start, pinned=True)


@dataclass(frozen=True)
class Case:
    """``breaking`` pins bookings that break ``rule``; ``keeping`` the same ones where they
    keep every rule. ``clashes`` are (phase, rule, other phases) of the breaking plan."""

    breaking: list[Booking]
    keeping: list[Booking]
    clashes: set[tuple[str, str, tuple[str, ...]]]
    scenario: dict[str, Any] = field(default_factory=dict)
    unplaced: set[str] = field(default_factory=set)


CASES = {
    "eligibility": Case(
        [pinned("R1-SIT", "UAT-1", 0)],
        [pinned("R1-SIT", "SIT-1", 0)],
        {("R1-SIT", "eligibility", ())},
    ),
    "horizon, before its start": Case(
        [pinned("R1-SIT", "SIT-1", -2)],
        [pinned("R1-SIT", "SIT-1", 0)],
        {("R1-SIT", "horizon", ()), ("R1-SIT", "earliest_start", ())},
    ),
    "horizon, past its end": Case(
        [pinned("R1-UAT", "UAT-1", 38)],
        [pinned("R1-UAT", "UAT-1", 37)],
        {("R1-UAT", "horizon", ())},
    ),
    "earliest start": Case(
        [pinned("R1-SIT", "SIT-1", 2)],
        [pinned("R1-SIT", "SIT-1", 6)],
        {("R1-SIT", "earliest_start", ())},
        {"r1_start": 6},
    ),
    "unavailable window": Case(
        [pinned("R1-SIT", "SIT-1", 0)],
        [pinned("R1-SIT", "SIT-1", 5)],
        {("R1-SIT", "unavailable", ())},
        {"windows": ((3, 5, "patching"),)},
    ),
    "freeze": Case(
        [pinned("R1-SIT", "SIT-1", 0)],
        [pinned("R1-SIT", "SIT-1", 2)],
        {("R1-SIT", "freeze", ())},
        {"freezes": (make_freeze(1, 2, ("SIT",), "quarter-end"),)},
    ),
    "capacity": Case(
        [pinned("R1-SIT", "SIT-1", 0), pinned("R2-SIT", "SIT-1", 2)],
        [pinned("R1-SIT", "SIT-1", 0), pinned("R2-SIT", "SIT-1", 5)],
        {("R1-SIT", "capacity", ("R2-SIT",)), ("R2-SIT", "capacity", ("R1-SIT",))},
    ),
    "changeover": Case(
        [pinned("R1-SIT", "SIT-1", 0), pinned("R2-SIT", "SIT-1", 6)],
        [pinned("R1-SIT", "SIT-1", 0), pinned("R2-SIT", "SIT-1", 7)],
        {("R1-SIT", "changeover", ("R2-SIT",)), ("R2-SIT", "changeover", ("R1-SIT",))},
        {"changeover": 2},
    ),
    "order, both pinned": Case(
        [pinned("R1-SIT", "SIT-1", 4), pinned("R1-UAT", "UAT-1", 6)],
        [pinned("R1-SIT", "SIT-1", 4), pinned("R1-UAT", "UAT-1", 9)],
        {("R1-UAT", "order", ("R1-SIT",))},
    ),
    "order, predecessor free": Case(
        [pinned("R1-UAT", "UAT-1", 2)],
        [pinned("R1-UAT", "UAT-1", 5)],
        {("R1-UAT", "order", ("R1-SIT",))},
    ),
    "order, no room for the predecessor": Case(
        [pinned("R2-SIT", "SIT-1", 0), pinned("R1-UAT", "UAT-1", 5)],
        [pinned("R2-SIT", "SIT-1", 0), pinned("R1-UAT", "UAT-1", 10)],
        {("R1-UAT", "order", ("R1-SIT",))},
        unplaced={"R1-SIT"},
    ),
    "unknown environment": Case(
        [pinned("R1-SIT", "SIT-9", 0)],
        [pinned("R1-SIT", "SIT-1", 0)],
        {("R1-SIT", "unknown_environment", ())},
    ),
    "unknown phase": Case(
        [pinned("R9-SIT", "SIT-1", 0)],
        [pinned("R1-SIT", "SIT-1", 0)],
        {("R9-SIT", "unknown_phase", ())},
    ),
}


def planned(scenario: Scenario, method: str) -> Plan:
    """The plan, after the independent validator found nothing wrong with it, clashes
    included; never INFEASIBLE."""
    result = plan(scenario, Options(method=method, time_limit=3.0))
    assert validate(scenario, result) == []
    assert result.status in ("OPTIMAL", "FEASIBLE"), result.reason
    return result


def clashes_of(result: Plan) -> set[tuple[str, str, tuple[str, ...]]]:
    assert result.clashes is not None
    return {(c.phase, c.rule, c.involves) for c in result.clashes}


def kept_in_place(scenario: Scenario, result: Plan) -> bool:
    where = {a.phase: (a.environment, a.start) for a in result.assignments}
    return all(
        where[b.phase] == (b.environment, b.start)
        for b in scenario.bookings
        if b.pinned
        and b.phase in scenario.phase_by_id
        and b.environment in scenario.environment_by_id
    )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_pinned_booking_that_breaks_a_rule_is_kept_as_a_clash_and_the_rest_planned(
    case: Case, method: str
) -> None:
    scenario = base_scenario(case.breaking, **case.scenario)
    result = planned(scenario, method)
    assert clashes_of(result) == case.clashes
    assert kept_in_place(scenario, result)
    assert {u.phase for u in result.unplaced} == case.unplaced


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_same_booking_that_keeps_the_rule_has_no_clash(case: Case, method: str) -> None:
    scenario = base_scenario(case.keeping, **case.scenario)
    result = planned(scenario, method)
    assert result.clashes == () and result.unplaced == ()
    assert kept_in_place(scenario, result)


# -- what a kept rule-breaker means for the others ----------------------------------------


def spots(result: Plan) -> dict[str, tuple[str, int]]:
    return {a.phase: (a.environment, a.start) for a in result.assignments}


@pytest.mark.parametrize("method", METHODS)
def test_the_successor_of_a_pinned_booking_before_its_earliest_start_waits_for_it(method):
    # R1 may not start before day 6; its SIT is pinned on days 2-6 all the same
    result = planned(base_scenario([pinned("R1-SIT", "SIT-1", 2)], r1_start=6), method)
    assert spots(result)["R1-UAT"] == ("UAT-1", 7)


@pytest.mark.parametrize("method", METHODS)
def test_a_free_predecessor_of_a_pinned_phase_it_cannot_precede_is_placed_by_its_own_rules(method):
    # R1-UAT is pinned on day 2; R1-SIT (5 days) cannot end before it, and is placed anyway
    result = planned(base_scenario([pinned("R1-UAT", "UAT-1", 2)]), method)
    assert spots(result)["R1-SIT"][0] == "SIT-1" and result.unplaced == ()
    assert result.clashes is not None
    assert "R1-SIT lets it start on 2027-01-09 at the earliest" in result.clashes[0].message


@pytest.mark.parametrize("method", METHODS)
def test_pinned_bookings_that_over_fill_an_environment_leave_nothing_else_on_it(method):
    bookings = [pinned("R1-SIT", "SIT-1", 0), pinned("R2-SIT", "SIT-1", 2)]
    result = planned(base_scenario(bookings), method)
    assert spots(result)["R3-SIT"] == ("SIT-1", 7)  # the first day neither pinned one holds


@pytest.mark.parametrize("method", METHODS)
def test_a_phase_pinned_on_an_unknown_environment_is_planned_anew_and_counts_as_moved(method):
    result = planned(base_scenario([pinned("R1-SIT", "SIT-9", 0)]), method)
    moved = {a.phase for a in result.assignments if a.moved}
    assert moved == {"R1-SIT"} and result.metrics.moved_bookings == 1


@pytest.mark.parametrize("method", METHODS)
def test_every_clash_names_the_pinned_booking_and_its_days(method):
    result = planned(base_scenario([pinned("R1-SIT", "UAT-1", 1)]), method)
    assert result.clashes is not None
    [clash] = result.clashes
    assert (clash.phase, clash.release, clash.environment, clash.start, clash.end) == (
        "R1-SIT",
        "R1",
        "UAT-1",
        1,
        6,
    )
    assert clash.message == (
        "pinned R1-SIT on UAT-1 (2027-01-05 to 2027-01-09): UAT-1 is "
        "not eligible for it (of type UAT, not SIT)"
    )


@pytest.mark.parametrize("objective", ["tardiness", "makespan"])
def test_a_pinned_booking_past_the_horizon_end_leaves_the_model_solvable(objective):
    # R1-UAT ends on day 41 of a 40-day horizon; R1 is due on day 20 and so is R2: the
    # whole model still proves its plan optimal rather than falling back to the dispatch
    scenario = base_scenario([pinned("R1-UAT", "UAT-1", 38)])
    scenario = dataclasses.replace(
        scenario,
        objective=objective,
        releases=tuple(dataclasses.replace(r, due=20) for r in scenario.releases),
    )
    result = planned(scenario, "cp-sat")
    assert result.status == "OPTIMAL" and result.unplaced == ()
    assert clashes_of(result) == {("R1-UAT", "horizon", ())}
    assert result.metrics.makespan_days == 41


@pytest.mark.parametrize("method", METHODS)
def test_a_release_all_pinned_before_the_horizon_ends_there(method):
    # R3-SIT (2 days) pinned on days -3 and -2: the release ends on day -1
    result = planned(base_scenario([pinned("R3-SIT", "SIT-1", -3)]), method)
    assert {r.id: r.end for r in result.releases}["R3"] == -1
