"""The plan file: exact keys, extras only when present, round trips, structural errors only."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from solver.errors import ScenarioError
from solver.plan import (
    OPTIONAL_PARTS,
    Assignment,
    Clash,
    Metrics,
    Plan,
    ReleaseOutcome,
    SolverInfo,
    Unplaced,
)
from solver.plan_file import FORMAT, load_plan, parse_plan, plan_to_dict, save_plan
from tests.solver.factories import make_release, make_scenario

SCENARIO = make_scenario(
    releases=[make_release("R1", phases=[("SIT", 10)]), make_release("R7", phases=[("SIT", 5)])],
    name="demo",
)


def solved_plan() -> Plan:
    return Plan(
        scenario="demo",
        status="OPTIMAL",
        solver=SolverInfo(method="cp-sat", seconds=12.4, objective=0, bound=0, workers=2),
        assignments=(Assignment("R1-SIT", "R1", "SIT-1", start=6, end=16),),
        unplaced=(Unplaced("R7-SIT", "R7", "SIT capacity"),),
        releases=(
            ReleaseOutcome("R1", end=16, due=86, late_days=0),
            ReleaseOutcome("R7", end=None, due=None, late_days=0),
        ),
        metrics=Metrics(placed_phases=1, unplaced_phases=1, makespan_days=16),
        clashes=(
            Clash(
                "R1-SIT",
                "R1",
                "SIT-1",
                start=6,
                end=16,
                rule="capacity",
                message="SIT-1 over capacity",
                involves=("R7-SIT",),
            ),
        ),
    )


def test_a_plan_is_written_with_exactly_the_design_keys() -> None:
    assert plan_to_dict(solved_plan(), SCENARIO) == {
        "format": "envsched-plan/1",
        "scenario": "demo",
        "status": "OPTIMAL",
        "solver": {
            "method": "cp-sat",
            "seconds": 12.4,
            "objective": 0,
            "bound": 0,
            "workers": 2,
            "gap": 0.0,
        },
        "assignments": [
            {
                "phase": "R1-SIT",
                "release": "R1",
                "environment": "SIT-1",
                "start": "2027-01-10",
                "end": "2027-01-20",
                "moved": False,
            }
        ],
        "unplaced": [{"phase": "R7-SIT", "release": "R7", "reason": "SIT capacity"}],
        "releases": [
            {"id": "R1", "end": "2027-01-20", "due": "2027-03-31", "late_days": 0},
            {"id": "R7", "end": None, "due": None, "late_days": 0},
        ],
        "metrics": {
            "placed_phases": 1,
            "unplaced_phases": 1,
            "weighted_tardiness": 0,
            "late_releases": 0,
            "makespan_days": 16,
            "moved_bookings": 0,
        },
        "clashes": [
            {
                "phase": "R1-SIT",
                "release": "R1",
                "environment": "SIT-1",
                "start": "2027-01-10",
                "end": "2027-01-20",
                "rule": "capacity",
                "message": "SIT-1 over capacity",
                "with": ["R7-SIT"],
            }
        ],
    }


def test_the_extras_are_written_when_present() -> None:
    plan = Plan(
        scenario="demo",
        status="FEASIBLE",
        reason="time ran out",
        solver=SolverInfo(
            "cp-sat",
            seconds=3.14159,
            objective=120.0,
            bound=90.0,
            terms={"unplaced": 100, "lateness": 20},
        ),
        releases=(ReleaseOutcome("R1", end=20, due=14, late_days=6, reason="SIT full"),),
        metrics=Metrics(weighted_unplaced=3),
    )
    data = plan_to_dict(plan, SCENARIO)
    assert data["reason"] == "time ran out"
    assert data["solver"] == {
        "method": "cp-sat",
        "seconds": 3.14,
        "objective": 120,
        "bound": 90,
        "workers": 1,
        "gap": 0.25,
        "terms": {"unplaced": 100, "lateness": 20},
    }
    assert data["releases"][0]["reason"] == "SIT full"
    assert data["metrics"]["weighted_unplaced"] == 3


def test_a_plan_without_objective_writes_nulls_and_no_gap() -> None:
    plan = Plan(
        scenario="demo",
        status="UNKNOWN",
        reason="no plan found in 1 s",
        solver=SolverInfo("cp-sat", seconds=1.0),
    )
    data = plan_to_dict(plan, SCENARIO)
    assert data["solver"] == {
        "method": "cp-sat",
        "seconds": 1,
        "objective": None,
        "bound": None,
        "workers": 1,
    }
    assert (data["assignments"], data["unplaced"], data["releases"]) == ([], [], [])
    assert parse_plan(data, SCENARIO) == plan


@pytest.mark.parametrize(
    "plan",
    [
        solved_plan(),
        Plan(
            scenario="demo",
            status="INFEASIBLE",
            reason="R1-SIT pinned inside a freeze",
            solver=SolverInfo("cp-sat", seconds=0.5, objective=None, bound=7.5),
        ),
        Plan(
            scenario="demo",
            status="FEASIBLE",
            solver=SolverInfo(
                "greedy",
                seconds=0.01,
                objective=42.5,
                bound=40,
                workers=8,
                terms={"unplaced": 0, "moved": 2},
            ),
            assignments=(Assignment("R1-SIT", "R1", "SIT-1", -3, 7, moved=True),),
            releases=(ReleaseOutcome("R1", end=7, due=5, late_days=2, reason="late"),),
            metrics=Metrics(1, 2, 3, 4, 5, 6, 7),
            clashes=(
                Clash("R1-SIT", "R1", "SIT-1", -3, 7, "horizon", "runs before the start"),
                Clash("R9-UAT", "", "UAT-9", 2, None, "unknown_phase", "no such phase"),
                Clash("R1-SIT", "R1", "SIT-1", -3, 7, "order", "too early", ("R1-A", "R1-B")),
            ),
        ),
        Plan(
            scenario="demo", status="FEASIBLE", solver=SolverInfo("greedy", seconds=0.0), clashes=()
        ),
    ],
    ids=["optimal", "infeasible", "every-extra", "no-clashes"],
)
def test_a_plan_survives_a_round_trip(plan: Plan) -> None:
    assert parse_plan(plan_to_dict(plan, SCENARIO), SCENARIO) == plan


def test_a_plan_without_clashes_says_nothing_about_them_rather_than_none() -> None:
    data = plan_to_dict(solved_plan(), SCENARIO)
    del data["clashes"]
    assert parse_plan(data, SCENARIO).clashes is None
    assert "clashes" not in plan_to_dict(parse_plan(data, SCENARIO), SCENARIO)


def test_a_clash_needs_only_phase_environment_start_and_rule() -> None:
    data = plan_to_dict(solved_plan(), SCENARIO)
    data["clashes"] = [
        {"phase": "R1-SIT", "environment": "SIT-1", "start": "2027-01-10", "rule": "freeze"}
    ]
    assert parse_plan(data, SCENARIO).clashes == (
        Clash("R1-SIT", "", "SIT-1", 6, None, "freeze", ""),
    )


def test_a_plan_survives_saving_and_loading(tmp_path: Path) -> None:
    save_plan(solved_plan(), SCENARIO, tmp_path / "plan.json")
    assert load_plan(tmp_path / "plan.json", SCENARIO) == solved_plan()


def test_content_problems_are_left_to_the_validator() -> None:
    data = plan_to_dict(solved_plan(), SCENARIO)
    data["assignments"].append(
        {
            "phase": "NOPE",
            "release": "R9",
            "environment": "UAT-9",
            "start": "2026-01-01",
            "end": "2026-01-01",
            "moved": True,
        }
    )
    data["assignments"].append(dict(data["assignments"][0]))  # the same phase twice
    data["metrics"]["placed_phases"] = 99
    data["scenario"] = "another"
    plan = parse_plan(data, SCENARIO)
    assert plan.assignments[1] == Assignment("NOPE", "R9", "UAT-9", -368, -368, moved=True)
    assert plan.assignments[2] == plan.assignments[0]
    assert (plan.metrics.placed_phases, plan.scenario) == (99, "another")


class _Delete:
    """The edit removes the key (its repr names it, so test ids are the same in every
    process, as pytest -n needs)."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def edited(path: list[str | int], value: object) -> dict[str, Any]:
    """The solved plan's JSON with the value at ``path`` replaced or deleted."""
    data = copy.deepcopy(plan_to_dict(solved_plan(), SCENARIO))
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


