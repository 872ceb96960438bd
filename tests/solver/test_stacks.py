"""Stacks: environments booked together. A stack phase is placed on one whole stack and
occupies every member for its days; every plan here passes the independent validator,
and the validator refuses plans that split a stack or double-book a member."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from solver import Options, Plan, Scenario, plan
from solver.errors import ScenarioError
from solver.plan import Assignment
from solver.scenario import Booking, Stack
from solver.scenario_file import parse_scenario, scenario_to_dict
from solver.validate import validate
from tests.solver.factories import make_environment, make_phase, make_release, make_scenario


def planned(scenario: Scenario, **options: Any) -> Plan:
    options.setdefault("time_limit", 3.0)
    result = plan(scenario, Options(**options))
    assert validate(scenario, result) == []
    return result


def spots(result: Plan) -> dict[str, tuple[str, int]]:
    return {a.phase: (a.environment, a.start) for a in result.assignments}


def stacked(**overrides: Any) -> Scenario:
    """Two UAT stacks (an app and a database each), a spare database, and:
    R1 needs the UAT app alone for 5 days, R2 a whole stack for 4 days."""
    envs = [
        make_environment("UAT-3-APP", "UAT"),
        make_environment("UAT-3-DB", "DB"),
        make_environment("UAT-4-APP", "UAT"),
        make_environment("UAT-4-DB", "DB"),
    ]
    stacks = (
        Stack("UAT-3", ("UAT-3-APP", "UAT-3-DB")),
        Stack("UAT-4", ("UAT-4-APP", "UAT-4-DB")),
    )
    releases = [
        make_release("R1", phase_objects=(make_phase("R1-UAT", "R1", "UAT", 5),)),
        make_release(
            "R2",
            phase_objects=(make_phase("R2-E2E", "R2", "UAT", 4, stacks=("UAT-3", "UAT-4")),),
        ),
    ]
    return make_scenario(envs, releases, stacks=stacks, **overrides)


@pytest.mark.parametrize("method", ["greedy", "cp-sat"])
def test_a_stack_phase_is_placed_on_a_whole_stack(method):
    result = planned(stacked(), method=method)
    where = spots(result)
    assert where["R2-E2E"][0] in ("UAT-3", "UAT-4")
    assert not result.unplaced


@pytest.mark.parametrize("method", ["greedy", "cp-sat"])
def test_a_stack_phase_waits_until_every_member_is_free(method):
    """Only UAT-3 is named; R1 holds its app for days 0-4 (pinned) and UAT-3-DB is down
    on days 5-6: the stack first fits on day 7."""
    scenario = stacked(bookings=[Booking("R1-UAT", "UAT-3-APP", 0, pinned=True)])
    r2 = make_phase("R2-E2E", "R2", "UAT", 4, stacks=("UAT-3",))
    envs = list(scenario.environments)
    envs[1] = make_environment("UAT-3-DB", "DB", unavailable=[(5, 7, "patching")])
    scenario = replace(
        scenario,
        environments=tuple(envs),
        releases=(scenario.releases[0], make_release("R2", phase_objects=(r2,))),
    )
    assert spots(planned(scenario, method=method))["R2-E2E"] == ("UAT-3", 7)


@pytest.mark.parametrize("method", ["greedy", "cp-sat"])
def test_a_member_taken_by_a_single_phase_keeps_the_stack_away(method):
    """Three releases want UAT apps: with one stack in use, the plans never put a single
    phase on a member of a stack phase's days."""
    scenario = stacked()
    extra = [make_release(f"R{i}", [("UAT", 3)]) for i in (3, 4)]
    scenario = replace(scenario, releases=scenario.releases + tuple(extra))
    result = planned(scenario, method=method)
    assert len(result.assignments) == 4


