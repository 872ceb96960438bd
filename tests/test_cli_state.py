"""``envsched demo``, ``clashes``, ``capacity``, ``export`` and ``import`` end to end.

Each test gets its own SQLite file through ``ENVSCHED_DATABASE_URL``, migrated by
``envsched db upgrade`` as a user would; the last test runs the installed console script.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from envsched.cli import main
from solver.scenario_file import load_scenario

DEMO_SCENARIO = Path(__file__).parents[1] / "data" / "demo.json"


class Cli:
    """Runs ``envsched`` commands against one database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env={"ENVSCHED_DATABASE_URL": self.url})


def new_database(tmp_path: Path, name: str) -> Cli:
    cli = Cli(f"sqlite:///{tmp_path / name}")
    assert cli("db", "upgrade").exit_code == 0
    return cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return new_database(tmp_path, "envsched.db")


@pytest.fixture
def demo_cli(cli: Cli) -> Cli:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    return cli


def one_error_line(result: Result) -> str:
    """The single ``error:`` line on stderr of a failed command (never a traceback)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return lines[0]


def test_demo_prints_what_it_loaded_and_every_users_password(cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0
    assert "40 environments" in result.stdout and "30 releases" in result.stdout
    assert re.search(
        r"and its release lifecycle: \d\d release windows, 3 release templates, "
        r"12 past releases, 13 releases from templates, \d+ gate decisions, "
        r"1\d deployments",
        result.stdout,
    )
    for role in (
        "admin",
        "environment_manager",
        "test_manager",
        "release_manager",
        "planner",
        "viewer",
    ):
        assert role in result.stdout
    assert "demo-admin-2027" in result.stdout


def test_demo_twice_is_refused_with_one_line(demo_cli: Cli) -> None:
    result = demo_cli("demo")
    assert result.exit_code == 1
    assert "needs an empty database" in one_error_line(result)


def test_clashes_in_the_demo_exit_1_and_list_every_kind(demo_cli: Cli) -> None:
    result = demo_cli("clashes")
    assert result.exit_code == 1
    kinds = {line.split()[0] for line in result.stdout.splitlines()[:-1]}
    assert kinds == {
        "overbooked",
        "changeover",
        "maintenance",
        "freeze",
        "unavailable",
        "ineligible",
        "early",
        "order",
        "late",
    }
    # how many depends on the month: in December the yearly freezes (the next ones not
    # over, envsched.demo) fall on the story's bookings of those days
    *found, total = result.stdout.splitlines()
    assert total == f"{len(found)} clashes" and len(found) >= 11


def test_clashes_on_a_clean_database_exit_0(cli: Cli) -> None:
    result = cli("clashes")
    assert (result.exit_code, result.stdout) == (0, "no clashes\n")


def test_capacity_shows_the_demo_perf_shortfall(cli: Cli) -> None:
    loaded = cli("demo")
    found = re.search(r"as of the week of (\d{4}-\d{2}-\d{2})", loaded.stdout)
    assert found is not None
    monday = found.group(1)
    result = cli("capacity", "--type", "PERF", "--weeks", "8", "--from", monday)
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["type", "week_start", "demand_days", "supply_days", "shortfall_days"]
    assert rows[0].split()[:2] == ["PERF", monday]
    # 1 type-week, 7 days short, but in December the year-end freeze takes PERF too
    found = re.search(
        r"shortfall in (\d+) type-weeks?, (\d+) environment-days in all", result.stdout
    )
    assert found is not None and int(found[1]) >= 1 and int(found[2]) >= 7, result.stdout
    assert ("type-week," if found[1] == "1" else "type-weeks,") in found[0]


def test_capacity_of_an_unknown_type_is_bad_input(cli: Cli) -> None:
    result = cli("capacity", "--type", "QA")
    assert result.exit_code == 2
    assert "no environment type 'QA'" in one_error_line(result)


def test_exported_demo_imports_into_an_empty_database(demo_cli: Cli, tmp_path: Path) -> None:
    scenario = tmp_path / "state.json"
    result = demo_cli(
        "export",
        "--scenario",
        str(scenario),
        "--environments",
        str(tmp_path / "envs.xlsx"),
        "--releases",
        str(tmp_path / "rels.csv"),
    )
    assert result.exit_code == 0, result.output
    assert "note: left out" in result.stderr  # bookings of the released release, and such
    exported = load_scenario(scenario)
    other = new_database(tmp_path, "other.db")
    imported = other("import", str(scenario))
    assert imported.exit_code == 0, imported.output
    again = tmp_path / "again.json"
    assert (
        other(
            "export",
            "--scenario",
            str(again),
            "--start",
            exported.start.isoformat(),
            "--horizon",
            str(exported.horizon_days),
        ).exit_code
        == 0
    )
    assert load_scenario(again).releases == exported.releases


def test_tables_import_into_another_database(demo_cli: Cli, tmp_path: Path) -> None:
    envs, rels = tmp_path / "envs.xlsx", tmp_path / "rels.csv"
    assert demo_cli("export", "--environments", str(envs), "--releases", str(rels)).exit_code == 0
    other = new_database(tmp_path, "other.db")
    assert other("import", str(envs), "--kind", "environments").stdout == (
        f"imported {envs}: 40 rows of environments\n"
    )
    assert other("import", str(rels), "--kind", "releases").exit_code == 0


def test_import_of_the_solver_demo_scenario(cli: Cli) -> None:
    result = cli("import", str(DEMO_SCENARIO))
    assert result.exit_code == 0
    assert result.stdout == (
        f"imported {DEMO_SCENARIO}: 12 environments, 15 releases, 7 bookings\n"
    )


def test_import_of_a_bad_table_names_row_and_column_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    bad = tmp_path / "envs.csv"
    bad.write_text("name,type,capacity\nSIT-1,SIT,2\nSIT-2,SIT,lots\n", encoding="utf-8")
    result = cli("import", str(bad), "--kind", "environments")
    assert result.exit_code == 2
    assert "row 3, capacity: expected a whole number, got 'lots'" in one_error_line(result)
    out = tmp_path / "out.csv"
    exported = cli("export", "--environments", str(out))
    assert exported.stdout == f"wrote {out}: 0 rows of environments\n"


def test_import_of_a_bad_scenario_names_the_field(cli: Cli, tmp_path: Path) -> None:
    data = json.loads(DEMO_SCENARIO.read_text())
    data["releases"][3]["phases"][1]["type"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = cli("import", str(bad))
    assert result.exit_code == 2
    assert "releases[3].phases[1].type" in one_error_line(result)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export"], "give --scenario FILE"),
        (["import", "data/demo_bank.json", "--kind", "bookings"], "expected a .csv or .xlsx"),
    ],
)
def test_incomplete_or_wrong_requests_are_bad_input(cli: Cli, args: list[str], says: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert says in one_error_line(result)


def test_a_database_without_the_schema_says_to_upgrade_it(tmp_path: Path) -> None:
    result = Cli(f"sqlite:///{tmp_path / 'new.db'}")("clashes")
    assert result.exit_code == 2
    assert "envsched db upgrade" in one_error_line(result)


def test_console_script_reports_demo_clashes_with_exit_1(demo_cli: Cli) -> None:
    script = Path(sys.executable).with_name("envsched")
    done = subprocess.run(
        [str(script), "clashes"],
        capture_output=True,
        text=True,
        check=False,
        env={"ENVSCHED_DATABASE_URL": demo_cli.url, "PATH": ""},
    )
    assert done.returncode == 1
    *found, total = done.stdout.splitlines()
    assert total == f"{len(found)} clashes" and len(found) >= 11 and done.stderr == ""
