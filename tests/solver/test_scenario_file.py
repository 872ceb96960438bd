"""The scenario file: every kind of bad input names its path, defaults, round trips."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.errors import ScenarioError
from solver.scenario import Booking, Environment, Freeze, Phase, Release, Scenario, Window
from solver.scenario_file import (
    FORMAT,
    load_scenario,
    parse_scenario,
    save_scenario,
    scenario_to_dict,
)
from tests.solver.factories import (
    START,
    make_booking,
    make_environment,
    make_freeze,
    make_phase,
    make_release,
    make_scenario,
)

FILES = Path(__file__).parent / "files"


class _Delete:
    """The edit removes the key (its repr names it, so test ids are the same in every
    process, as pytest -n needs)."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()

TOP_KEYS = (
    "bookings, environments, format, freezes, horizon_days, name, objective, releases, "
    "stacks, start"
)
ENV_KEYS = "capacity, changeover_days, id, tags, type, unavailable"
PHASE_KEYS = (
    "after, duration_days, earliest_start, environments, gap_days, id, requires_tags, stacks, type"
)


def valid() -> dict[str, Any]:
    """A small valid scenario: 100 days from 2027-01-04 (horizon end 2027-04-14)."""
    return copy.deepcopy(
        {
            "format": FORMAT,
            "name": "demo",
            "start": "2027-01-04",
            "horizon_days": 100,
            "environments": [
                {"id": "SIT-1", "type": "SIT"},
                {
                    "id": "UAT-1",
                    "type": "UAT",
                    "tags": ["mainframe"],
                    "unavailable": [{"start": "2027-02-01", "end": "2027-02-03"}],
                },
                {"id": "PERF-1", "type": "PERF"},
            ],
            "freezes": [{"start": "2027-03-01", "end": "2027-03-05"}],
            "releases": [
                {
                    "id": "R1",
                    "phases": [
                        {"id": "R1-SIT", "type": "SIT", "duration_days": 10},
                        {"id": "R1-UAT", "type": "UAT", "duration_days": 5},
                        {"id": "R1-PERF", "type": "PERF", "duration_days": 3},
                    ],
                },
                {"id": "R2", "phases": [{"id": "R2-SIT", "type": "SIT", "duration_days": 4}]},
            ],
            "bookings": [{"phase": "R1-SIT", "environment": "SIT-1", "start": "2027-01-04"}],
        }
    )


def edited(path: str, value: object) -> dict[str, Any]:
    """``valid()`` with the value at ``path`` replaced (appended one past a list's end)."""
    data = valid()
    *parents, last = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    node: Any = data
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return data


