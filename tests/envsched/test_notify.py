"""Notifications against a local SMTP sink and a local webhook receiver (the true edges)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from envsched.db import SessionFactory
from envsched.models import AuditEntry, BookingStatus, NotificationCursor, Role
from envsched.services.booking import approve_request
from envsched.services.notify import (
    AUDIT_CURSOR,
    SIGNATURE_HEADER,
    Notifier,
    deliveries,
    verify,
)
from envsched.services.notify_events import Event
from envsched.settings import Settings
from tests.envsched.factories import DAY0, NOW, Factory
from tests.envsched.test_replan import DAY, run_round

SECRET = "s3cret"
EVENT = Event(name="round.clashes", subject="1 new clash", text="UAT-1 overbooked",
              payload={"event": "round.clashes", "run": 1})


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message: every message lands in ``server.messages``."""

    def handle(self) -> None:
        self.reply("220 sink ready")
        while line := self.rfile.readline().decode():
            verb = line[:4].upper()
            if verb == "DATA":
                self.reply("354 go on")
                self.server.messages.append(self.read_data())  # type: ignore[attr-defined]
                self.reply("250 stored")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")

    def read_data(self) -> str:
        lines = []
        while (line := self.rfile.readline().decode()) != ".\r\n":
            lines.append(line)
        return "".join(lines)

    def reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


class FlakyReceiver(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first ``server.failures`` posts, then 204; keeps what it got."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server: Any = self.server
        server.received.append((body, self.headers[SIGNATURE_HEADER]))
        status = 503 if len(server.received) <= server.failures else 204
        self.send_response(status)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def smtp() -> Iterator[Any]:
    server: Any = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver() -> Iterator[Any]:
    server: Any = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyReceiver)
    server.received, server.failures = [], 2
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def webhook_settings(receiver: Any) -> Settings:
    return Settings(webhook_urls=(f"http://127.0.0.1:{receiver.server_port}/hook",),
                    webhook_secret=SECRET)


def test_a_failing_webhook_is_retried_with_backoff_and_every_attempt_logged(
        sessions: SessionFactory, receiver: Any) -> None:
    waits: list[float] = []
    Notifier(webhook_settings(receiver), sleep=waits.append).send(sessions, EVENT, [], NOW)
    assert waits == [1.0, 2.0]  # exponential: 1 s, then 2 s
    logged = deliveries(sessions)
    assert [(d.attempt, d.ok, d.status_code) for d in logged] == [
        (1, False, 503), (2, False, 503), (3, True, 204)]
    assert all(d.channel.value == "webhook" and d.event == "round.clashes" for d in logged)


def test_webhook_bodies_are_signed_with_hmac_sha256(sessions: SessionFactory,
                                                    receiver: Any) -> None:
    receiver.failures = 0
    Notifier(webhook_settings(receiver), sleep=lambda _s: None).send(sessions, EVENT, [], NOW)
    [(body, signature)] = receiver.received
    assert json.loads(body) == EVENT.payload
    assert verify(body, SECRET, signature)
    assert not verify(body, "another secret", signature)
    assert not verify(body.replace(b"1", b"2"), SECRET, signature)


def test_a_webhook_that_never_answers_well_gives_up_after_its_attempts(
        sessions: SessionFactory, receiver: Any) -> None:
    receiver.failures = 99
    Notifier(webhook_settings(receiver), attempts=3, sleep=lambda _s: None).send(
        sessions, EVENT, [], NOW)
    assert [d.ok for d in deliveries(sessions)] == [False, False, False]


def test_an_approved_request_is_mailed_to_its_requester(
        sessions: SessionFactory, smtp: Any, make_environment: Factory, make_user: Factory,
        make_request: Factory) -> None:
    make_environment()
    requester = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    request = make_request(requester)
    approve_request(sessions, request.id, actor=None, now=NOW)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.server_address[1])
    assert Notifier(settings).audit_events(sessions, NOW) >= 1
    [message] = smtp.messages
    assert "To: tess@example.test" in message and "approved" in message
    assert Notifier(settings).audit_events(sessions, NOW) == 0  # the cursor moved on
    assert len(smtp.messages) == 1


def test_a_round_with_a_new_clash_tells_the_managers_once(
        sessions: SessionFactory, smtp: Any, make_environment: Factory, make_user: Factory,
        make_phase: Factory, make_release: Factory, make_booking: Factory) -> None:
    make_user(role=Role.ENVIRONMENT_MANAGER, email="erin@example.test")
    env = make_environment()
    make_window(sessions, env)
    make_booking(env, phase_id=make_phase(make_release()).id, start=DAY0, end=DAY0 + 3 * DAY)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.server_address[1])
    run_round(sessions, settings=settings)
    run_round(sessions, settings=settings)  # the same clash again: nothing new to tell
    [message] = smtp.messages
    assert "To: erin@example.test" in message and "new clash" in message


def make_window(sessions: SessionFactory, env: Any) -> None:
    from tests.envsched import factories

    factories.make_window(sessions, env, start=DAY0 + DAY, end=DAY0 + 2 * DAY)


def test_the_owner_of_a_booking_a_round_moves_is_told(
        sessions: SessionFactory, smtp: Any, make_environment: Factory, make_user: Factory,
        make_phase: Factory, make_release: Factory, make_booking: Factory) -> None:
    owner = make_user(role=Role.TEST_MANAGER, email="otto@example.test")
    env = make_environment()
    lazy = make_release(key="R1", earliest_start=DAY0, due=DAY0 + 60 * DAY)
    urgent = make_release(key="R2", earliest_start=DAY0 + 10 * DAY, due=DAY0 + 15 * DAY)
    booking = make_booking(env, phase_id=make_phase(lazy).id, start=DAY0 + 10 * DAY,
                           end=DAY0 + 15 * DAY, status=BookingStatus.TENTATIVE,
                           created_by_id=owner.id)
    make_phase(urgent)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.server_address[1],
                        replan_auto_apply=True)
    run = run_round(sessions, settings=settings)
    assert run.applied
    [message] = [m for m in smtp.messages if "otto@example.test" in m]
    assert f"Booking {booking.id} moved from 14–18 Jan 2027 to " in message


def test_the_first_look_at_the_audit_log_starts_at_now_and_sends_no_history(
        sessions: SessionFactory, smtp: Any, make_environment: Factory, make_user: Factory,
        make_request: Factory) -> None:
    make_environment()
    requester = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    old, new = make_request(requester), make_request(requester)
    approve_request(sessions, old.id, actor=None, now=NOW - dt.timedelta(days=30))
    history = audit_ids(sessions)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.server_address[1])
    assert Notifier(settings).audit_events(sessions, NOW) == 0  # configured today
    assert smtp.messages == []
    with sessions() as session:
        assert session.get_one(NotificationCursor, AUDIT_CURSOR).last_id == max(history)
    approve_request(sessions, new.id, actor=None, now=NOW + dt.timedelta(minutes=1))
    assert Notifier(settings).audit_events(sessions, NOW + dt.timedelta(minutes=5)) >= 1
    [message] = smtp.messages
    assert "To: tess@example.test" in message and f"request {new.id}" in message.lower()


def audit_ids(sessions: SessionFactory) -> list[int]:
    with sessions() as session:
        return [entry.id or 0 for entry in session.exec(select(AuditEntry)).all()]