STRUCTURAL: list[tuple[list[str | int], object, str, str]] = [
    # (edit path, new value), path in the error, message
    (
        ["format"],
        "envsched-scenario/1",
        "format",
        "expected 'envsched-plan/1', got string 'envsched-scenario/1'",
    ),
    (
        ["status"],
        "DONE",
        "status",
        "must be one of OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, got 'DONE'",
    ),
    (["assignments"], DELETE, "assignments", "required key is missing"),
    (["scenario"], DELETE, "scenario", "required key is missing"),
    (["solver", "workers"], DELETE, "solver.workers", "required key is missing"),
    (
        ["assignments", 0, "environment"],
        DELETE,
        "assignments[0].environment",
        "required key is missing",
    ),
    (
        ["status_"],
        "OPTIMAL",
        "status_",
        "unknown key 'status_' (allowed: assignments, clashes, format, metrics, reason, releases, "
        "scenario, solver, status, unplaced)",
    ),
    (
        ["clashes", 0, "rule"],
        "overlap",
        "clashes[0].rule",
        "must be one of unknown_phase, unknown_environment, eligibility, horizon, earliest_start, "
        "unavailable, freeze, capacity, changeover, order, got 'overlap'",
    ),
    (["clashes", 0, "with"], "R7-SIT", "clashes[0].with", "expected an array, got string 'R7-SIT'"),
    (["clashes", 0, "start"], DELETE, "clashes[0].start", "required key is missing"),
    (
        ["clashes", 0, "because"],
        "x",
        "clashes[0].because",
        "unknown key 'because' (allowed: "
        "end, environment, message, phase, release, rule, start, with)",
    ),
    (["solver", "seconds"], "12", "solver.seconds", "expected a number, got string '12'"),
    (["solver", "gap"], "0", "solver.gap", "expected a number, got string '0'"),
    (
        ["solver", "terms"],
        {"moved": 1.5},
        "solver.terms.moved",
        "expected an integer, got number 1.5",
    ),
    (["assignments"], {}, "assignments", "expected an array, got an object"),
    (
        ["assignments", 0, "start"],
        "2027-13-01",
        "assignments[0].start",
        "no such date '2027-13-01' (month must be in 1..12)",
    ),
    (["assignments", 0, "end"], None, "assignments[0].end", "expected a date YYYY-MM-DD, got null"),
    (
        ["releases", 0, "late_days"],
        "0",
        "releases[0].late_days",
        "expected an integer, got string '0'",
    ),
    (
        ["releases", 1, "end"],
        "soon",
        "releases[1].end",
        "expected a date YYYY-MM-DD, got string 'soon'",
    ),
    (["unplaced", 0], "R7-SIT", "unplaced[0]", "expected an object, got string 'R7-SIT'"),
    (
        ["metrics", "makespan_days"],
        True,
        "metrics.makespan_days",
        "expected an integer, got boolean true",
    ),
]


