"""The ``envsched`` command line end to end: files in, exit codes and text out.

Most cases run in-process through click's ``CliRunner``; ``test_console_script_*`` run the
installed console script in a real subprocess, as a user would.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from envsched.cli import main
from solver.scenario_file import load_scenario

# Two releases contend for one SIT environment; R1 also needs UAT afterwards.
TINY_SCENARIO: dict[str, Any] = {
    "format": "envsched-scenario/1",
    "name": "tiny",
    "start": "2027-01-04",
    "horizon_days": 60,
    "environments": [{"id": "SIT-1", "type": "SIT"}, {"id": "UAT-1", "type": "UAT"}],
    "releases": [
        {
            "id": "R1",
            "due": "2027-01-20",
            "phases": [
                {"id": "R1-SIT", "type": "SIT", "duration_days": 5},
                {"id": "R1-UAT", "type": "UAT", "duration_days": 3},
            ],
        },
        {
            "id": "R2",
            "priority": 2,
            "phases": [
                {"id": "R2-SIT", "type": "SIT", "duration_days": 4},
            ],
        },
    ],
}
PHASE_COUNT = 3


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    return write_json(tmp_path / "tiny.json", TINY_SCENARIO)


def envsched(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def plan_file(scenario: Path, method: str = "greedy") -> Path:
    out = scenario.with_name(f"plan-{method}.json")
    result = envsched("plan", scenario, "--method", method, "--time-limit", "10", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def assert_bad_input(result: Result, *expected: str) -> None:
    """Exit 2 with one line on stderr that holds every expected fragment, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in expected:
        assert fragment in lines[0]


# -- plan -------------------------------------------------------------------------------


def test_plan_with_greedy_prints_a_summary_and_writes_the_plan(scenario_file: Path) -> None:
    out = scenario_file.with_name("plan.json")
    result = envsched("plan", scenario_file, "--method", "greedy", "--out", out)
    assert result.exit_code == 0, result.output
    assert re.search(rf"placed\s+{PHASE_COUNT} of {PHASE_COUNT} phases", result.stdout)
    assert re.search(r"method\s+greedy", result.stdout)
    assert result.stdout.startswith("plan for tiny: FEASIBLE")
    assert "greedy" in result.stderr  # the progress line of the greedy stage
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["format"] == "envsched-plan/1"
    assert len(written["assignments"]) == PHASE_COUNT


