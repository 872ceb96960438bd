"""The browser tests' waitress servers, each run on a thread of the test process, and
the demo bank they serve: loaded once a test process into a template file, copied for
each server (loading it takes seconds; a copy, milliseconds)."""

from __future__ import annotations

import datetime as dt
import errno
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from waitress.server import BaseWSGIServer, create_server

from envsched import migrations
from envsched.db import create_engine, session_factory
from envsched.demo import load_demo
from envsched.settings import Settings


def make_demo_template(path: Path) -> Path:
    """A migrated SQLite file at ``path`` holding the demo bank dated to now (as ``make
    run`` loads it). Its engine is disposed before anyone copies it: the last connection
    closing folds the write-ahead log into the file."""
    engine = create_engine(Settings(database_url=f"sqlite:///{path}"))
    migrations.upgrade(engine)
    load_demo(session_factory(engine), dt.datetime.now(dt.UTC))
    engine.dispose()
    return path


def copy_demo(template: Path, directory: Path) -> str:
    """The URL of a fresh copy of the demo ``template`` in ``directory``."""
    path = directory / "envsched.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` served by waitress on a free port, on a thread; yields its URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    assert isinstance(server, BaseWSGIServer) and server.socket is not None  # one socket
    thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    finally:
        server.close()
        thread.join(timeout=10)


def run_until_closed(server: BaseWSGIServer) -> None:
    """``server.run`` for a thread. The test closes the server from its own thread, which
    can pull the socket from under the loop's ``select`` (EBADF): that is how the server
    stops, not a fault of the test."""
    try:
        server.run()
    except OSError as error:
        if error.errno != errno.EBADF:
            raise
