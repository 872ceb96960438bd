"""``envsched whatif``: named what-if scenarios over the stored state, never touching it.

    envsched whatif new NAME [--description TEXT] [--start DATE] [--horizon DAYS]
    envsched whatif change NAME [change options …] [--remove N]
    envsched whatif run NAME [--time-limit S]      plan baseline and what-if, then compare
    envsched whatif show NAME                      changes, progress, comparison table
    envsched whatif promote NAME --as USER         the what-if's plan as tentative bookings
    envsched whatif export NAME FILE               the changed scenario as a scenario file
    envsched whatif list

Change options (each may be repeated; one command adds them in the order listed here,
so an environment added here can get its maintenance window in the same command):

    --add-environment ID:TYPE[:CAPACITY[:TAG,TAG]]     UAT-9:UAT:2:mainframe
    --change-environment ID:KEY=VALUE[:KEY=VALUE]      UAT-1:capacity=2:tags=a,b  (type,
                                                       capacity, tags)
    --maintenance ENV:START:END                        UAT-1:2027-02-01:2027-02-05
    --add-release ID:TYPE=DAYS[,TYPE=DAYS…][:due=DATE][:priority=N][:start=DATE]
                                                       R9:SIT=10,UAT=5:due=2027-04-01
    --delay-release R:DAYS / --advance-release R:DAYS  R7:7
    --priority R:N · --phase-duration PHASE:DAYS · --drop-release R · --remove-environment ID

``--remove N`` takes out change N (as numbered by ``show``). ``--as USER`` acts as that
user (roles are checked); without it the command acts as the system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from envsched import planning
from envsched.accounts import find_user
from envsched.cli.state import DATE, FILE, stored_state, utc_now
from envsched.cli.whatif_format import format_comparison, format_progress_line
from envsched.counted import counted
from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.models import User, WhatIfStatus
from envsched.planning import (
    AddEnvironment,
    AddMaintenance,
    AddRelease,
    Change,
    ChangeEnvironment,
    ChangePhaseDuration,
    DelayRelease,
    DropRelease,
    NewPhase,
    RemoveEnvironment,
    ReprioritiseRelease,
    copy_taken_at,
)
from solver.scenario import MAX_HORIZON_DAYS

AS_USER = click.option("--as", "as_user", metavar="USER", help="Act as this user.")


@click.group("whatif")
def whatif() -> None:
    """What-if scenarios: change a copy of the stored state, plan it, compare, promote."""


def _actor(sessions: SessionFactory, name: str | None) -> User | None:
    return None if name is None else find_user(sessions, name)


@whatif.command()
@click.argument("name")
@click.option("--description", default="")
@click.option("--start", type=DATE, help="Day 0 (default: the first open date).")
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON_DAYS), help="Horizon in days.")
@AS_USER
def new(
    name: str, description: str, start: dt.datetime | None, horizon: int | None, as_user: str | None
) -> None:
    """Save the stored state now as what-if NAME."""
    with stored_state() as sessions:
        row = planning.create_whatif(
            sessions,
            name,
            actor=_actor(sessions, as_user),
            now=utc_now(),
            description=description,
            start=start.date() if start else None,
            horizon_days=horizon,
        )
    base = row.base
    click.echo(
        f"what-if {row.name}: {len(base['environments'])} environments, "
        f"{len(base['releases'])} releases, {len(base['bookings'])} bookings "
        f"from {base['start']}"
    )


# -- change -----------------------------------------------------------------------------------


def _parts(text: str, option: str, least: int, most: int) -> list[str]:
    parts = text.split(":")
    if not least <= len(parts) <= most or not all(parts[:least]):
        raise InvalidInput(option, f"{text!r} does not match the syntax (see --help)")
    return parts


def _int(text: str, option: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(option, f"{text!r} is not a whole number") from None


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(option, f"{text!r} is not a date YYYY-MM-DD") from None


def _add_environment(text: str) -> Change:
    o = "--add-environment"
    ident, kind, *rest = _parts(text, o, 2, 4)
    capacity = _int(rest[0], o) if rest and rest[0] else 1
    tags = tuple(t for t in rest[1].split(",") if t) if len(rest) > 1 else ()
    return AddEnvironment(ident, kind, capacity=capacity, tags=tags)


def _change_environment(text: str) -> Change:
    o = "--change-environment"
    ident, *pairs = _parts(text, o, 2, 4)
    values: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key == "capacity":
            values[key] = _int(value, o)
        elif key == "tags":
            values[key] = tuple(t for t in value.split(",") if t)
        elif key == "type":
            values[key] = value
        else:
            raise InvalidInput(o, f"unknown key {key!r} (type, capacity, tags)")
    return ChangeEnvironment(ident, **values)


def _maintenance(text: str) -> Change:
    env, start, end = _parts(text, "--maintenance", 3, 3)
    return AddMaintenance(env, _date(start, "--maintenance"), _date(end, "--maintenance"))


def _add_release(text: str) -> Change:
    o = "--add-release"
    ident, phases, *options = _parts(text, o, 2, 5)
    made = [
        NewPhase(_phase_id(ident, kind, i, phases), kind, _int(days, o))
        for i, (kind, _, days) in enumerate(p.partition("=") for p in phases.split(","))
    ]
    values: dict[str, Any] = {}
    for option in options:
        key, _, value = option.partition("=")
        if key in ("due", "start"):
            values["due" if key == "due" else "earliest_start"] = _date(value, o)
        elif key == "priority":
            values[key] = _int(value, o)
        else:
            raise InvalidInput(o, f"unknown key {key!r} (due, priority, start)")
    return AddRelease(ident, tuple(made), **values)


def _phase_id(release: str, kind: str, index: int, phases: str) -> str:
    """``R9-UAT``; a type listed twice gets its position too (``R9-UAT-3``)."""
    repeated = [p.partition("=")[0] for p in phases.split(",")].count(kind) > 1
    return f"{release}-{kind}-{index + 1}" if repeated else f"{release}-{kind}"


def _release_days(option: str, sign: int, kind: type[Any]) -> Callable[[str], Change]:
    def parse(text: str) -> Change:
        release, days = _parts(text, option, 2, 2)
        made: Change = kind(release, sign * _int(days, option))
        return made

    return parse


PARSERS: Sequence[tuple[str, Callable[[str], Change]]] = (
    ("add_environment", _add_environment),
    ("change_environment", _change_environment),
    ("maintenance", _maintenance),
    ("add_release", _add_release),
    ("delay_release", _release_days("--delay-release", 1, DelayRelease)),
    ("advance_release", _release_days("--advance-release", -1, DelayRelease)),
    ("priority", _release_days("--priority", 1, ReprioritiseRelease)),
    ("phase_duration", _release_days("--phase-duration", 1, ChangePhaseDuration)),
    ("drop_release", DropRelease),
    ("remove_environment", RemoveEnvironment),
)


def _multiple(name: str, metavar: str) -> Callable[[Any], Any]:
    return click.option(f"--{name.replace('_', '-')}", name, metavar=metavar, multiple=True)


@whatif.command()
@click.argument("name")
@_multiple("add_environment", "ID:TYPE[:CAPACITY[:TAGS]]")
@_multiple("change_environment", "ID:KEY=VALUE[:KEY=VALUE]")
@_multiple("maintenance", "ENV:START:END")
@_multiple("add_release", "ID:TYPE=DAYS,…[:due=D][:priority=N][:start=D]")
@_multiple("delay_release", "R:DAYS")
@_multiple("advance_release", "R:DAYS")
@_multiple("priority", "R:N")
@_multiple("phase_duration", "PHASE:DAYS")
@_multiple("drop_release", "R")
@_multiple("remove_environment", "ID")
@click.option(
    "--remove",
    type=click.IntRange(min=1),
    multiple=True,
    metavar="N",
    help="Take out change N (numbered as `show` lists them).",
)
@AS_USER
def change(name: str, remove: tuple[int, ...], as_user: str | None, **given: Any) -> None:
    """Add changes to what-if NAME (syntax: `envsched whatif --help`)."""
    changes = [parse(text) for key, parse in PARSERS for text in given[key]]
    if not changes and not remove:
        raise InvalidInput("change", "give at least one change option or --remove N")
    with stored_state() as sessions:
        actor = _actor(sessions, as_user)
        for number in sorted(remove, reverse=True):
            planning.remove_change(sessions, name, number - 1, actor=actor)
        for made in changes:
            planning.add_change(sessions, name, made, actor=actor)
        row = planning.get_whatif(sessions, name)
    _echo_changes(planning.describe_changes(row))


def _echo_changes(described: list[str]) -> None:
    click.echo(f"{counted(len(described), 'change')}:" if described else "no changes")
    for number, text in enumerate(described, start=1):
        click.echo(f"  {number}. {text}")


# -- run, show, promote, export, list ---------------------------------------------------------


@whatif.command()
@click.argument("name")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds for both plans together.",
)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@AS_USER
def run(name: str, time_limit: float, workers: int, as_user: str | None) -> None:
    """Plan the baseline and the what-if; progress to stderr, the comparison to stdout."""
    with stored_state() as sessions:
        planning.run_whatif(
            sessions,
            name,
            time_limit=time_limit,
            now=utc_now(),
            actor=_actor(sessions, as_user),
            workers=workers,
            on_progress=_print_progress,
        )
        click.echo(format_comparison(planning.compare(sessions, name)))


def _print_progress(progress: dict[str, Any]) -> None:
    click.echo(format_progress_line(progress), err=True)


@whatif.command()
@click.argument("name")
def show(name: str) -> None:
    """What-if NAME: its changes, its status and, once run, the comparison."""
    with stored_state() as sessions:
        row = planning.get_whatif(sessions, name, now=utc_now())
        click.echo(
            f"what-if {row.name} ({row.status.value}), made by {row.created_by} "
            f"on {row.created_at:%Y-%m-%d %H:%M} UTC; copy of the live state taken "
            f"{copy_taken_at(row):%Y-%m-%d %H:%M} UTC (each run takes a fresh one), "
            f"from {row.base['start']}"
        )
        if row.description:
            click.echo(row.description)
        _echo_changes(planning.describe_changes(row))
        if row.status == WhatIfStatus.RUNNING and row.progress:
            click.echo(format_progress_line(row.progress))
        if row.status == WhatIfStatus.FAILED:
            click.echo(f"last run failed: {row.error}")
        if row.comparison is not None:
            click.echo(format_comparison(planning.compare(sessions, name)))


@whatif.command()
@click.argument("name")
@AS_USER
def promote(name: str, as_user: str | None) -> None:
    """Turn what-if NAME's plan into tentative bookings (environment managers)."""
    with stored_state() as sessions:
        created = planning.promote_whatif(
            sessions, name, actor=_actor(sessions, as_user), now=utc_now()
        )
    click.echo(f"promoted {name}: {counted(len(created), 'tentative booking')} proposed")


@whatif.command("export")
@click.argument("name")
@click.argument("path", metavar="FILE", type=FILE)
def export_(name: str, path: Path) -> None:
    """Write what-if NAME's changed scenario as an envsched-scenario/1 file."""
    with stored_state() as sessions:
        planning.export_whatif(sessions, name, path)
    click.echo(f"wrote {path}")


@whatif.command("list")
def list_() -> None:
    """Every what-if: name, status, number of changes, who made it."""
    with stored_state() as sessions:
        rows = planning.list_whatifs(sessions, now=utc_now())
    for row in rows:
        click.echo(
            f"{row.name:<24} {row.status.value:<9} {counted(len(row.changes), 'change'):>11}  "
            f"{row.created_by}"
        )
    if not rows:
        click.echo("no what-ifs")


COMMANDS = (whatif,)