BAD = [
    # (edit path, new value, path in the error, message)
    (
        "format",
        "envsched-plan/1",
        "format",
        "expected 'envsched-scenario/1', got string 'envsched-plan/1'",
    ),
    ("format", DELETE, "format", "required key is missing"),
    # missing required keys
    ("start", DELETE, "start", "required key is missing"),
    ("horizon_days", DELETE, "horizon_days", "required key is missing"),
    ("environments", DELETE, "environments", "required key is missing"),
    ("releases", DELETE, "releases", "required key is missing"),
    ("environments[0].id", DELETE, "environments[0].id", "required key is missing"),
    ("environments[0].type", DELETE, "environments[0].type", "required key is missing"),
    ("releases[1].id", DELETE, "releases[1].id", "required key is missing"),
    ("releases[1].phases", DELETE, "releases[1].phases", "required key is missing"),
    ("releases[0].phases[1].id", DELETE, "releases[0].phases[1].id", "required key is missing"),
    ("releases[0].phases[1].type", DELETE, "releases[0].phases[1].type", "required key is missing"),
    (
        "releases[0].phases[1].duration_days",
        DELETE,
        "releases[0].phases[1].duration_days",
        "required key is missing",
    ),
    # unknown keys, at every level
    ("nmae", "x", "nmae", f"unknown key 'nmae' (allowed: {TOP_KEYS})"),
    ("environments[1].cap", 2, "environments[1].cap", f"unknown key 'cap' (allowed: {ENV_KEYS})"),
    (
        "environments[1].unavailable[0].why",
        "x",
        "environments[1].unavailable[0].why",
        "unknown key 'why' (allowed: end, reason, start)",
    ),
    (
        "freezes[0].type",
        ["SIT"],
        "freezes[0].type",
        "unknown key 'type' (allowed: end, reason, start, types)",
    ),
    (
        "releases[0].prio",
        2,
        "releases[0].prio",
        "unknown key 'prio' (allowed: due, earliest_start, id, name, phases, priority)",
    ),
    (
        "releases[0].phases[2].duration",
        3,
        "releases[0].phases[2].duration",
        f"unknown key 'duration' (allowed: {PHASE_KEYS})",
    ),
    (
        "bookings[0].pin",
        True,
        "bookings[0].pin",
        "unknown key 'pin' (allowed: environment, phase, pinned, start)",
    ),
    # wrong JSON types
    ("horizon_days", "100", "horizon_days", "expected an integer, got string '100'"),
    (
        "environments[0].capacity",
        True,
        "environments[0].capacity",
        "expected an integer, got boolean true",
    ),
    (
        "releases[0].phases[0].duration_days",
        2.5,
        "releases[0].phases[0].duration_days",
        "expected an integer, got number 2.5",
    ),
    ("releases[0].priority", None, "releases[0].priority", "expected an integer, got null"),
    ("environments", {"id": "SIT-1"}, "environments", "expected an array, got an object"),
    ("releases[1]", "R2", "releases[1]", "expected an object, got string 'R2'"),
    (
        "environments[1].tags",
        "mainframe",
        "environments[1].tags",
        "expected an array, got string 'mainframe'",
    ),
    (
        "environments[1].tags",
        ["mainframe", 7],
        "environments[1].tags[1]",
        "expected a non-empty string, got number 7",
    ),
    ("name", 5, "name", "expected a string, got number 5"),
    ("environments[2].id", "  ", "environments[2].id", "must not be empty"),
    ("bookings[0].pinned", "yes", "bookings[0].pinned", "expected true or false, got string 'yes'"),
    # dates
    ("start", "2027-1-4", "start", "expected a date YYYY-MM-DD, got string '2027-1-4'"),
    ("start", "20270104", "start", "expected a date YYYY-MM-DD, got string '20270104'"),
    (
        "releases[0].due",
        "2027-02-30",
        "releases[0].due",
        "no such date '2027-02-30' (day is out of range for month)",
    ),
    (
        "freezes[0].start",
        20270301,
        "freezes[0].start",
        "expected a date YYYY-MM-DD, got number 20270301",
    ),
    # windows and freezes must have end after start
    (
        "environments[1].unavailable[0].end",
        "2027-02-01",
        "environments[1].unavailable[0].end",
        "must be after start (2027-02-01), got 2027-02-01",
    ),
    (
        "freezes[0].end",
        "2027-02-20",
        "freezes[0].end",
        "must be after start (2027-03-01), got 2027-02-20",
    ),
    # bounds
    ("horizon_days", 0, "horizon_days", "must be at least 1, got 0"),
    (
        "releases[0].phases[0].duration_days",
        0,
        "releases[0].phases[0].duration_days",
        "must be at least 1, got 0",
    ),
    ("environments[0].capacity", 0, "environments[0].capacity", "must be at least 1, got 0"),
    ("releases[1].priority", -2, "releases[1].priority", "must be at least 1, got -2"),
    (
        "environments[0].changeover_days",
        -1,
        "environments[0].changeover_days",
        "must be at least 0, got -1",
    ),
    (
        "releases[0].phases[1].gap_days",
        -1,
        "releases[0].phases[1].gap_days",
        "must be at least 0, got -1",
    ),
    ("objective", "speed", "objective", "must be one of tardiness, makespan, got 'speed'"),
    # priorities beyond a thousand steps would overflow the objective's one 64-bit sum
    ("releases[0].priority", 1001, "releases[0].priority", "must be at most 1000, got 1001"),
    (
        "releases[0].priority",
        10**30,
        "releases[0].priority",
        "must be at most 1000, got a number of 19 digits or more",
    ),
    # duplicate ids; phase ids are unique across releases
    (
        "environments[2].id",
        "SIT-1",
        "environments[2].id",
        "duplicate environment id 'SIT-1' (first at environments[0].id)",
    ),
    (
        "releases[1].id",
        "R1",
        "releases[1].id",
        "duplicate release id 'R1' (first at releases[0].id)",
    ),
    (
        "releases[1].phases[0].id",
        "R1-SIT",
        "releases[1].phases[0].id",
        "duplicate phase id 'R1-SIT' (first at releases[0].phases[0].id)",
    ),
    # references to environments
    (
        "releases[1].phases[0].type",
        "UTA",
        "releases[1].phases[0].type",
        "no environment has type 'UTA' (types: PERF, SIT, UAT)",
    ),
    (
        "releases[0].phases[1].requires_tags",
        ["mainfram"],
        "releases[0].phases[1].requires_tags[0]",
        "no environment has tag 'mainfram' (tags: mainframe)",
    ),
    (
        "releases[0].phases[2].environments",
        ["PERF-1", "PERF-2"],
        "releases[0].phases[2].environments[1]",
        "unknown environment 'PERF-2'",
    ),
    # order: after
    (
        "releases[0].phases[2].after",
        ["R1-SITT"],
        "releases[0].phases[2].after[0]",
        "unknown phase 'R1-SITT'",
    ),
    (
        "releases[1].phases[0].after",
        ["R1-UAT"],
        "releases[1].phases[0].after[0]",
        "phase 'R1-UAT' belongs to release 'R1'; phases never wait across releases",
    ),
    (
        "releases[0].phases[0].after",
        ["R2-SIT"],
        "releases[0].phases[0].after[0]",
        "phase 'R2-SIT' belongs to release 'R2'; phases never wait across releases",
    ),
    (
        "releases[1].phases[0].after",
        ["R2-SIT"],
        "releases[1].phases[0].after",
        "phases wait for each other in a cycle: R2-SIT waits for R2-SIT",
    ),
    (
        "releases[0].phases[0].after",
        ["R1-UAT"],
        "releases[0].phases[0].after",
        "phases wait for each other in a cycle: R1-SIT waits for R1-UAT waits for R1-SIT",
    ),
    # bookings
    ("bookings[0].phase", "R9-SIT", "bookings[0].phase", "unknown phase 'R9-SIT'"),
    ("bookings[0].environment", "SIT-9", "bookings[0].environment", "unknown environment 'SIT-9'"),
    (
        "bookings[0].environment",
        "UAT-1",
        "bookings[0].environment",
        "environment 'UAT-1' is not eligible for phase 'R1-SIT' (eligible: SIT-1)",
    ),
    (
        "bookings[1]",
        {"phase": "R1-SIT", "environment": "SIT-1", "start": "2027-02-01"},
        "bookings[1].phase",
        "phase 'R1-SIT' is booked twice",
    ),
    (
        "bookings[0].start",
        "2027-01-03",
        "bookings[0].start",
        "the booking's 10 days from 2027-01-03 do not fit the horizon [2027-01-04, 2027-04-14)",
    ),
    (
        "bookings[0].start",
        "2027-04-05",
        "bookings[0].start",
        "the booking's 10 days from 2027-04-05 do not fit the horizon [2027-01-04, 2027-04-14)",
    ),
    # earliest starts must leave room inside the horizon
    (
        "releases[0].earliest_start",
        "2027-04-14",
        "releases[0].earliest_start",
        "must be before the end of the horizon (2027-04-14), got 2027-04-14",
    ),
    (
        "releases[0].phases[1].earliest_start",
        "2027-05-01",
        "releases[0].phases[1].earliest_start",
        "must be before the end of the horizon (2027-04-14), got 2027-05-01",
    ),
]