def test_plan_with_cp_sat_finds_an_optimal_plan_with_nothing_late(scenario_file: Path) -> None:
    result = envsched("plan", scenario_file, "--time-limit", "20", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("plan for tiny: OPTIMAL")
    assert re.search(r"method\s+cp-sat", result.stdout)
    assert re.search(r"late releases\s+0", result.stdout)
    assert re.search(r"weighted tardiness\s+0", result.stdout)
    assert result.stderr.strip(), "expected progress lines on stderr"


def test_plan_shows_the_capacity_bounds_in_the_summary_and_the_file(tmp_path: Path) -> None:
    # three 10-day SIT phases due on day 10, one SIT environment: the critical path sees
    # nothing late; the capacity bound sees 20 days of work that must move past day 10
    scenario = TINY_SCENARIO | {
        "environments": [{"id": "SIT-1", "type": "SIT"}],
        "releases": [
            {
                "id": f"R{i}",
                "priority": i,
                "due": "2027-01-14",
                "phases": [{"id": f"R{i}-SIT", "type": "SIT", "duration_days": 10}],
            }
            for i in (1, 2, 3)
        ],
    }
    out = tmp_path / "plan.json"
    result = envsched(
        "plan",
        write_json(tmp_path / "contended.json", scenario),
        "--method",
        "greedy",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"bound unplaced\s+0 \(weighted\)", result.stdout)
    assert re.search(r"bound tardiness\s+30 \(weighted, every phase placed\)", result.stdout)
    solver = json.loads(out.read_text(encoding="utf-8"))["solver"]
    assert solver["bounds"] == {"weighted_unplaced": 0, "weighted_tardiness": 30}
    assert solver["bound"] == 30


def test_plan_lists_each_unplaced_phase_with_its_reason(tmp_path: Path) -> None:
    # UAT-1 is out of service for the whole horizon, so R1-UAT has nowhere to go
    rebuild = {"start": "2027-01-04", "end": "2027-03-05", "reason": "rebuild"}
    no_uat = {
        **TINY_SCENARIO,
        "environments": [
            {"id": "SIT-1", "type": "SIT"},
            {"id": "UAT-1", "type": "UAT", "unavailable": [rebuild]},
        ],
    }
    scenario = write_json(tmp_path / "no-uat.json", no_uat)
    result = envsched("plan", scenario, "--method", "greedy")
    assert result.exit_code == 0, result.output
    assert re.search(rf"placed\s+{PHASE_COUNT - 1} of {PHASE_COUNT} phases", result.stdout)
    unplaced = [line for line in result.stdout.splitlines() if "R1-UAT (R1): " in line]
    assert len(unplaced) == 1 and unplaced[0].split(": ", 1)[1].strip()


def test_plan_lists_each_late_release_with_its_days_late(tmp_path: Path) -> None:
    # R1 needs 8 days of testing but is due on day 2: late whatever the plan
    rushed = json.loads(json.dumps(TINY_SCENARIO))
    rushed["releases"][0]["due"] = "2027-01-06"
    scenario = write_json(tmp_path / "rushed.json", rushed)
    result = envsched("plan", scenario, "--method", "greedy")
    assert result.exit_code == 0, result.output
    assert re.search(r"late releases\s+1\n\s+R1: \d+ days late \(due 2027-01-06", result.stdout)


def clashing_scenario(tmp_path: Path) -> Path:
    """R1-SIT and R2-SIT pinned on overlapping days of SIT-1; R1-UAT pinned before R1-SIT
    ends. A plan keeps all three and lists three clashes."""
    clash = json.loads(json.dumps(TINY_SCENARIO))
    clash["bookings"] = [
        {"phase": "R1-SIT", "environment": "SIT-1", "start": "2027-01-05", "pinned": True},
        {"phase": "R2-SIT", "environment": "SIT-1", "start": "2027-01-06", "pinned": True},
        {"phase": "R1-UAT", "environment": "UAT-1", "start": "2027-01-07", "pinned": True},
    ]
    return write_json(tmp_path / "clash.json", clash)


@pytest.mark.parametrize("method", ["greedy", "cp-sat"])
def test_plan_keeps_pinned_bookings_that_clash_and_lists_each_clash(
    tmp_path: Path, method: str
) -> None:
    scenario = clashing_scenario(tmp_path)
    out = tmp_path / f"plan-{method}.json"
    result = envsched("plan", scenario, "--method", method, "--time-limit", "10", "--out", out)
    assert result.exit_code == 0, result.output
    assert re.match(r"plan for tiny: (OPTIMAL|FEASIBLE)\n", result.stdout)
    assert re.search(rf"placed\s+{PHASE_COUNT} of {PHASE_COUNT} phases", result.stdout)
    assert re.search(r"pinned clashes\s+3\n", result.stdout)
    assert (
        "    R1-SIT (capacity): pinned R1-SIT and pinned R2-SIT together hold SIT-1"
        in result.stdout
    )
    assert "    R2-SIT (capacity): " in result.stdout
    assert (
        "    R1-UAT (order): pinned R1-UAT starts on 2027-01-07 but its pinned "
        "predecessor R1-SIT lets it start on 2027-01-10 at the earliest" in result.stdout
    )
    written = json.loads(out.read_text(encoding="utf-8"))
    assert [(c["phase"], c["rule"], c["with"]) for c in written["clashes"]] == [
        ("R1-SIT", "capacity", ["R2-SIT"]),
        ("R2-SIT", "capacity", ["R1-SIT"]),
        ("R1-UAT", "order", ["R1-SIT"]),
    ]
    checked = envsched("check", scenario, out)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"plan is valid: {PHASE_COUNT} phases placed")
    assert checked.stdout.rstrip().endswith("3 pinned clashes")


