"""``envsched whatif`` end to end on a SQLite file migrated by ``envsched db upgrade``.

The state is imported from a small scenario file: one UAT environment and two 5-day UAT
phases due on day 5, so one release is 5 days late until a second UAT environment comes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from envsched.cli import main
from envsched.cli.state import utc_now
from envsched.db import create_engine, session_factory
from envsched.planning.whatif.service import get_whatif
from envsched.settings import Settings
from solver.scenario_file import load_scenario
from tests.envsched.stuck import dead_owner, stuck_whatif

SCENARIO = {
    "format": "envsched-scenario/1",
    "name": "small",
    "start": "2027-01-04",
    "horizon_days": 60,
    "environments": [{"id": "UAT-1", "type": "UAT"}],
    "releases": [
        {
            "id": key,
            "earliest_start": "2027-01-04",
            "due": "2027-01-09",
            "phases": [{"id": f"{key}-UAT", "type": "UAT", "duration_days": 5}],
        }
        for key in ("R1", "R2")
    ],
}


class Cli:
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env={"ENVSCHED_DATABASE_URL": self.url})

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(f"sqlite:///{tmp_path / 'envsched.db'}")
    cli.ok("db", "upgrade")
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SCENARIO))
    cli.ok("import", str(path))
    cli.ok("user", "add", "pat", "--role", "planner")
    cli.ok("user", "add", "eve", "--role", "environment_manager")
    return cli


def one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def cells(output: str, label: str) -> list[str]:
    (line,) = [line for line in output.splitlines() if line.startswith(label)]
    return line[len(label) :].split()


def test_new_change_run_show_export_and_list(cli: Cli, tmp_path: Path) -> None:
    made = cli.ok(
        "whatif", "new", "more-uat", "--as", "pat", "--start", "2027-01-04", "--horizon", "60"
    )
    assert "1 environments, 2 releases" in made.stdout
    changed = cli.ok(
        "whatif",
        "change",
        "more-uat",
        "--add-environment",
        "UAT-9:UAT:1",
        "--maintenance",
        "UAT-9:2027-02-01:2027-02-03",
    )
    assert "1. add environment UAT-9 (UAT, capacity 1)" in changed.stdout
    assert "2. maintenance on UAT-9, 1–2 Feb 2027" in changed.stdout
    run = cli.ok("whatif", "run", "more-uat", "--time-limit", "5")
    assert cells(run.stdout, "late releases") == ["1", "0", "-1"]
    assert cells(run.stdout, "weighted tardiness") == ["5", "0", "-5"]
    assert "[2/2 whatif]" in run.stderr
    shown = cli.ok("whatif", "show", "more-uat")
    assert "what-if more-uat (done), made by pat" in shown.stdout
    assert cells(shown.stdout, "late releases") == ["1", "0", "-1"]
    out = tmp_path / "out.json"
    cli.ok("whatif", "export", "more-uat", str(out))
    assert load_scenario(out).environment_by_id["UAT-9"].unavailable
    assert cli.ok("whatif", "list").stdout.split()[:3] == ["more-uat", "done", "2"]


def test_remove_takes_a_change_out_by_its_number(cli: Cli) -> None:
    cli.ok("whatif", "new", "w")
    cli.ok("whatif", "change", "w", "--delay-release", "R1:3", "--priority", "R2:4")
    result = cli.ok("whatif", "change", "w", "--remove", "1")
    assert "1. give release R2 priority 4" in result.stdout and "2." not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--delay-release", "R1"), "--delay-release: 'R1' does not match the syntax"),
        (("--delay-release", "R7:3"), "changes[0].delay_release.release: no release 'R7'"),
        (("--add-environment", "UAT-9:UAT:two"), "'two' is not a whole number"),
        (("--maintenance", "UAT-1:2027-02-30:2027-03-01"), "'2027-02-30' is not a date"),
        (("--change-environment", "UAT-1:colour=red"), "unknown key 'colour'"),
        (("--add-release", "R9:PERF=3"), "no environment has type 'PERF'"),
        ((), "give at least one change option"),
    ],
)
def test_bad_changes_are_one_line_and_exit_2(cli: Cli, args: tuple[str, ...], message: str) -> None:
    cli.ok("whatif", "new", "w")
    result = cli("whatif", "change", "w", *args)
    assert result.exit_code == 2
    assert message in one_error_line(result)


def test_an_unknown_whatif_is_exit_2(cli: Cli) -> None:
    result = cli("whatif", "show", "nothing")
    assert result.exit_code == 2 and "what-if 'nothing' not found" in one_error_line(result)


def test_promote_needs_an_environment_manager(cli: Cli) -> None:
    cli.ok("whatif", "new", "slip")
    cli.ok("whatif", "change", "slip", "--delay-release", "R2:5")
    cli.ok("whatif", "run", "slip", "--time-limit", "5")
    refused = cli("whatif", "promote", "slip", "--as", "pat")
    assert refused.exit_code == 1 and "environment_manager" in one_error_line(refused)
    promoted = cli.ok("whatif", "promote", "slip", "--as", "eve")
    assert "promoted slip: 2 tentative bookings proposed" in promoted.stdout
    again = cli("whatif", "promote", "slip", "--as", "eve")
    assert again.exit_code == 1 and "promoted" in one_error_line(again)


def test_show_and_list_give_a_run_whose_process_died_as_failed_and_run_starts_it_again(
    cli: Cli,
) -> None:
    cli.ok("whatif", "new", "w")
    engine = create_engine(Settings(database_url=cli.url))
    sessions, owner = session_factory(engine), dead_owner()
    stuck_whatif(
        sessions, get_whatif(sessions, "w").id or 0, owner=owner, started_at=utc_now(), time_limit=5
    )
    engine.dispose()
    shown = cli.ok("whatif", "show", "w")
    assert "what-if w (failed)" in shown.stdout
    assert f"last run failed: interrupted: the process running it ({owner}) has ended" in (
        shown.stdout
    )
    assert cli.ok("whatif", "list").stdout.split()[:2] == ["w", "failed"]
    cli.ok("whatif", "run", "w", "--time-limit", "2")
    assert cli.ok("whatif", "list").stdout.split()[:2] == ["w", "done"]