@pytest.mark.parametrize(
    ("edit", "value", "path", "message"), BAD, ids=[f"{c[0]}={c[1]!r}"[:60] for c in BAD]
)
def test_bad_scenario_is_rejected_naming_file_path_and_problem(
    edit: str, value: object, path: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(edited(edit, value), source="demo.json")
    assert str(caught.value) == f"demo.json: {path}: {message}"
    assert (caught.value.path, caught.value.message) == (path, message)


def test_the_valid_base_scenario_parses() -> None:
    scenario = parse_scenario(valid(), source="demo.json")
    assert [ph.id for ph in scenario.phases] == ["R1-SIT", "R1-UAT", "R1-PERF", "R2-SIT"]


def test_a_document_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ScenarioError, match=r"^demo.json: expected an object, got an array$"):
        parse_scenario([valid()], source="demo.json")


def test_the_first_problem_in_document_order_is_reported() -> None:
    data = edited("releases[1].phases[0].type", "UTA")
    data["releases"][0]["phases"][2]["duration_days"] = 0
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source="demo.json")
    assert caught.value.path == "releases[0].phases[2].duration_days"


def test_a_wrong_format_is_reported_before_unknown_keys() -> None:
    plan_like = {"format": "envsched-plan/1", "scenario": "demo", "status": "OPTIMAL"}
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(plan_like)
    assert caught.value.path == "format"