def test_check_finds_a_clash_missing_from_a_plan_file_and_exits_1(tmp_path: Path) -> None:
    scenario = clashing_scenario(tmp_path)
    path = plan_file(scenario)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["clashes"] = [c for c in data["clashes"] if c["rule"] != "order"]
    write_json(path, data)
    result = envsched("check", scenario, path)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "plan is NOT valid: 1 violations",
        "  clash_missing: pinned R1-UAT on UAT-1 from 2027-01-07 (day 3) breaks the order "
        "rule with R1-SIT, but the plan lists no such clash",
    ]


def test_plan_with_makespan_objective_overrides_the_scenario(scenario_file: Path) -> None:
    result = envsched("plan", scenario_file, "--objective", "makespan", "--time-limit", "20")
    assert result.exit_code == 0, result.output
    # both SIT phases share SIT-1 (9 days), and R1-UAT can follow R1-SIT at day 5 at best
    assert re.search(r"makespan\s+9 days", result.stdout)


# -- check ------------------------------------------------------------------------------


def test_check_accepts_the_plan_that_plan_wrote(scenario_file: Path) -> None:
    result = envsched("check", scenario_file, plan_file(scenario_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"plan is valid: {PHASE_COUNT} phases placed")


def test_check_lists_the_overlap_of_a_corrupted_plan_and_exits_1(scenario_file: Path) -> None:
    path = plan_file(scenario_file)
    data = json.loads(path.read_text(encoding="utf-8"))
    by_phase = {a["phase"]: a for a in data["assignments"]}
    first, second = by_phase["R1-SIT"], by_phase["R2-SIT"]
    # put R2-SIT on SIT-1 on the same days as R1-SIT: two phases on a capacity-1 environment
    start = dt.date.fromisoformat(first["start"])
    second.update(
        environment=first["environment"],
        start=first["start"],
        end=(start + dt.timedelta(days=4)).isoformat(),
    )
    write_json(path, data)
    result = envsched("check", scenario_file, path)
    assert result.exit_code == 1, result.output
    assert "plan is NOT valid" in result.stdout
    overlap = [line for line in result.stdout.splitlines() if line.strip().startswith("overlap:")]
    assert overlap and "R1-SIT" in overlap[0] and "R2-SIT" in overlap[0]


def minimal_plan(scenario: Path, **extra: Any) -> Path:
    """The greedy plan cut down to format, scenario and assignments (phase, environment,
    start, end), plus the full plan's ``extra`` parts as edited by the caller."""
    full = json.loads(plan_file(scenario).read_text(encoding="utf-8"))
    data = {
        "format": full["format"],
        "scenario": full["scenario"],
        "assignments": [
            {key: a[key] for key in ("phase", "environment", "start", "end")}
            for a in full["assignments"]
        ],
    }
    for part, edit in extra.items():
        data[part] = edit(full)
    return write_json(scenario.with_name("minimal.json"), data)


def violations(result: Result, rule: str) -> list[str]:
    assert result.exit_code == 1, result.output
    assert "plan is NOT valid" in result.stdout
    return [line for line in result.stdout.splitlines() if line.strip().startswith(f"{rule}:")]


def test_check_accepts_a_minimal_plan(scenario_file: Path) -> None:
    result = envsched("check", scenario_file, minimal_plan(scenario_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"plan is valid: {PHASE_COUNT} phases placed, 0 unplaced")


def test_check_lists_the_overlap_in_a_minimal_plan(scenario_file: Path) -> None:
    def overlapping(full: dict[str, Any]) -> list[dict[str, Any]]:
        by_phase = {a["phase"]: a for a in full["assignments"]}
        by_phase["R2-SIT"].update(environment="SIT-1", start=by_phase["R1-SIT"]["start"])
        by_phase["R2-SIT"]["end"] = (
            dt.date.fromisoformat(by_phase["R1-SIT"]["start"]) + dt.timedelta(days=4)
        ).isoformat()
        return [
            {k: a[k] for k in ("phase", "environment", "start", "end")} for a in full["assignments"]
        ]

    result = envsched("check", scenario_file, minimal_plan(scenario_file, assignments=overlapping))
    overlap = violations(result, "overlap")
    assert overlap and "R1-SIT" in overlap[0] and "R2-SIT" in overlap[0]


def test_check_verifies_metrics_when_a_minimal_plan_gives_them(scenario_file: Path) -> None:
    def wrong(full: dict[str, Any]) -> dict[str, Any]:
        return full["metrics"] | {"placed_phases": 99}

    result = envsched("check", scenario_file, minimal_plan(scenario_file, metrics=wrong))
    assert violations(result, "metrics") == [
        f"  metrics: metrics.placed_phases is 99 but the plan gives {PHASE_COUNT}"
    ]


def test_check_verifies_moved_flags_when_a_minimal_plan_gives_them(scenario_file: Path) -> None:
    def moved(full: dict[str, Any]) -> list[dict[str, Any]]:
        return [a | {"moved": True} for a in full["assignments"]]

    result = envsched("check", scenario_file, minimal_plan(scenario_file, assignments=moved))
    flags = violations(result, "moved_flag")
    assert len(flags) == PHASE_COUNT and "R1-SIT is marked moved=True" in "".join(flags)


def test_check_verifies_release_outcomes_when_a_minimal_plan_gives_them(
    scenario_file: Path,
) -> None:
    def late(full: dict[str, Any]) -> list[dict[str, Any]]:
        return [r | {"late_days": 7} if r["id"] == "R1" else r for r in full["releases"]]

    result = envsched("check", scenario_file, minimal_plan(scenario_file, releases=late))
    outcome = violations(result, "release_outcome")
    assert len(outcome) == 1 and "release R1 reports late_days=7" in outcome[0]


def test_check_with_a_malformed_plan_file_is_bad_input(scenario_file: Path) -> None:
    path = plan_file(scenario_file)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["assignments"][0]["start"] = "next Monday"
    write_json(path, data)
    assert_bad_input(envsched("check", scenario_file, path), path.name, "assignments[0].start")


# -- bad input --------------------------------------------------------------------------


def test_a_bad_scenario_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(TINY_SCENARIO))
    broken["releases"][0]["phases"][1]["type"] = 42
    path = write_json(tmp_path / "broken.json", broken)
    assert_bad_input(envsched("plan", path), "broken.json", "releases[0].phases[1].type")


def test_a_scenario_that_is_not_json_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "garbage.json"
    path.write_text("{ not json", encoding="utf-8")
    assert_bad_input(envsched("check", path, path), "garbage.json")


def test_a_missing_scenario_file_is_bad_input(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert_bad_input(envsched("plan", missing), "missing.json")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--workers", "0"),
        ("--time-limit", "0"),
        ("--time-limit", "soon"),
        ("--method", "annealing"),
        ("--objective", "cost"),
    ],
)
def test_a_bad_option_value_is_one_line_naming_the_option(
    scenario_file: Path, option: str, value: str
) -> None:
    assert_bad_input(envsched("plan", scenario_file, option, value), option)


