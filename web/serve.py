"""Run the app on a production WSGI server (Flask's own is for development only).

* waitress (default; every platform): one process, ``threads`` worker threads.
* gunicorn (POSIX): ``workers`` processes of ``threads`` threads each. Python runs one
  thread at a time per process, so on a machine with several cores the processes are
  what lets the API use them (see "Booking API load" in ``docs/benchmarks.md``).

Each process builds its own app and engine (never shared across ``fork``); its
connection pool keeps at least ``threads`` connections, one per thread that may need one
(fewer would open and close a connection per request under load), and opens them
before the first request: a cold pool made the first second's requests the slowest.

Both servers write the access log (``web.access_log``: one line per request) unless
``access_log`` is off. Each gunicorn instance has a control socket of its own
(``gunicornc -s PATH``), named by its master's process id, so two instances never
share one and stopping one never deletes the other's.

``envsched serve`` (``web.serve_cli``) calls ``run``; the ``envsched`` command line finds
that command through an entry point, so ``envsched`` keeps no import of ``web``
(dependencies point down: ``web → envsched``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import logging
import os
import secrets
import signal
from pathlib import Path
from typing import Any

import waitress
from flask import Flask
from sqlalchemy import literal, select
from sqlmodel import Session

from envsched import accounts, audit, booking, inventory
from envsched.db import create_engine, fill_pool
from envsched.errors import BookingConflict
from envsched.models import Environment, EnvironmentType, metadata
from envsched.settings import Settings
from web import create_app, import_views
from web.access_log import AccessLog
from web.secret_key import key_path, secret_key

DEFAULT_THREADS = 8
DEFAULT_WORKERS = 2
SERVERS = ("waitress", "gunicorn")


def run(
    settings: Settings,
    *,
    host: str,
    port: int,
    threads: int = DEFAULT_THREADS,
    server: str = "waitress",
    workers: int = DEFAULT_WORKERS,
    access_log: bool = True,
) -> None:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = dataclasses.replace(
        settings,
        database_pool_size=max(settings.database_pool_size, threads),
        secret_key=_one_key(settings),
    )
    print(f"envsched is serving on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    if server == "gunicorn":
        _gunicorn(
            settings, host=host, port=port, threads=threads, workers=workers, access_log=access_log
        )
    else:
        signal.signal(signal.SIGTERM, _stop)  # as gunicorn does: finish what is in flight
        waitress.serve(
            _warm_app(settings, threads, access_log),
            host=host,
            port=port,
            threads=threads,
            ident="envsched",
        )


def _one_key(settings: Settings) -> str:
    """The key every process signs with, read (or made) once here, before any fork."""
    key = secret_key(settings)
    if not settings.secret_key:
        print(
            f"ENVSCHED_SECRET_KEY is not set: every process signs with the key kept in "
            f"{key_path(settings)}",
            flush=True,
        )
    return key


def _stop(_signal: int, _frame: object) -> None:
    raise SystemExit(0)  # waitress closes its sockets and lets its threads finish


def _warm_app(settings: Settings, threads: int, access_log: bool) -> Flask:
    """The app, its pool already holding a connection per server thread, on which the
    API's hottest statements have run once, and its long-lived objects frozen."""
    engine = create_engine(settings)
    fill_pool(engine, threads, warm_up)
    app = create_app(settings, engine)
    if access_log:
        app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]
    # Everything loaded so far lives as long as the process. Frozen, the collector never
    # walks it again: a full collection over the ~200,000 objects of the imported
    # libraries stalled every thread of the process for 80 ms at random moments.
    gc.freeze()
    return app


def warm_up(session: Session) -> None:
    """What a fresh process and database connection do slowly the first time: read each
    table once (a new PostgreSQL backend loads its catalogue entries), and run the token
    check's, the booking checks' and a booking's statements (compiled once per process,
    planned once per connection). ``fill_pool`` rolls it all back."""
    for table in metadata.sorted_tables:
        session.execute(select(literal(1)).select_from(table).limit(0))
    now = dt.datetime.now(dt.UTC)
    _warm_token_check(session, now)
    _warm_booking(session, now)


def _warm_token_check(session: Session, now: dt.datetime) -> None:
    """The token check's statements, matching no token: a new server's first requests
    each use a token for the first time, so each writes its ``last_used_at`` too."""
    accounts.token_and_user(session, "")
    accounts.mark_used(session, 0, now)


def _warm_booking(session: Session, now: dt.datetime) -> None:
    """Book once on a throwaway environment through the booking checks: a fresh process's
    first bookings otherwise took several times longer, each of its threads spending
    twice a booking's time compiling the same statements, all at once."""
    kind = EnvironmentType(name=f"warm-up {secrets.token_hex(6)}")
    session.add(kind)
    session.flush()
    assert kind.id is not None  # flushed
    session.add(Environment(name=kind.name, type_id=kind.id))
    session.flush()
    env = inventory.lock_environment_named(session, kind.name)
    start, end = now.date(), now.date() + dt.timedelta(days=1)
    with contextlib.suppress(BookingConflict):  # a freeze today: the checks ran all the same
        inventory.check_fits(session, env, start, end)
    row = booking.new_booking(env, start, end, now=now, actor=None)
    session.add(row)
    audit.record(session, actor=None, now=now, action="book", row=row)
    session.flush()


def control_socket(pid: int) -> Path:
    """The control socket of the gunicorn instance whose master is ``pid``: in gunicorn's
    own folder for them (``$XDG_RUNTIME_DIR``, else ``~/.gunicorn``), named by the pid.
    gunicorn's default is one path for every instance of the user: a second instance
    took it over, and the first one stopping deleted it."""
    from gunicorn.config import ControlSocket  # type: ignore[import-untyped]

    return Path(ControlSocket.default).parent / f"envsched-{pid}.ctl"


def _gunicorn(
    settings: Settings, *, host: str, port: int, threads: int, workers: int, access_log: bool
) -> None:
    # Imported here: gunicorn does not run on Windows, where waitress still does.
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    socket = control_socket(os.getpid())  # this process becomes gunicorn's master

    class Server(BaseApplication):  # gunicorn ships no type hints: BaseApplication is Any
        def load_config(self) -> None:
            # reuse_port: each worker listens on a socket of its own and the kernel spreads
            # new connections over them. On one shared socket whichever worker woke first
            # took the connection: 20 keep-alive clients split 14:6 or 16:4, and the
            # busier worker's clients waited longest.
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "preload_app": False,
                "reuse_port": True,
                "control_socket": str(socket),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return _warm_app(settings, threads, access_log)  # in each worker, after fork

        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

    print(f"gunicorn's control socket: {socket} (gunicornc -s {socket})", flush=True)
    import_views()  # once, in the master: every worker forks with it loaded
    gc.freeze()  # and the workers' collectors leave those pages alone (shared, not copied)
    Server().run()
