"""Telling people: email over SMTP and signed webhooks, every delivery attempt logged.

Two sources of events:

* a finished round (``after_round``): clashes or shortfalls the previous round did not
  have go to the environment managers, ``ENVSCHED_NOTIFY_EMAIL`` and the webhooks;
* the audit log (``audit_events``): a booking moved by a plan (``replan_move``), a request
  approved or rejected. The booking services are not changed for this: the reader walks
  the audit log from its cursor (``notification_cursor``), so what it reports has been
  committed. ``after_round`` and the scheduler's notify job run it. The cursor starts
  at the reader's first look: what was recorded before then is history, never sent.

Webhooks are ``POST`` JSON, signed ``X-Envsched-Signature: sha256=<hex>`` with
HMAC-SHA256 of the exact body under ``ENVSCHED_WEBHOOK_SECRET``, and retried with
exponential backoff on a network error or a non-2xx answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import (
    AuditEntry,
    DeliveryChannel,
    NotificationCursor,
    NotificationDelivery,
    PlanRun,
    PlanRunStatus,
    Role,
    User,
)
from envsched.services.notify_events import Event, audit_event, concerned_user, round_events
from envsched.settings import Settings

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Envsched-Signature"
AUDIT_CURSOR = "audit"
TIMEOUT_S = 10
# Rounds whose flags count: a failed round still saw the clashes that may have failed it.
FLAGGING = (PlanRunStatus.DONE, PlanRunStatus.FAILED)


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    return hmac.compare_digest(sign(body, secret), signature)


@dataclass
class Notifier:
    """Sends events by the channels ``settings`` configures; ``sleep`` is the backoff's clock."""

    settings: Settings
    attempts: int = 4
    backoff_s: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def after_round(self, sessions: SessionFactory, run: PlanRun, now: dt.datetime) -> None:
        if run.status in FLAGGING:
            for event in round_events(run, _previous_flags(sessions, run)):
                self.send(sessions, event, _manager_emails(sessions), now)
        self.audit_events(sessions, now)

    def audit_events(self, sessions: SessionFactory, now: dt.datetime) -> int:
        """Send what the audit log records since the cursor; returns how many events."""
        entries, emails = _new_entries(sessions, _cursor(sessions, now))
        for entry in entries:
            event = audit_event(entry)
            if event is not None:
                self.send(sessions, event, emails.get(entry.id or 0, []), now)
        if entries:
            _move_cursor(sessions, entries[-1].id or 0)
        return len(entries)

    def send(self, sessions: SessionFactory, event: Event, emails: Iterable[str],
             now: dt.datetime) -> None:
        extra = [a.strip() for a in self.settings.notify_email.split(",") if a.strip()]
        if self.settings.smtp_host:
            for address in sorted({*emails, *extra}):
                self._email(sessions, event, address, now)
        for url in self.settings.webhook_urls:
            self._webhook(sessions, event, url, now)

    def _email(self, sessions: SessionFactory, event: Event, address: str,
               now: dt.datetime) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.settings.smtp_from, address
        message["Subject"] = event.subject
        message.set_content(event.text)
        try:
            with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port,
                              timeout=TIMEOUT_S) as smtp:
                smtp.send_message(message)
            error = ""
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        _log(sessions, now, DeliveryChannel.EMAIL, address, event, 1, None, error)

    def _webhook(self, sessions: SessionFactory, event: Event, url: str,
                 now: dt.datetime) -> None:
        body = json.dumps(event.payload, sort_keys=True).encode()
        for attempt in range(1, self.attempts + 1):
            status, error = _post(url, body, sign(body, self.settings.webhook_secret))
            _log(sessions, now, DeliveryChannel.WEBHOOK, url, event, attempt, status, error)
            if not error:
                return
            if attempt < self.attempts:
                self.sleep(self.backoff_s * 2 ** (attempt - 1))
        log.warning("webhook %s gave up on %s after %s attempts", url, event.name, self.attempts)


def _post(url: str, body: bytes, signature: str) -> tuple[int | None, str]:
    """(HTTP status, error text); the error is empty for a 2xx answer."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: signature})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _log(sessions: SessionFactory, now: dt.datetime, channel: DeliveryChannel, target: str,
         event: Event, attempt: int, status: int | None, error: str) -> None:
    with sessions.begin() as session:
        session.add(NotificationDelivery(at=now, channel=channel, target=target,
                                         event=event.name, attempt=attempt, ok=not error,
                                         status_code=status, error=error[:2000],
                                         payload=event.payload))


def deliveries(sessions: SessionFactory) -> list[NotificationDelivery]:
    """Every delivery attempt, oldest first."""
    with read_transaction(sessions) as session:
        query = select(NotificationDelivery).order_by(col(NotificationDelivery.id))
        return list(session.exec(query).all())


# -- who and what ---------------------------------------------------------------------------

def _previous_flags(sessions: SessionFactory, run: PlanRun) -> dict[str, Any] | None:
    with read_transaction(sessions) as session:
        previous = session.exec(select(PlanRun).where(
            col(PlanRun.status).in_(FLAGGING), col(PlanRun.dry_run).is_(False),
            col(PlanRun.id) < (run.id or 0)).order_by(col(PlanRun.id).desc())).first()
        return previous.flags if previous else None


def _manager_emails(sessions: SessionFactory) -> list[str]:
    with read_transaction(sessions) as session:
        managers = session.exec(select(User).where(
            User.role == Role.ENVIRONMENT_MANAGER, col(User.active).is_(True))).all()
        return [u.email for u in managers if u.email]


def _cursor(sessions: SessionFactory, now: dt.datetime) -> int:
    """The last audit entry handled. The first look starts it at the last entry recorded
    before ``now``: older history is not news, and mailing all of it would flood people."""
    with sessions.begin() as session:
        cursor = session.get(NotificationCursor, AUDIT_CURSOR)
        if cursor is None:
            latest = session.exec(select(func.max(AuditEntry.id))
                                  .where(col(AuditEntry.at) < now)).one()
            cursor = NotificationCursor(name=AUDIT_CURSOR, last_id=latest or 0)
            session.add(cursor)
        return cursor.last_id


def _new_entries(sessions: SessionFactory,
                 last: int) -> tuple[list[AuditEntry], dict[int, list[str]]]:
    """Audit entries after ``last``, and the address of whom each one concerns."""
    with read_transaction(sessions) as session:
        entries = list(session.exec(select(AuditEntry).where(col(AuditEntry.id) > last)
                                    .order_by(col(AuditEntry.id))).all())
        emails = {}
        for entry in entries:
            user = concerned_user(session, entry)
            emails[entry.id or 0] = [user.email] if user and user.email else []
    return entries, emails


def _move_cursor(sessions: SessionFactory, last_id: int) -> None:
    with sessions.begin() as session:
        cursor = session.get(NotificationCursor, AUDIT_CURSOR)
        if cursor is None:
            session.add(NotificationCursor(name=AUDIT_CURSOR, last_id=last_id))
        else:
            cursor.last_id = max(cursor.last_id, last_id)