def test_a_stack_phase_on_a_stack_with_no_member_of_its_type_is_unplaced_saying_so():
    scenario = stacked()
    r2 = make_phase("R2-E2E", "R2", "PERF", 4, stacks=("UAT-3",))
    envs = (*scenario.environments, make_environment("PERF-1", "PERF"))
    scenario = replace(
        scenario,
        environments=envs,
        releases=(scenario.releases[0], make_release("R2", phase_objects=(r2,))),
    )
    result = planned(scenario, method="greedy")
    assert "none of the stacks UAT-3 holds a PERF environment" in result.unplaced[0].reason


def test_a_pinned_stack_booking_is_kept_and_its_members_are_taken():
    scenario = stacked(bookings=[Booking("R2-E2E", "UAT-3", 0, pinned=True)])
    r1 = make_phase("R1-UAT", "R1", "UAT", 5, environments=("UAT-3-APP",))
    scenario = replace(
        scenario, releases=(make_release("R1", phase_objects=(r1,)), scenario.releases[1])
    )
    for method in ("greedy", "cp-sat"):
        where = spots(planned(scenario, method=method))
        assert where["R2-E2E"] == ("UAT-3", 0)
        assert where["R1-UAT"] == ("UAT-3-APP", 4)


def test_two_pinned_bookings_crowding_a_member_are_each_a_capacity_clash():
    scenario = stacked(
        bookings=[
            Booking("R2-E2E", "UAT-3", 0, pinned=True),
            Booking("R1-UAT", "UAT-3-APP", 2, pinned=True),
        ]
    )
    result = planned(scenario, method="greedy")
    rules = {(c.phase, c.rule, c.involves) for c in result.clashes or ()}
    assert rules == {("R2-E2E", "capacity", ("R1-UAT",)), ("R1-UAT", "capacity", ("R2-E2E",))}


# -- the validator -----------------------------------------------------------------------


def test_the_validator_refuses_a_stack_phase_placed_on_one_member():
    scenario = stacked()
    split = Plan(
        scenario="test",
        status="FEASIBLE",
        solver=planned(scenario, method="greedy").solver,
        assignments=(
            Assignment("R1-UAT", "R1", "UAT-4-APP", 0, 5),
            Assignment("R2-E2E", "R2", "UAT-3-APP", 0, 4),
        ),
        omitted=frozenset({"moved", "releases", "metrics", "unplaced"}),
    )
    rules = {v.rule for v in validate(scenario, split)}
    assert rules == {"split_stack"}


def test_the_validator_refuses_a_member_double_booked_by_a_stack_phase():
    scenario = stacked()
    double = Plan(
        scenario="test",
        status="FEASIBLE",
        solver=planned(scenario, method="greedy").solver,
        assignments=(
            Assignment("R1-UAT", "R1", "UAT-3-APP", 0, 5),
            Assignment("R2-E2E", "R2", "UAT-3", 2, 6),
        ),
        omitted=frozenset({"moved", "releases", "metrics", "unplaced"}),
    )
    found = validate(scenario, double)
    assert [v.rule for v in found] == ["overlap"]
    assert "UAT-3-APP holds 2 phases" in found[0].message


def test_the_validator_refuses_a_stack_the_phase_does_not_name_and_a_single_phase_on_a_stack():
    scenario = stacked()
    r2 = make_phase("R2-E2E", "R2", "UAT", 4, stacks=("UAT-4",))
    scenario = replace(
        scenario, releases=(scenario.releases[0], make_release("R2", phase_objects=(r2,)))
    )
    wrong = Plan(
        scenario="test",
        status="FEASIBLE",
        solver=planned(scenario, method="greedy").solver,
        assignments=(
            Assignment("R1-UAT", "R1", "UAT-4", 0, 5),
            Assignment("R2-E2E", "R2", "UAT-3", 0, 4),
        ),
        omitted=frozenset({"moved", "releases", "metrics", "unplaced"}),
    )
    messages = [v.message for v in validate(scenario, wrong)]
    assert any(
        "R1-UAT is placed on the stack UAT-4, but it needs one environment" in m for m in messages
    )
    assert any("UAT-3, which is not among UAT-4" in m for m in messages)