def test_an_after_list_naming_an_earlier_phase_of_its_release_is_fine() -> None:
    scenario = parse_scenario(edited("releases[0].phases[2].after", ["R1-SIT"]))
    assert scenario.predecessors["R1-PERF"] == (("R1-SIT", 0),)


def test_bounds_that_only_limit_from_below_may_lie_outside_the_horizon() -> None:
    data = edited("releases[0].earliest_start", "2026-12-01")
    data["releases"][0]["due"] = "2026-11-01"
    data["freezes"].append({"start": "2027-04-01", "end": "2027-09-01"})
    data["environments"][0]["unavailable"] = [{"start": "2026-01-01", "end": "2028-01-01"}]
    scenario = parse_scenario(data)
    release = scenario.release_by_id["R1"]
    assert (release.earliest_start, release.due) == (-34, -64)
    assert scenario.freezes[1] == Freeze(start=87, end=240)
    assert scenario.environments[0].unavailable == (Window(start=-368, end=362),)


def test_optional_keys_take_their_defaults() -> None:
    scenario = parse_scenario(
        {
            "format": FORMAT,
            "start": "2027-01-04",
            "horizon_days": 30,
            "environments": [{"id": "SIT-1", "type": "SIT"}],
            "releases": [
                {"id": "R1", "phases": [{"id": "R1-SIT", "type": "SIT", "duration_days": 5}]}
            ],
        },
        source="some/dir/nightly.json",
    )
    assert scenario == make_scenario(
        environments=[
            Environment(
                id="SIT-1",
                type="SIT",
                capacity=1,
                tags=frozenset(),
                changeover_days=0,
                unavailable=(),
            )
        ],
        releases=[
            Release(
                id="R1",
                name="",
                priority=1,
                earliest_start=0,
                due=None,
                phases=(
                    Phase(
                        id="R1-SIT",
                        release="R1",
                        type="SIT",
                        duration=5,
                        gap_days=0,
                        after=None,
                        requires_tags=frozenset(),
                        environments=None,
                        earliest_start=None,
                    ),
                ),
            )
        ],
        name="nightly",
        horizon_days=30,
        objective="tardiness",
        freezes=(),
        bookings=(),
    )


def test_the_name_argument_is_used_only_when_the_file_has_none() -> None:
    assert parse_scenario(valid(), name="other").name == "demo"
    assert parse_scenario(edited("name", DELETE), name="other").name == "other"
    assert parse_scenario(edited("name", DELETE)).name == "scenario"


def test_a_booking_is_unpinned_unless_it_says_so() -> None:
    assert parse_scenario(valid()).bookings == (Booking("R1-SIT", "SIT-1", 0, pinned=False),)


# each row: a pinned booking that breaks a rule the reader refuses in a movable booking;
# the planner keeps it and reports a clash (docs/design.md, "Meaning")
@pytest.mark.parametrize(
    ("environment", "start", "day"),
    [
        ("UAT-1", "2027-01-04", 0),  # not eligible
        ("SIT-1", "2027-01-01", -3),  # starts before the horizon
        ("SIT-1", "2027-04-10", 96),  # runs past its end
    ],
)
def test_a_pinned_booking_that_breaks_eligibility_or_the_horizon_is_read_as_it_is(
    environment: str, start: str, day: int
) -> None:
    data = valid()
    data["bookings"] = [
        {"phase": "R1-SIT", "environment": environment, "start": start, "pinned": True}
    ]
    scenario = parse_scenario(data)
    assert scenario.bookings == (Booking("R1-SIT", environment, day, pinned=True),)
    assert parse_scenario(scenario_to_dict(scenario)) == scenario