@pytest.mark.parametrize(
    ("edit", "value", "path", "message"),
    STRUCTURAL,
    ids=[".".join(map(str, case[0])) for case in STRUCTURAL],
)
def test_a_structurally_wrong_plan_is_rejected_naming_its_path(
    edit: list[str | int], value: object, path: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_plan(edited(edit, value), SCENARIO, source="plan.json")
    assert str(caught.value) == f"plan.json: {path}: {message}"


def test_a_plan_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ScenarioError, match=r"^plan.json: expected an object, got null$"):
        parse_plan(None, SCENARIO, source="plan.json")


def test_a_plan_file_with_bad_json_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{"format": "' + FORMAT + '",,}')
    with pytest.raises(ScenarioError, match=r"plan\.json: not valid JSON: .* line 1, column 30"):
        load_plan(tmp_path / "plan.json", SCENARIO)


# -- a minimal plan: format, scenario and assignments ------------------------------------

MINIMAL: dict[str, Any] = {
    "format": FORMAT,
    "scenario": "demo",
    "assignments": [
        {"phase": "R1-SIT", "environment": "SIT-1", "start": "2027-01-10", "end": "2027-01-20"}
    ],
}


def test_a_minimal_plan_is_read_and_says_what_it_left_out() -> None:
    plan = parse_plan(MINIMAL, SCENARIO)
    assert plan.omitted == frozenset(OPTIONAL_PARTS)
    assert plan.assignments == (Assignment("R1-SIT", "R1", "SIT-1", start=6, end=16),)
    assert plan.status == "FEASIBLE" and plan.clashes is None
    # a phase the plan does not assign is unplaced, release taken from the scenario
    assert plan.unplaced == (Unplaced("R7-SIT", "R7", "not in the plan's assignments"),)


def test_a_full_plan_leaves_nothing_out() -> None:
    assert parse_plan(plan_to_dict(solved_plan(), SCENARIO), SCENARIO).omitted == frozenset()


def test_each_optional_part_given_is_no_longer_omitted() -> None:
    full = plan_to_dict(solved_plan(), SCENARIO)
    for part in ("status", "solver", "unplaced", "releases", "metrics"):
        plan = parse_plan(MINIMAL | {part: full[part]}, SCENARIO)
        assert plan.omitted == frozenset(OPTIONAL_PARTS) - {part}
    with_moved = copy.deepcopy(MINIMAL)
    with_moved["assignments"][0]["moved"] = True
    plan = parse_plan(with_moved, SCENARIO)
    assert "moved" not in plan.omitted and plan.assignments[0].moved
    assert parse_plan(MINIMAL | {"clashes": full["clashes"]}, SCENARIO).clashes is not None


def test_moved_on_some_assignments_but_not_all_is_rejected() -> None:
    data = copy.deepcopy(MINIMAL)
    data["assignments"] = [
        dict(data["assignments"][0], moved=False),
        {"phase": "R7-SIT", "environment": "SIT-1", "start": "2027-01-17", "end": "2027-01-22"},
    ]
    with pytest.raises(ScenarioError) as caught:
        parse_plan(data, SCENARIO, source="plan.json")
    assert str(caught.value) == (
        "plan.json: assignments[1].moved: give moved on every assignment or on none"
    )


def test_the_capacity_bounds_are_written_and_read_back() -> None:
    plan = solved_plan()
    with_bounds = replace(
        plan, solver=replace(plan.solver, bounds={"weighted_unplaced": 1, "weighted_tardiness": 30})
    )
    data = plan_to_dict(with_bounds, SCENARIO)
    assert data["solver"]["bounds"] == {"weighted_unplaced": 1, "weighted_tardiness": 30}
    assert parse_plan(data, SCENARIO) == with_bounds
    data["solver"]["bounds"]["moved"] = 0
    with pytest.raises(ScenarioError, match=r"solver\.bounds\.moved: unknown key 'moved'"):
        parse_plan(data, SCENARIO)
