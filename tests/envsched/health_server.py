"""A real HTTP server on 127.0.0.1 for the health probes to look at: it answers every
``GET`` with the status it is told (``server.status``), or waits ``server.delay``
seconds first, and can be stopped (its port then refuses connections) and started
again on the same port."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        owner: HealthServer = self.server.owner  # type: ignore[attr-defined]
        owner.hits += 1
        if owner.delay:
            time.sleep(owner.delay)
        self.send_response(owner.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
        pass


class HealthServer:
    def __init__(self) -> None:
        self.status, self.delay, self.hits, self.port = 200, 0.0, 0, 0
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/health"

    def start(self) -> None:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Answer)
        server.daemon_threads = True
        server.owner = self  # type: ignore[attr-defined]
        self.port, self._server = server.server_address[1], server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def health_server() -> Iterator[HealthServer]:
    server = HealthServer()
    server.start()
    yield server
    server.stop()