def test_the_design_example_needs_its_environments_to_parse() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(FILES / "design_example.json")
    assert str(caught.value).endswith(
        "design_example.json: releases[0].phases[0].type: no environment has type 'SIT' "
        "(types: UAT)"
    )


def test_the_design_example_parses_once_its_environments_exist() -> None:
    data = json.loads((FILES / "design_example.json").read_text())
    data["environments"] += [{"id": "SIT-1", "type": "SIT"}, {"id": "PERF-2", "type": "PERF"}]
    scenario = parse_scenario(data, source="design_example.json")
    uat = scenario.environment_by_id["UAT-1"]
    assert (uat.tags, uat.changeover_days) == (frozenset({"mainframe"}), 1)
    assert uat.unavailable == (Window(start=28, end=30, reason="patching"),)
    assert scenario.freezes == (Freeze(350, 365, "year-end", frozenset({"STAGING"})),)
    release = scenario.releases[0]
    assert (release.name, release.priority, release.earliest_start, release.due) == (
        "Payments 4.2",
        3,
        6,
        86,
    )
    assert scenario.phase_by_id["R1-PERF"].after == ("R1-SIT",)
    assert scenario.phase_by_id["R1-PERF"].environments == ("PERF-2",)
    assert scenario.phase_by_id["R1-UAT"].gap_days == 1
    assert scenario.bookings == (Booking("R1-SIT", "SIT-1", 6, pinned=True),)
    assert parse_scenario(scenario_to_dict(scenario)) == scenario


def rich_scenario() -> Scenario:
    """Every field away from its default, and ``after`` both empty and set."""
    phases = (
        make_phase("R1-SIT", gap_days=2, requires_tags=["blue"], earliest_start=3),
        make_phase("R1-UAT", type="UAT", duration=4, after=[]),
        make_phase(
            "R1-PERF", type="PERF", duration=2, after=["R1-SIT", "R1-UAT"], environments=["PERF-1"]
        ),
    )
    return make_scenario(
        environments=[
            make_environment(
                "SIT-1",
                capacity=2,
                tags=["blue", "red"],
                changeover_days=1,
                unavailable=[(5, 7, "patching"), (20, 21)],
            ),
            make_environment("UAT-1", "UAT"),
            make_environment("PERF-1", "PERF"),
        ],
        releases=[
            make_release(
                "R1", name="Payments", priority=3, earliest_start=-5, due=40, phase_objects=phases
            ),
            make_release("R2", phases=[("SIT", 3), ("UAT", 2)]),
        ],
        freezes=[make_freeze(30, 33, ("UAT",), "quarter end"), make_freeze(50, 80)],
        bookings=[
            make_booking("R1-SIT", "SIT-1", 3, pinned=True),
            make_booking("R2-UAT", "UAT-1", 10),
        ],
        objective="makespan",
        name="rich",
    )


def test_a_scenario_survives_a_round_trip() -> None:
    scenario = rich_scenario()
    assert parse_scenario(scenario_to_dict(scenario)) == scenario


SMALL = st.integers(0, 9)


@st.composite
def environments(draw: st.DrawFn, index: int) -> Environment:
    windows = [(day, day + draw(st.integers(1, 9))) for day in draw(st.lists(SMALL, max_size=2))]
    return make_environment(
        f"E{index}",
        draw(st.sampled_from(["SIT", "UAT"])),
        capacity=draw(st.integers(1, 3)),
        changeover_days=draw(SMALL),
        tags=draw(st.sets(st.sampled_from(["a", "b"]))),
        unavailable=windows,
    )


@st.composite
def phases(
    draw: st.DrawFn, ident: str, release: str, env: Environment, earlier: list[str], horizon: int
) -> Phase:
    """A phase ``env`` can run, waiting (if at all) only for earlier phases of its release."""
    after = st.lists(st.sampled_from(earlier), max_size=2) if earlier else st.just([])
    tags = st.sets(st.sampled_from(sorted(env.tags))) if env.tags else st.just(set())
    return make_phase(
        ident,
        release,
        env.type,
        draw(st.integers(1, 9)),
        gap_days=draw(SMALL),
        after=draw(st.none() | after),
        requires_tags=draw(tags),
        environments=draw(st.none() | st.just([env.id])),
        earliest_start=draw(st.none() | st.integers(-5, horizon - 1)),
    )


