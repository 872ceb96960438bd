"""``envsched serve [--server waitress|gunicorn] [--workers N] [--threads N]``: run the
web app on a production WSGI server."""

from __future__ import annotations

import importlib

import click

from envsched.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--server", type=click.Choice(["waitress", "gunicorn"]), default="waitress",
              show_default=True,
              help="gunicorn runs several processes (POSIX only); waitress one.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="gunicorn processes (about one per core).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Requests served at once by each process.")
def serve(host: str, port: int, server: str, workers: int, threads: int) -> None:
    """Run the web app (pages, API, calendar feeds) on waitress or gunicorn."""
    settings = Settings.from_env()
    # The CLI is the edge that starts the web app. ``web`` depends on ``envsched``, never
    # the reverse, so it is looked up by name here, at run time, not imported above.
    module = importlib.import_module("web.serve")
    module.run(settings, host=host, port=port, threads=threads, server=server,
               workers=workers)


COMMANDS = (serve,)
