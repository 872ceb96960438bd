"""What is worth telling reaches whom it concerns: approvals, a round's new clashes, moved
bookings, queued from the audit log and the round, then sent to a local SMTP sink."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from envsched.booking.bookings import approve_request
from envsched.db import SessionFactory
from envsched.models import AuditEntry, BookingStatus, NotificationCursor, Role
from envsched.notify import AUDIT_CURSOR, Notifier, send_due
from envsched.settings import Settings
from tests.envsched.factories import DAY0, NOW, Factory
from tests.envsched.test_replan import DAY, run_round


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


@pytest.fixture
def smtp() -> Iterator[Any]:
    server: Any = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def mail_settings(smtp: Any, **overrides: Any) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=smtp.server_address[1], **overrides)


def deliver(sessions: SessionFactory, settings: Settings) -> None:
    """What the scheduler (or the command line after a round) does: send what is due."""
    send_due(sessions, settings, lambda: NOW + dt.timedelta(minutes=10))


def test_an_approved_request_is_mailed_to_its_requester(
    sessions: SessionFactory,
    smtp: Any,
    make_environment: Factory,
    make_user: Factory,
    make_request: Factory,
) -> None:
    make_environment()
    requester = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    request = make_request(requester)
    approve_request(sessions, request.id, actor=None, now=NOW)
    settings = mail_settings(smtp)
    assert Notifier(settings).audit_events(sessions, NOW) >= 1
    assert smtp.messages == []  # queued, not sent
    deliver(sessions, settings)
    [message] = smtp.messages
    assert "To: tess@example.test" in message and "approved" in message
    assert Notifier(settings).audit_events(sessions, NOW) == 0  # the cursor moved on
    deliver(sessions, settings)
    assert len(smtp.messages) == 1


def test_a_round_with_a_new_clash_tells_the_managers_once(
    sessions: SessionFactory,
    smtp: Any,
    make_environment: Factory,
    make_user: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    make_user(role=Role.ENVIRONMENT_MANAGER, email="erin@example.test")
    env = make_environment()
    make_window(sessions, env)
    make_booking(env, phase_id=make_phase(make_release()).id, start=DAY0, end=DAY0 + 3 * DAY)
    settings = mail_settings(smtp)
    run_round(sessions, settings=settings)
    run_round(sessions, settings=settings)  # the same clash again: nothing new to tell
    deliver(sessions, settings)
    [message] = smtp.messages
    assert "To: erin@example.test" in message and "new clash" in message
    subject = next(line for line in message.splitlines() if line.startswith("Subject:"))
    # the round by its title, the count in words: no "plan run 1", no "clash(es)"
    assert re.fullmatch(
        r"Subject: envsched, Re-plan of \d+ \w+ \d{4}, \d\d:\d\d: 1 new clash", subject
    )


def make_window(sessions: SessionFactory, env: Any) -> None:
    from tests.envsched import factories

    factories.make_window(sessions, env, start=DAY0 + DAY, end=DAY0 + 2 * DAY)


def test_the_owner_of_a_booking_a_round_moves_is_told(
    sessions: SessionFactory,
    smtp: Any,
    make_environment: Factory,
    make_user: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    owner = make_user(role=Role.TEST_MANAGER, email="otto@example.test")
    env = make_environment()
    lazy = make_release(key="R1", earliest_start=DAY0, due=DAY0 + 60 * DAY)
    urgent = make_release(key="R2", earliest_start=DAY0 + 10 * DAY, due=DAY0 + 15 * DAY)
    phase = make_phase(lazy)
    booking = make_booking(
        env,
        phase_id=phase.id,
        start=DAY0 + 10 * DAY,
        end=DAY0 + 15 * DAY,
        status=BookingStatus.TENTATIVE,
        created_by_id=owner.id,
    )
    make_phase(urgent)
    settings = mail_settings(smtp, replan_auto_apply=True)
    run = run_round(sessions, settings=settings)
    assert run.applied
    deliver(sessions, settings)
    [message] = [m for m in smtp.messages if "otto@example.test" in m]
    mail = email.message_from_string(message, policy=email.policy.default)
    assert mail["Subject"] == f"envsched: {phase.key} moved"
    body = mail.get_body() if mail.is_multipart() else mail
    assert body is not None
    text = body.get_content()
    assert text.startswith(f"{phase.key} moved from {env.name}, 14–18 Jan 2027 to {env.name}, ")
    assert text.strip().endswith("by the nightly round.")
    assert f"Booking {booking.id}" not in text


def test_the_first_look_at_the_audit_log_starts_at_now_and_sends_no_history(
    sessions: SessionFactory,
    smtp: Any,
    make_environment: Factory,
    make_user: Factory,
    make_request: Factory,
) -> None:
    make_environment()
    requester = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    old, new = make_request(requester), make_request(requester)
    approve_request(sessions, old.id, actor=None, now=NOW - dt.timedelta(days=30))
    history = audit_ids(sessions)
    settings = mail_settings(smtp)
    assert Notifier(settings).audit_events(sessions, NOW) == 0  # configured today
    deliver(sessions, settings)
    assert smtp.messages == []
    with sessions() as session:
        assert session.get_one(NotificationCursor, AUDIT_CURSOR).last_id == max(history)
    approve_request(sessions, new.id, actor=None, now=NOW + dt.timedelta(minutes=1))
    assert Notifier(settings).audit_events(sessions, NOW + dt.timedelta(minutes=5)) >= 1
    deliver(sessions, settings)
    [message] = smtp.messages
    mail = email.message_from_string(message, policy=email.policy.default)
    assert mail["To"] == "tess@example.test"
    assert mail["Subject"].startswith("envsched: your request for ")
    assert mail["Subject"].endswith(" was approved")
    assert f"request {new.id}" not in message.lower()


def audit_ids(sessions: SessionFactory) -> list[int]:
    with sessions() as session:
        return [entry.id or 0 for entry in session.exec(select(AuditEntry)).all()]
