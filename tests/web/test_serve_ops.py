"""``envsched serve`` for operators: an access log on both servers, ``/healthz`` without a
sign-in, and a gunicorn control socket per instance. Real servers in subprocesses."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from gunicorn.ctl.client import ControlClient  # type: ignore[import-untyped]

from tests.web.test_serve import ROOT, free_port, request, wait_until_up
from web.access_log import AccessLog
from web.serve import control_socket

# Serving does not depend on the database kind: SQLite only (the fixtures' other half).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=15) == 0

    def lines(self, fragment: str) -> list[str]:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if fragment in line]


@contextmanager
def serving(
    server: str, database_url: str, log: Path, *options: str, runtime_dir: Path | None = None
) -> Iterator[Server]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "envsched",
        "serve",
        f"--server={server}",
        "--workers=1",
        "--threads=2",
        "--host=127.0.0.1",
        f"--port={port}",
        *options,
    ]
    env = {**os.environ, "ENVSCHED_DATABASE_URL": database_url, "ENVSCHED_SECRET_KEY": "serve-test"}
    if runtime_dir is not None:
        env["XDG_RUNTIME_DIR"] = str(runtime_dir)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)
    try:
        wait_until_up(process, port)
        yield Server(process, port, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
def test_each_request_is_one_line_of_the_access_log_and_healthz_needs_no_sign_in(
    server: str, database_url: str, tmp_path: Path
) -> None:
    with serving(server, database_url, tmp_path / "serve.log") as running:
        status, body = request(running.port, "GET", "/healthz?probe=lb", None, {})
        missing, _ = request(running.port, "GET", "/api/v1/bookings", None, {})
        running.stop()
    assert status == 200 and body["status"] == "ok"
    assert missing == 401
    assert len(running.lines('"GET /healthz" 200 ')) == 1  # the query string is left out
    [line] = running.lines('"GET /api/v1/bookings" 401 ')
    assert line.split()[-1].endswith("ms") and "envsched.access 127.0.0.1" in line


def test_the_access_log_can_be_turned_off(database_url: str, tmp_path: Path) -> None:
    with serving("waitress", database_url, tmp_path / "quiet.log", "--no-access-log") as running:
        assert request(running.port, "GET", "/healthz", None, {})[0] == 200
        running.stop()
    assert running.lines("/healthz") == []


def test_a_path_cannot_write_a_line_of_its_own_into_the_log(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.application.wsgi_app = AccessLog(client.application.wsgi_app)  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="envsched.access"):
        client.get("/healthz%0a127.0.0.1%20%22GET%20/admin%22%20200")
    [record] = caplog.records
    assert "\n" not in record.getMessage()
    assert '"GET /healthz%0A127.0.0.1%20%22GET%20/admin%22%20200" 404 ' in record.getMessage()


def test_two_gunicorn_instances_each_have_their_own_control_socket(
    database_url: str, tmp_path: Path
) -> None:
    with (
        serving("gunicorn", database_url, tmp_path / "one.log", runtime_dir=tmp_path) as one,
        serving("gunicorn", database_url, tmp_path / "two.log", runtime_dir=tmp_path) as two,
    ):
        sockets = [tmp_path / control_socket(s.process.pid).name for s in (one, two)]
        assert sockets[0] != sockets[1]
        assert all(path.is_socket() for path in sockets)
        assert one.lines(f"control socket: {sockets[0]}")
        one.stop()
        assert not sockets[0].exists()  # it removed its own socket, and only its own
        assert sockets[1].is_socket()
        with ControlClient(str(sockets[1])) as client:
            assert client.send_command("show workers")["count"] == 1
        two.stop()