# -- the scenario file -------------------------------------------------------------------


def test_the_scenario_file_round_trips_stacks_and_stack_phases():
    scenario = stacked(bookings=[Booking("R2-E2E", "UAT-4", 3)])
    data = scenario_to_dict(scenario)
    assert data["stacks"] == [
        {"id": "UAT-3", "members": ["UAT-3-APP", "UAT-3-DB"]},
        {"id": "UAT-4", "members": ["UAT-4-APP", "UAT-4-DB"]},
    ]
    again = parse_scenario(data)
    assert again.stacks == scenario.stacks
    assert again.phase_by_id["R2-E2E"].stacks == ("UAT-3", "UAT-4")
    assert again.bookings == scenario.bookings


def test_a_scenario_without_stacks_writes_no_stacks_key():
    assert "stacks" not in scenario_to_dict(make_scenario())


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["stacks"][0].update(members=["NOPE"]), "stacks[0].members[0]"),
        (lambda d: d["stacks"][0].update(members=[]), "at least one member"),
        (lambda d: d["stacks"][0].update(id="UAT-3-APP"), "also an environment's id"),
        (lambda d: d["releases"][1]["phases"][0].update(stacks=["UAT-9"]), "unknown stack"),
        (
            lambda d: d["releases"][1]["phases"][0].update(environments=["UAT-3-APP"]),
            "either its environments or its stacks",
        ),
        (
            lambda d: d["bookings"].append(
                {"phase": "R2-E2E", "environment": "UAT-3-APP", "start": "2027-01-04"}
            ),
            "not eligible",
        ),
    ],
)
def test_a_bad_stack_in_a_scenario_file_is_refused_naming_the_field(change, words):
    data = scenario_to_dict(stacked())
    change(data)
    with pytest.raises(ScenarioError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_scenario(data)


def contended(seed: int) -> Scenario:
    """Twelve releases, each a UAT phase on one app and then a stack phase, due early:
    the planner's search (dispatch orders, ruin and recreate, CP-SAT, restore) has to
    trade them on shared members."""
    import random

    rng = random.Random(seed)
    base = stacked()
    releases = []
    for i in range(1, 13):
        rid = f"R{i}"
        phases = (
            make_phase(f"{rid}-UAT", rid, "UAT", rng.randint(2, 5)),
            make_phase(f"{rid}-E2E", rid, "UAT", rng.randint(1, 4), stacks=("UAT-3", "UAT-4")),
        )
        releases.append(
            make_release(
                rid, phase_objects=phases, due=rng.randint(8, 30), priority=rng.randint(1, 5)
            )
        )
    bookings = [Booking("R1-E2E", "UAT-4", 6), Booking("R2-UAT", "UAT-3-APP", 0, pinned=True)]
    return replace(base, releases=tuple(releases), bookings=tuple(bookings), horizon_days=90)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("method", ["greedy", "cp-sat"])
def test_contended_stacks_give_valid_plans_from_every_planner(seed, method):
    result = planned(contended(seed), method=method, time_limit=2.0)
    assert not result.unplaced
    on_stack = [a for a in result.assignments if a.phase.endswith("E2E")]
    assert {a.environment for a in on_stack} <= {"UAT-3", "UAT-4"}


@pytest.mark.parametrize("seed", [1, 2])
def test_the_lower_bounds_stay_below_an_optimal_plan_with_stacks(seed):
    """The bounds relax a stack phase to its own type's work; they must never exceed what
    an optimal plan achieves."""
    from solver.bounds import tardiness_lower_bound, unplaced_lower_bound

    scenario = contended(seed)
    scenario = replace(scenario, releases=scenario.releases[:5], bookings=())
    result = planned(scenario, method="cp-sat", time_limit=10.0)
    assert result.status == "OPTIMAL"
    assert unplaced_lower_bound(scenario) <= result.metrics.weighted_unplaced
    if not result.unplaced:
        assert tardiness_lower_bound(scenario) <= result.metrics.weighted_tardiness
