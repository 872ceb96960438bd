"""``envsched serve [--server waitress|gunicorn] [--workers N] [--threads N]``: run the
web app on a production WSGI server.

The command belongs to the web layer; the ``envsched`` command line finds it through the
``envsched.commands`` entry point that pyproject.toml declares, so ``envsched`` never
names ``web`` (dependencies point down only)."""

from __future__ import annotations

import click

from envsched.settings import Settings
from web.serve import run


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--server",
    type=click.Choice(["waitress", "gunicorn"]),
    default="waitress",
    show_default=True,
    help="gunicorn runs several processes (POSIX only); waitress one.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="gunicorn processes (about one per core).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests served at once by each process.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on stderr: client, method, path, status, duration.",
)
def serve(host: str, port: int, server: str, workers: int, threads: int, access_log: bool) -> None:
    """Run the web app (pages, API, calendar feeds) on waitress or gunicorn."""
    settings = Settings.from_env()
    run(
        settings,
        host=host,
        port=port,
        threads=threads,
        server=server,
        workers=workers,
        access_log=access_log,
    )


COMMANDS = (serve,)
