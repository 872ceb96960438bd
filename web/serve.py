"""Run the app on a production WSGI server (Flask's own is for development only).

* waitress (default; every platform): one process, ``threads`` worker threads.
* gunicorn (POSIX): ``workers`` processes of ``threads`` threads each. Python runs one
  thread at a time per process, so on a machine with several cores the processes are
  what lets the API use them (see "Booking API load" in ``docs/benchmarks.md``).

Each process builds its own app and engine (never shared across ``fork``); its
connection pool keeps at least ``threads`` connections, one per thread that may need one
(fewer would open and close a connection per request under load), and opens them
before the first request: a cold pool made the first second's requests the slowest.

``envsched serve`` calls ``run`` through ``importlib`` so that ``envsched`` keeps no
import of ``web`` (dependencies point down: ``web → envsched``).
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import signal
from typing import Any

import waitress
from flask import Flask
from sqlalchemy import literal, select
from sqlmodel import Session

from envsched.db import create_engine, fill_pool
from envsched.models import metadata
from envsched.services import availability, booking, tokens
from envsched.settings import Settings
from web import create_app, import_views
from web.secret_key import key_path, secret_key

DEFAULT_THREADS = 8
DEFAULT_WORKERS = 2
SERVERS = ("waitress", "gunicorn")


def run(settings: Settings, *, host: str, port: int, threads: int = DEFAULT_THREADS,
        server: str = "waitress", workers: int = DEFAULT_WORKERS) -> None:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = dataclasses.replace(settings, database_pool_size=max(
        settings.database_pool_size, threads), secret_key=_one_key(settings))
    print(f"envsched is serving on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    if server == "gunicorn":
        _gunicorn(settings, host=host, port=port, threads=threads, workers=workers)
    else:
        signal.signal(signal.SIGTERM, _stop)  # as gunicorn does: finish what is in flight
        waitress.serve(_warm_app(settings, threads), host=host, port=port, threads=threads,
                       ident="envsched")


def _one_key(settings: Settings) -> str:
    """The key every process signs with, read (or made) once here, before any fork."""
    key = secret_key(settings)
    if not settings.secret_key:
        print(f"ENVSCHED_SECRET_KEY is not set: every process signs with the key kept in "
              f"{key_path(settings)}", flush=True)
    return key


def _stop(_signal: int, _frame: object) -> None:
    raise SystemExit(0)  # waitress closes its sockets and lets its threads finish


def _warm_app(settings: Settings, threads: int) -> Flask:
    """The app, its pool already holding a connection per server thread, on which the
    API's hottest statements have run once, and its long-lived objects frozen."""
    engine = create_engine(settings)
    fill_pool(engine, threads, warm_up)
    app = create_app(settings, engine)
    # Everything loaded so far lives as long as the process. Frozen, the collector never
    # walks it again: a full collection over the ~200,000 objects of the imported
    # libraries stalled every thread of the process for 80 ms at random moments.
    gc.freeze()
    return app


def warm_up(session: Session) -> None:
    """What a fresh process and database connection do slowly the first time: read each
    table once (a new PostgreSQL backend loads its catalogue entries), and run the token
    check's, the booking checks' and a booking's statements (compiled once per process).
    ``fill_pool`` rolls it all back."""
    for table in metadata.sorted_tables:
        session.execute(select(literal(1)).select_from(table).limit(0))
    tokens.warm_up(session)
    availability.warm_up(session)
    booking.warm_up(session)


def _gunicorn(settings: Settings, *, host: str, port: int, threads: int,
              workers: int) -> None:
    # Imported here: gunicorn does not run on Windows, where waitress still does.
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    class Server(BaseApplication):  # gunicorn ships no type hints: BaseApplication is Any
        def load_config(self) -> None:
            # reuse_port: each worker listens on a socket of its own and the kernel spreads
            # new connections over them. On one shared socket whichever worker woke first
            # took the connection: 20 keep-alive clients split 14:6 or 16:4, and the
            # busier worker's clients waited longest.
            options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                       "worker_class": "gthread", "preload_app": False, "reuse_port": True}
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return _warm_app(settings, threads)  # in each worker, after the fork

        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

    import_views()  # once, in the master: every worker forks with it loaded
    gc.freeze()  # and the workers' collectors leave those pages alone (shared, not copied)
    Server().run()
