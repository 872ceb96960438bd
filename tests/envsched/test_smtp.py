"""Mail through a real local SMTP server (aiosmtpd) that requires STARTTLS and a login,
with a certificate from a test CA (trustme): the message arrives; a wrong password, an
untrusted certificate or a server without STARTTLS fail the attempt, and nothing is
ever sent in clear or shows the password."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from envsched.db import SessionFactory
from envsched.models import DeliveryStatus
from envsched.notify import Event, enqueue_event, queued, send_due
from envsched.settings import Settings
from tests.envsched.factories import NOW
from tests.envsched.receivers import Clock

USER, PASSWORD = "mailer", "pa55-w0rd-not-to-be-seen"
EVENT = Event(
    name="request.approved",
    subject="envsched: Request 7 was approved",
    text="Request 7 was approved by erin.",
    payload={"event": "request.approved"},
)


@dataclass
class Inbox:
    """What the server accepted: each message with whether it came over TLS, logged in."""

    messages: list[tuple[str, list[str], bool, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (
                envelope.content.decode(),
                list(envelope.rcpt_tos),
                session.ssl is not None,
                bool(session.authenticated),
            )
        )
        return "250 Message accepted"


def check_login(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class MailServer:
    inbox: Inbox
    port: int
    ca_file: str

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_starttls": True,
            "smtp_ca_file": self.ca_file,
            "smtp_username": USER,
            "smtp_password": PASSWORD,
        }
        return Settings(**(values | overrides))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def serve(ca: trustme.CA, tmp_path: Path, starttls: bool) -> Iterator[MailServer]:
    options: dict[str, Any] = {}
    if starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        options = {
            "tls_context": context,
            "require_starttls": True,
            "authenticator": check_login,
            "auth_require_tls": True,
        }
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    yield MailServer(inbox, port, str(ca_file))
    controller.stop()


@pytest.fixture
def mail_server(ca: trustme.CA, tmp_path: Path) -> Iterator[MailServer]:
    yield from serve(ca, tmp_path, starttls=True)


@pytest.fixture
def plain_mail_server(ca: trustme.CA, tmp_path: Path) -> Iterator[MailServer]:
    yield from serve(ca, tmp_path, starttls=False)


def mail_once(sessions: SessionFactory, settings: Settings, clock: Clock) -> DeliveryStatus:
    with sessions.begin() as session:
        enqueue_event(session, EVENT, ["tess@example.test"], settings, NOW)
    [(status, count)] = send_due(sessions, settings, clock).items()
    assert count == 1
    return status


def test_mail_goes_over_starttls_with_a_login_and_arrives(
    sessions: SessionFactory, mail_server: MailServer, clock: Clock
) -> None:
    assert mail_once(sessions, mail_server.settings(), clock) == DeliveryStatus.DELIVERED
    [(content, recipients, over_tls, logged_in)] = mail_server.inbox.messages
    assert recipients == ["tess@example.test"] and over_tls and logged_in
    assert "Subject: envsched: Request 7 was approved" in content
    [delivery] = queued(sessions)
    assert f"{delivery.uid}" in content  # the Message-ID names the delivery


def test_a_wrong_password_fails_the_attempt_and_the_password_is_never_shown(
    sessions: SessionFactory,
    mail_server: MailServer,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = mail_server.settings(smtp_password="wrong-" + PASSWORD)
    assert mail_once(sessions, settings, clock) == DeliveryStatus.PENDING
    [delivery] = queued(sessions)
    assert delivery.last_status_code == 535 and "SMTPAuthenticationError" in delivery.last_error
    assert mail_server.inbox.messages == []
    for shown in (delivery.last_error, caplog.text, repr(settings), str(settings)):
        assert PASSWORD not in shown


def test_a_certificate_from_an_unknown_ca_fails_the_attempt(
    sessions: SessionFactory, mail_server: MailServer, clock: Clock
) -> None:
    assert mail_once(sessions, mail_server.settings(smtp_ca_file=""), clock) == (
        DeliveryStatus.PENDING
    )
    [delivery] = queued(sessions)
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert mail_server.inbox.messages == []


def test_a_server_without_starttls_gets_nothing_when_starttls_is_asked_for(
    sessions: SessionFactory, plain_mail_server: MailServer, clock: Clock
) -> None:
    settings = plain_mail_server.settings()
    assert mail_once(sessions, settings, clock) == DeliveryStatus.PENDING
    [delivery] = queued(sessions)
    assert "STARTTLS extension not supported" in delivery.last_error
    assert plain_mail_server.inbox.messages == []