@st.composite
def releases(draw: st.DrawFn, index: int, envs: list[Environment], horizon: int) -> Release:
    ident, built = f"R{index}", list[Phase]()
    for p in range(draw(st.integers(1, 3))):
        built.append(
            draw(
                phases(
                    f"{ident}-{p}",
                    ident,
                    draw(st.sampled_from(envs)),
                    [ph.id for ph in built],
                    horizon,
                )
            )
        )
    return make_release(
        ident,
        phase_objects=tuple(built),
        earliest_start=draw(st.integers(-9, horizon - 1)),
        due=draw(st.none() | st.integers(-9, 500)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random valid scenarios, with bookings on eligible environments inside the horizon."""
    horizon = draw(st.integers(10, 400))
    envs = [draw(environments(i)) for i in range(draw(st.integers(1, 4)))]
    scenario = make_scenario(
        envs,
        [draw(releases(i, envs, horizon)) for i in range(draw(st.integers(1, 3)))],
        horizon_days=horizon,
        objective=draw(st.sampled_from(["tardiness", "makespan"])),
        freezes=[
            make_freeze(day, day + 3, draw(st.sampled_from([(), ("UAT",)])))
            for day in draw(st.lists(st.integers(-5, 500), max_size=2))
        ],
    )
    booked = draw(st.lists(st.sampled_from(scenario.phases), unique=True, max_size=3))
    bookings = [
        make_booking(
            ph.id,
            scenario.eligible[ph.id][0],
            draw(st.integers(0, horizon - ph.duration)),
            draw(st.booleans()),
        )
        for ph in booked
    ]
    return dataclasses.replace(scenario, bookings=tuple(bookings))


@settings(deadline=None)  # never assert on time: the machine may be busy
@given(scenarios())
def test_any_valid_scenario_survives_a_round_trip(scenario: Scenario) -> None:
    assert parse_scenario(scenario_to_dict(scenario)) == scenario


def test_a_scenario_survives_saving_and_loading(tmp_path: Path) -> None:
    scenario = rich_scenario()
    save_scenario(scenario, tmp_path / "elsewhere.json")
    assert load_scenario(tmp_path / "elsewhere.json") == scenario


def test_writing_leaves_defaults_out_and_keeps_after_only_when_set() -> None:
    data = scenario_to_dict(rich_scenario())
    assert data["start"] == START.isoformat()
    sit, uat, perf = data["releases"][0]["phases"]
    assert "after" not in sit and uat["after"] == [] and perf["after"] == ["R1-SIT", "R1-UAT"]
    assert sit["earliest_start"] == "2027-01-07"
    assert data["environments"][1] == {"id": "UAT-1", "type": "UAT"}
    assert data["releases"][1] == {
        "id": "R2",
        "phases": [
            {"id": "R2-SIT", "type": "SIT", "duration_days": 3},
            {"id": "R2-UAT", "type": "UAT", "duration_days": 2},
        ],
    }
    assert data["releases"][0]["earliest_start"] == "2026-12-30"
    assert data["freezes"][1] == {"start": "2027-02-23", "end": "2027-03-25"}


def test_a_file_is_named_after_its_stem_unless_it_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "nightly.json"
    path.write_text(json.dumps(edited("name", DELETE)))
    assert load_scenario(path).name == "nightly"
    path.write_text(json.dumps(valid()))
    assert load_scenario(str(path)).name == "demo"


def test_bad_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "envsched-scenario/1",\n  "start": ,\n}')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: not valid JSON: Expecting value at line 3, column 12"


def test_an_unreadable_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"missing\.json: cannot read the file \(No such"):
        load_scenario(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ScenarioError, match=r"latin1\.json: not UTF-8 text \(invalid byte at off"):
        load_scenario(tmp_path / "latin1.json")


def test_days_count_from_the_scenario_start() -> None:
    scenario = parse_scenario(edited("start", "2027-01-01"))
    assert scenario.start == dt.date(2027, 1, 1)
    assert scenario.environments[1].unavailable == (Window(31, 33),)
    assert scenario.bookings[0].start == 3