# -- generate ---------------------------------------------------------------------------


def test_generate_with_too_few_environments_is_bad_input() -> None:
    assert_bad_input(
        envsched("generate", "--releases", "3", "--environments", "2"), "--environments"
    )


def test_generate_with_a_seed_is_deterministic() -> None:
    first = envsched("generate", "--releases", "6", "--environments", "5", "--seed", "7")
    second = envsched("generate", "--releases", "6", "--environments", "5", "--seed", "7")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["format"] == "envsched-scenario/1"


def test_generate_with_contention_lengthens_phases_and_refuses_zero() -> None:
    usual = envsched("generate", "--releases", "6", "--environments", "5", "--seed", "7")
    high = envsched(
        "generate", "--releases", "6", "--environments", "5", "--seed", "7", "--contention", "1.5"
    )
    assert high.exit_code == 0, high.output

    def work(result: Any) -> int:
        releases = json.loads(result.stdout)["releases"]
        return sum(ph["duration_days"] for rel in releases for ph in rel["phases"])

    assert work(high) > work(usual)
    assert_bad_input(
        envsched("generate", "--releases", "6", "--environments", "5", "--contention", "0"),
        "--contention",
    )


def test_generate_writes_a_scenario_that_loads_back_and_plans(tmp_path: Path) -> None:
    out = tmp_path / "generated.json"
    result = envsched(
        "generate", "--releases", "6", "--environments", "4", "--seed", "3", "--out", out
    )
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert len(scenario.releases) == 6
    assert len(scenario.environments) == 4
    assert envsched("check", out, plan_file(out)).exit_code == 0


