"""``envsched demo``, ``capacity``, ``export`` and ``import``: the stored state.

Each command opens the database named by ``ENVSCHED_DATABASE_URL`` for its own run and
reads the clock once, here at the edge. Errors are not caught here:
``errors.TranslatingGroup`` turns bad input into exit code 2 and one line on stderr.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd

from envsched.cli.stored import stored_state, utc_now
from envsched.counted import counted
from envsched.demo import load_demo
from envsched.errors import InvalidInput
from envsched.planning import capacity_report, export_scenario
from envsched.transfer import KINDS, export_table, import_scenario, import_table
from solver.scenario import MAX_HORIZON_DAYS

FILE = click.Path(dir_okay=False, path_type=Path)
DATE = click.DateTime(formats=["%Y-%m-%d"])
IMPORT_KINDS = ("scenario", *KINDS)


# -- demo -------------------------------------------------------------------------------------


@click.command()
def demo() -> None:
    """Load the demo bank into an empty database, dated to the current week.

    Prints what was loaded and the demo users' passwords.
    """
    with stored_state() as sessions:
        summary = load_demo(sessions, utc_now())
    loaded = ", ".join(f"{count} {kind}" for kind, count in summary.counts.items())
    click.echo(f"loaded the demo bank (as of the week of {summary.anchor}): {loaded}")
    lifecycle = ", ".join(f"{count} {kind}" for kind, count in summary.lifecycle.items())
    click.echo(f"and its release lifecycle: {lifecycle}")
    for name in summary.kept_users:
        click.echo(f"kept existing user {name}")
    click.echo("demo users (name, role, password):")
    for user in summary.users:
        click.echo(f"  {user.name:<8} {user.role:<20} {user.password}")


# -- capacity ---------------------------------------------------------------------------------


@click.command()
@click.option("--type", "type_name", help="Only this environment type.")
@click.option("--weeks", type=click.IntRange(min=1), default=12, show_default=True)
@click.option(
    "--from", "start", type=DATE, help="First week (the one holding this date); default: this week."
)
def capacity(type_name: str | None, weeks: int, start: dt.datetime | None) -> None:
    """Demand, supply and shortfall in environment-days per type per ISO week."""
    first = start.date() if start else utc_now().date()
    with stored_state() as sessions:
        report = capacity_report(sessions, first, weeks, type_name=type_name)
    click.echo(format_capacity(report))
    short = report[report["shortfall_days"] > 0]
    if not short.empty:
        click.echo(
            f"shortfall in {counted(len(short), 'type-week')}, "
            f"{int(short['shortfall_days'].sum())} environment-days in all"
        )


def format_capacity(report: pd.DataFrame) -> str:
    shown = report.assign(week_start=report["week_start"].dt.strftime("%Y-%m-%d"))
    return shown.to_string(index=False)


# -- export and import ------------------------------------------------------------------------


@click.command("export")
@click.option("--scenario", "scenario_path", type=FILE, help="Write an envsched-scenario/1 file.")
@click.option("--start", type=DATE, help="The scenario's day 0 (default: the first open date).")
@click.option(
    "--horizon", type=click.IntRange(1, MAX_HORIZON_DAYS), help="The scenario's horizon in days."
)
@click.option("--environments", type=FILE, help="Write environments as .csv or .xlsx.")
@click.option("--releases", type=FILE, help="Write releases and phases as .csv or .xlsx.")
@click.option("--bookings", type=FILE, help="Write bookings as .csv or .xlsx.")
def export(
    scenario_path: Path | None,
    start: dt.datetime | None,
    horizon: int | None,
    environments: Path | None,
    releases: Path | None,
    bookings: Path | None,
) -> None:
    """Write the stored state to a scenario file and/or CSV and Excel tables."""
    tables = {"environments": environments, "releases": releases, "bookings": bookings}
    if scenario_path is None and not any(tables.values()):
        raise InvalidInput(
            "export",
            "give --scenario FILE or a table to write (--environments, --releases, --bookings)",
        )
    with stored_state() as sessions:
        if scenario_path is not None:
            mapped = export_scenario(
                sessions, scenario_path, start.date() if start else None, horizon
            )
            for note in mapped.left_out:
                click.echo(f"note: left out {note}", err=True)
            click.echo(
                f"wrote {scenario_path}: {len(mapped.scenario.environments)} "
                f"environments, {len(mapped.scenario.releases)} releases, "
                f"{len(mapped.scenario.bookings)} bookings"
            )
        for kind, path in tables.items():
            if path is not None:
                rows = export_table(sessions, kind, path).rows
                click.echo(f"wrote {path}: {rows} rows of {kind}")


@click.command("import")
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--kind",
    type=click.Choice(IMPORT_KINDS),
    help="What the file holds; default: scenario for .json files.",
)
def import_(path: Path, kind: str | None) -> None:
    """Load a scenario file into an empty database, or a CSV/Excel table of environments,
    releases or bookings (all rows or, if any is bad, none)."""
    kind = kind or _kind_of(path)
    with stored_state() as sessions:
        if kind == "scenario":
            scenario = import_scenario(sessions, path, utc_now())
            click.echo(
                f"imported {path}: {len(scenario.environments)} environments, "
                f"{len(scenario.releases)} releases, {len(scenario.bookings)} bookings"
            )
        else:
            outcome = import_table(sessions, kind, path, actor=None, now=utc_now())
            click.echo(f"imported {path}: {outcome.rows} rows of {kind}")


def _kind_of(path: Path) -> str:
    if path.suffix.lower() == ".json":
        return "scenario"
    raise InvalidInput("kind", f"{path}: say what the file holds with --kind ({', '.join(KINDS)})")


COMMANDS = (demo, capacity, export, import_)
