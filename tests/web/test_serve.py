"""``envsched serve``: the app on waitress and on gunicorn, its pool opened and warmed first."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from envsched.db import SessionFactory, create_engine, fill_pool
from envsched.inventory import environments as inventory
from envsched.inventory.shapes import EnvironmentIn
from envsched.models import Freeze
from envsched.settings import Settings
from tests.web.helpers import NOW
from web import serve

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60


def test_fill_pool_opens_the_connections_and_warms_each_once(database_url: str) -> None:
    engine = create_engine(Settings(database_url=database_url), pool_size=3)
    seen: list[int] = []

    def warm(session: Session) -> None:
        seen.append(id(session.connection().connection.dbapi_connection))
        session.execute(text("SELECT 1"))

    try:
        fill_pool(engine, 3, warm)
        assert len(set(seen)) == 3  # three distinct database connections
        assert isinstance(engine.pool, QueuePool)
        assert engine.pool.checkedin() == 3  # all back in the pool, still open
    finally:
        engine.dispose()


def test_the_servers_warm_up_leaves_nothing_behind(database_url: str) -> None:
    engine = create_engine(Settings(database_url=database_url), pool_size=2)
    try:
        fill_pool(engine, 2, serve.warm_up)  # every table and hot statement, rolled back
        with engine.connect() as connection:
            for table in ("environment_type", "environment", "booking", "audit_entry"):
                count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                assert count == 0, f"the warm-up left {count} rows in {table}"
    finally:
        engine.dispose()


def test_the_warm_up_goes_through_while_a_freeze_covers_every_type(database_url: str) -> None:
    engine = create_engine(Settings(database_url=database_url), pool_size=1)
    today = dt.datetime.now(dt.UTC).date()  # the warm-up books on the server's today
    week = dt.timedelta(days=7)
    try:
        with Session(engine) as session:
            session.add(Freeze(name="year end", start=today - week, end=today + week))
            session.commit()
        fill_pool(engine, 1, serve.warm_up)
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM booking")).scalar()
            assert count == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("server", "options"),
    [
        ("waitress", ["--threads=2"]),
        ("gunicorn", ["--workers=2", "--threads=2"]),
    ],
)
def test_envsched_serve_books_answers_clashes_and_stops(
    server: str,
    options: list[str],
    database_url: str,
    sessions: SessionFactory,
    token_headers: Callable[..., dict[str, str]],
) -> None:
    inventory.create_environment_type(sessions, "UAT", actor=None, now=NOW)
    inventory.create_environment(
        sessions, EnvironmentIn(name="UAT-1", type="UAT"), actor=None, now=NOW
    )
    headers = {**token_headers("environment_manager"), "Content-Type": "application/json"}
    body = json.dumps({"environment": "UAT-1", "start": "2027-06-07", "end": "2027-06-11"})
    with running(server, options, database_url) as port:
        first = request(port, "POST", "/api/v1/bookings", body, headers)
        second = request(port, "POST", "/api/v1/bookings", body, headers)
        listed = request(port, "GET", "/api/v1/bookings?environment=UAT-1", None, headers)
    assert first[0] == 201 and first[1]["environment"] == "UAT-1"
    assert second[0] == 409 and second[1]["error"]["code"] == "booking_conflict"
    assert listed[0] == 200 and [b["id"] for b in listed[1]["items"]] == [first[1]["id"]]


# -- helpers -------------------------------------------------------------------------------


@contextmanager
def running(
    server: str,
    options: list[str],
    database_url: str,
    *,
    port: int = 0,
    environment: dict[str, str | None] | None = None,
) -> Iterator[int]:
    """``envsched serve`` in a subprocess on ``port`` (a free one if 0; yielded); SIGTERM
    afterwards must stop it, gunicorn's master with its workers, within 15 s.
    ``environment`` adds variables, or with None removes them."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "envsched",
        "serve",
        f"--server={server}",
        *options,
        "--host=127.0.0.1",
        f"--port={port}",
    ]
    chosen = {
        **os.environ,
        "ENVSCHED_DATABASE_URL": database_url,
        "ENVSCHED_SECRET_KEY": "serve-test",
        **(environment or {}),
    }
    env = {name: value for name, value in chosen.items() if value is not None}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(process, port)
        yield port
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"envsched serve exited with {process.returncode}"
        try:
            if request(port, "GET", "/api/openapi.json", None, {})[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"envsched serve did not answer within {START_TIMEOUT_S} s")


def request(
    port: int, method: str, path: str, body: str | None, headers: dict[str, str]
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        connection.close()
