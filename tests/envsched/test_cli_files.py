"""Files the command line cannot read end in exit code 2 and one line naming the file and
what is wrong: never a traceback, whatever the bytes (Excel, encodings, empty, deep, huge).

Through the real command line: click's ``CliRunner`` (exceptions not caught, so a
traceback fails the test) and, for a deep file, the console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlmodel import func, select

from envsched.cli import main
from envsched.db import SessionFactory
from envsched.models import Environment
from solver.scenario import MAX_HORIZON_DAYS

DEPTH = 100_000
SCENARIO: dict[str, Any] = {
    "format": "envsched-scenario/1",
    "start": "2027-01-04",
    "horizon_days": 30,
    "environments": [{"id": "SIT-1", "type": "SIT"}],
    "releases": [{"id": "R1", "phases": [{"id": "R1-SIT", "type": "SIT", "duration_days": 5}]}],
}


def envsched(*args: str | Path, database_url: str = "sqlite://") -> Result:
    return CliRunner().invoke(
        main,
        [str(a) for a in args],
        catch_exceptions=False,
        env={"ENVSCHED_DATABASE_URL": database_url},
    )


def assert_bad_file(result: Result, path: Path, *expected: str) -> None:
    """Exit 2, one line on stderr naming the file and holding every expected fragment."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    for fragment in expected:
        assert fragment in lines[0], lines[0]


def deep_json(path: Path) -> Path:
    path.write_text("[" * DEPTH + "]" * DEPTH, encoding="utf-8")
    return path


def scenario_file(path: Path, **changes: Any) -> Path:
    path.write_text(json.dumps({**SCENARIO, **changes}), encoding="utf-8")
    return path


# -- tables: import --kind environments -------------------------------------------------------


def random_bytes(path: Path) -> Path:
    path.write_bytes(random.Random(12).randbytes(4096))
    return path


def zip_but_no_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return path


def latin1_csv(path: Path) -> Path:
    path.write_bytes("name,type\nMünchen-UAT,UAT\n".encode("latin-1"))
    return path


def empty_csv(path: Path) -> Path:
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("random.xlsx", random_bytes, "not an Excel workbook"),
        ("archive.xlsx", zip_but_no_workbook, "not an Excel workbook"),
        ("latin1.csv", latin1_csv, "not UTF-8 text"),
        ("empty.csv", empty_csv, "the file is empty"),
    ],
)
def test_an_unreadable_table_is_one_line_naming_the_file_and_nothing_is_imported(
    name: str, make: Any, expected: str, tmp_path: Path, database_url: str, sessions: SessionFactory
) -> None:
    path = make(tmp_path / name)
    result = envsched("import", path, "--kind", "environments", database_url=database_url)
    assert_bad_file(result, path, expected)
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(Environment)).one() == 0


def test_a_csv_saved_as_excel_csv_utf8_with_a_byte_order_mark_imports(
    tmp_path: Path, database_url: str, sessions: SessionFactory
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("name,type\nUAT-1,UAT\n".encode("utf-8-sig"))
    result = envsched("import", path, "--kind", "environments", database_url=database_url)
    assert result.exit_code == 0, result.output
    with sessions() as session:
        assert session.exec(select(Environment.name)).all() == ["UAT-1"]


# -- JSON: plan, check, import --kind scenario ------------------------------------------------


def test_plan_of_a_file_nested_too_deeply_is_bad_input(tmp_path: Path) -> None:
    path = deep_json(tmp_path / "deep.json")
    assert_bad_file(envsched("plan", path), path, "nested too deeply")


def test_check_of_a_plan_nested_too_deeply_is_bad_input(tmp_path: Path) -> None:
    scenario = scenario_file(tmp_path / "s.json")
    plan = deep_json(tmp_path / "deep-plan.json")
    assert_bad_file(envsched("check", scenario, plan), plan, "nested too deeply")


def test_importing_a_scenario_nested_too_deeply_is_bad_input(
    tmp_path: Path, database_url: str
) -> None:
    path = deep_json(tmp_path / "deep.json")
    result = envsched("import", path, "--kind", "scenario", database_url=database_url)
    assert_bad_file(result, path, "nested too deeply")


def test_the_console_script_reads_a_deep_file_without_a_traceback(tmp_path: Path) -> None:
    path = deep_json(tmp_path / "deep.json")
    done = subprocess.run(
        [sys.executable, "-m", "envsched", "plan", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ENVSCHED_DATABASE_URL": "sqlite://"},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: {path}: not readable: arrays or objects nested too deeply"
    ]


@pytest.mark.parametrize("horizon", [10**12, MAX_HORIZON_DAYS + 1])
def test_a_horizon_beyond_the_bound_names_the_field_and_the_bound(
    tmp_path: Path, horizon: int
) -> None:
    path = scenario_file(tmp_path / "long.json", horizon_days=horizon)
    assert_bad_file(
        envsched("plan", path, "--method", "greedy"),
        path,
        "horizon_days",
        f"must be at most {MAX_HORIZON_DAYS}",
    )


def phase_with(**changes: Any) -> list[dict[str, Any]]:
    return [
        {"id": "R1", "phases": [{"id": "R1-SIT", "type": "SIT", "duration_days": 5, **changes}]}
    ]


# Each crashed the planner (MemoryError, OverflowError) before it was bounded.
@pytest.mark.parametrize(
    ("changes", "field", "bound"),
    [
        (
            {"releases": phase_with(duration_days=10**12)},
            "releases[0].phases[0].duration_days",
            f"at most {MAX_HORIZON_DAYS}",
        ),
        (
            {"releases": phase_with(gap_days=10**12)},
            "releases[0].phases[0].gap_days",
            f"at most {MAX_HORIZON_DAYS}",
        ),
        (
            {"environments": [{"id": "SIT-1", "type": "SIT", "changeover_days": 10**12}]},
            "environments[0].changeover_days",
            f"at most {MAX_HORIZON_DAYS}",
        ),
        (
            {
                "bookings": [
                    {
                        "phase": "R1-SIT",
                        "environment": "SIT-1",
                        "start": "9999-12-31",
                        "pinned": True,
                    }
                ]
            },
            "bookings[0].start",
            "between 1000-01-01 and 9000-12-31",
        ),
        ({"start": "9999-12-20"}, "start", "between 1000-01-01 and 9000-12-31"),
    ],
)
def test_days_and_dates_beyond_their_bounds_name_the_field(
    tmp_path: Path, changes: dict[str, Any], field: str, bound: str
) -> None:
    path = scenario_file(tmp_path / "far.json", **changes)
    assert_bad_file(envsched("plan", path, "--method", "greedy"), path, field, bound)


def test_the_longest_horizon_allowed_still_plans(tmp_path: Path) -> None:
    path = scenario_file(tmp_path / "ten-years.json", horizon_days=MAX_HORIZON_DAYS)
    result = envsched("plan", path, "--method", "greedy")
    assert result.exit_code == 0, result.output


def test_a_number_too_long_to_read_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "digits.json"
    path.write_text(
        json.dumps(SCENARIO).replace('"horizon_days": 30', '"horizon_days": ' + "9" * 5000),
        encoding="utf-8",
    )
    assert_bad_file(envsched("plan", path), path, "not readable")