# -- the installed console script, in a real process ------------------------------------


def run_console_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "envsched"
    assert script.exists(), f"console script not installed at {script}: pip install -e ."
    return subprocess.run(
        [str(script), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def test_console_script_plans_with_cp_sat_and_checks_the_plan(scenario_file: Path) -> None:
    out = scenario_file.with_name("plan.json")
    planned = run_console_script("plan", scenario_file, "--time-limit", "20", "--out", out)
    assert planned.returncode == 0, planned.stderr
    assert re.search(rf"placed\s+{PHASE_COUNT} of {PHASE_COUNT} phases", planned.stdout)
    checked = run_console_script("check", scenario_file, out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("plan is valid")


def test_console_script_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    result = run_console_script("plan", tmp_path / "missing.json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "missing.json" in result.stderr


def test_python_dash_m_envsched_runs_the_same_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "envsched", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("plan", "check", "generate"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE)


def queue_scenario(bookings: int) -> dict[str, Any]:
    """``bookings`` releases booked one after another on SIT-1, all due on day 5, while
    SIT-2 stands empty: each booking moved to SIT-2 saves days of lateness."""
    return TINY_SCENARIO | {
        "environments": [{"id": "SIT-1", "type": "SIT"}, {"id": "SIT-2", "type": "SIT"}],
        "releases": [
            {
                "id": f"R{i}",
                "due": "2027-01-09",
                "phases": [{"id": f"R{i}-SIT", "type": "SIT", "duration_days": 5}],
            }
            for i in range(bookings)
        ],
        "bookings": [
            {
                "phase": f"R{i}-SIT",
                "environment": "SIT-1",
                "start": (dt.date(2027, 1, 4) + dt.timedelta(days=5 * i)).isoformat(),
            }
            for i in range(bookings)
        ],
    }


@pytest.mark.parametrize(("percent", "moved"), [("0", 0), ("10", 1), ("30", 3)])
def test_plan_moves_at_most_the_share_of_bookings_max_moved_allows(
    tmp_path: Path, percent: str, moved: int
) -> None:
    scenario = write_json(tmp_path / "queue.json", queue_scenario(10))
    out = tmp_path / "plan.json"
    result = envsched("plan", scenario, "--max-moved", percent, "--time-limit", "5", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["metrics"]["moved_bookings"] == moved


def test_plan_refuses_a_share_of_moves_above_100_percent(scenario_file: Path) -> None:
    result = CliRunner().invoke(main, ["plan", str(scenario_file), "--max-moved", "101"])
    assert result.exit_code == 2
    assert "--max-moved" in result.output
