"""``envsched clashes``: the clashes in the stored state, one a line; exit 1 when there are
any. A module of its own, so the command (a cron job's or a pipeline's check) loads the
clash report and nothing else: no pandas, no demo, no import and export."""

from __future__ import annotations

import click

from envsched.booking import find_clashes
from envsched.cli.errors import EXIT_PROBLEMS
from envsched.cli.stored import stored_state


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


COMMANDS = (clashes,)
