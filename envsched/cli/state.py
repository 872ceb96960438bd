"""``envsched demo``, ``clashes``, ``capacity``, ``export`` and ``import``: the stored state.

Each command opens the database named by ``ENVSCHED_DATABASE_URL`` for its own run and
reads the clock once, here at the edge. Errors are not caught here:
``errors.TranslatingGroup`` turns bad input into exit code 2 and one line on stderr.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import pandas as pd

from envsched import migrations
from envsched.cli.errors import EXIT_PROBLEMS
from envsched.db import SessionFactory, database
from envsched.demo import load_demo
from envsched.errors import ConfigError, InvalidInput
from envsched.services.capacity import capacity_report
from envsched.services.clashes import find_clashes
from envsched.services.mapping import export_scenario
from envsched.services.scenario_import import import_scenario
from envsched.services.transfer import KINDS, export_table, import_table
from envsched.settings import Settings
from solver.scenario import MAX_HORIZON_DAYS

FILE = click.Path(dir_okay=False, path_type=Path)
DATE = click.DateTime(formats=["%Y-%m-%d"])
IMPORT_KINDS = ("scenario", *KINDS)


@contextmanager
def stored_state() -> Iterator[SessionFactory]:
    """Sessions on the configured database, once its schema is known to be current."""
    with database(Settings.from_env()) as sessions:
        _check_schema(sessions)
        yield sessions


def _check_schema(sessions: SessionFactory) -> None:
    status = migrations.schema_status(sessions.kw["bind"])
    if not status.current:
        raise ConfigError("ENVSCHED_DATABASE_URL", status.problem)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


# -- clashes and capacity ---------------------------------------------------------------------

@click.command()
def clashes() -> None:
    """List the clashes in the stored state; exits 1 when there are any."""
    with stored_state() as sessions:
        found = find_clashes(sessions)
    for clash in found:
        click.echo(f"{clash.kind:<12} {clash.message}")
    if not found:
        click.echo("no clashes")
        return
    click.echo(f"{len(found)} clash{'es' if len(found) != 1 else ''}")
    raise SystemExit(EXIT_PROBLEMS)


@click.command()
@click.option("--type", "type_name", help="Only this environment type.")
@click.option("--weeks", type=click.IntRange(min=1), default=12, show_default=True)
@click.option("--from", "start", type=DATE, help="First week (the one holding this date); "
                                                 "default: this week.")
def capacity(type_name: str | None, weeks: int, start: dt.datetime | None) -> None:
    """Demand, supply and shortfall in environment-days per type per ISO week."""
    first = start.date() if start else utc_now().date()
    with stored_state() as sessions:
        report = capacity_report(sessions, first, weeks, type_name=type_name)
    click.echo(format_capacity(report))
    short = report[report["shortfall_days"] > 0]
    if not short.empty:
        click.echo(f"shortfall in {len(short)} type-week(s), "
                   f"{int(short['shortfall_days'].sum())} environment-days in all")


def format_capacity(report: pd.DataFrame) -> str:
    shown = report.assign(week_start=report["week_start"].dt.strftime("%Y-%m-%d"))
    return shown.to_string(index=False)


# -- export and import ------------------------------------------------------------------------

@click.command("export")
@click.option("--scenario", "scenario_path", type=FILE, help="Write an envsched-scenario/1 file.")
@click.option("--start", type=DATE, help="The scenario's day 0 (default: the first open date).")
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON_DAYS),
              help="The scenario's horizon in days.")
@click.option("--environments", type=FILE, help="Write environments as .csv or .xlsx.")
@click.option("--releases", type=FILE, help="Write releases and phases as .csv or .xlsx.")
@click.option("--bookings", type=FILE, help="Write bookings as .csv or .xlsx.")
def export(scenario_path: Path | None, start: dt.datetime | None, horizon: int | None,
           environments: Path | None, releases: Path | None, bookings: Path | None) -> None:
    """Write the stored state to a scenario file and/or CSV and Excel tables."""
    tables = {"environments": environments, "releases": releases, "bookings": bookings}
    if scenario_path is None and not any(tables.values()):
        raise InvalidInput("export", "give --scenario FILE or a table to write "
                                     "(--environments, --releases, --bookings)")
    with stored_state() as sessions:
        if scenario_path is not None:
            mapped = export_scenario(sessions, scenario_path, start.date() if start else None,
                                     horizon)
            for note in mapped.left_out:
                click.echo(f"note: left out {note}", err=True)
            click.echo(f"wrote {scenario_path}: {len(mapped.scenario.environments)} "
                       f"environments, {len(mapped.scenario.releases)} releases, "
                       f"{len(mapped.scenario.bookings)} bookings")
        for kind, path in tables.items():
            if path is not None:
                rows = export_table(sessions, kind, path).rows
                click.echo(f"wrote {path}: {rows} rows of {kind}")


@click.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False,
                                                        path_type=Path))
@click.option("--kind", type=click.Choice(IMPORT_KINDS),
              help="What the file holds; default: scenario for .json files.")
def import_(path: Path, kind: str | None) -> None:
    """Load a scenario file into an empty database, or a CSV/Excel table of environments,
    releases or bookings (all rows or, if any is bad, none)."""
    kind = kind or _kind_of(path)
    with stored_state() as sessions:
        if kind == "scenario":
            scenario = import_scenario(sessions, path, utc_now())
            click.echo(f"imported {path}: {len(scenario.environments)} environments, "
                       f"{len(scenario.releases)} releases, {len(scenario.bookings)} bookings")
        else:
            outcome = import_table(sessions, kind, path, actor=None, now=utc_now())
            click.echo(f"imported {path}: {outcome.rows} rows of {kind}")


def _kind_of(path: Path) -> str:
    if path.suffix.lower() == ".json":
        return "scenario"
    raise InvalidInput("kind", f"{path}: say what the file holds with --kind "
                               f"({', '.join(KINDS)})")


COMMANDS = (demo, clashes, capacity, export, import_)
