"""``envsched worker``: every solve and the nightly cron (``envsched.solves.worker``);
``envsched scheduler`` is its former name, kept as an alias."""

from __future__ import annotations

import logging
import signal
import threading

import click

from envsched.cli.stored import stored_state
from envsched.counted import counted
from envsched.settings import Settings
from envsched.solves import drain, run_worker


@click.command()
@click.option(
    "--drain",
    "drain_only",
    is_flag=True,
    help="Run the solves queued now, one after another, then exit.",
)
def worker(drain_only: bool) -> None:
    """Run queued solves (Re-plan now, what-ifs; ENVSCHED_SOLVE_SLOTS at once) and the
    nightly re-plan (ENVSCHED_REPLAN_CRON, ENVSCHED_TIMEZONE) until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    with stored_state() as sessions:  # fails with one line when the schema is missing or old
        if drain_only:
            click.echo(f"{counted(drain(sessions, settings), 'solve')} run")
            return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    run_worker(settings, stop)


scheduler = click.Command(
    "scheduler",
    callback=worker.callback,
    params=worker.params,
    help="The former name of `envsched worker`.",
)

COMMANDS = (worker, scheduler)
