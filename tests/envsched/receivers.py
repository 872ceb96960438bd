"""The true edges of notifications, run for real by the tests: a webhook receiver on a
local HTTP server (in a thread), and a clock the tests move by hand.

``Receiver`` answers each POST with the status its ``answer`` function gives (503 for
the first ``failures`` posts, then 204, unless a test sets another), and keeps every
request it got: path, headers, body, and what ``observe`` saw when it arrived.
"""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest

from envsched.settings import Settings
from tests.envsched.factories import NOW

SECRET = "s3cret"


@dataclass
class Clock:
    """``now`` that only moves when a test moves it (senders read it per attempt)."""

    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Request:
    headers: Message  # case-insensitive, as a web framework hands them over
    body: bytes
    seen: Any = None


@dataclass
class ReceiverState:
    failures: int = 0
    requests: list[Request] = field(default_factory=list)
    observe: Callable[[], Any] | None = None
    answer: Callable[[Request], int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status_for(self, request: Request) -> int:
        if self.answer is not None:
            return self.answer(request)
        return 503 if len(self.requests) <= self.failures else 204


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        state: ReceiverState = self.server.state  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = Request(self.headers, body, state.observe() if state.observe else None)
        with state.lock:
            state.requests.append(request)
            status = state.status_for(request)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


class Receiver:
    def __init__(self) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.state = ReceiverState()
        self.server.state = self.state  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def requests(self) -> list[Request]:
        return self.state.requests

    def settings(self, **overrides: Any) -> Settings:
        return Settings(webhook_urls=(self.url,), webhook_secret=SECRET, **overrides)


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    running = Receiver()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()
