"""The delivery queue: what gets queued for an event, which sender works on which
delivery, and the retry rule.

* ``enqueue_event`` adds an event's deliveries to the caller's transaction, so they are
  committed with what caused them, or not at all; nothing is sent from inside it.
* ``claim_next`` gives a sender the oldest due delivery, never one another sender holds.
* ``record`` writes how an attempt went: delivered; or failed, to be tried again after
  ``retry_wait``; or failed with the next try beyond the delivery's max age: expired.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select, update

from envsched.db import SessionFactory
from envsched.models import Delivery, DeliveryChannel, DeliveryStatus, NotificationDelivery
from envsched.models.base import TEXT_LENGTH
from envsched.notify.events import Event
from envsched.settings import Settings

# How long a claim holds: far beyond one attempt (mail and HTTP time out after
# 10 s), so only a sender that died leaves a claim to run out, and its delivery is
# then tried again by another.
LEASE = dt.timedelta(minutes=10)
MAX_RETRY_WAIT = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: ``ok``, the answer's status code if any, the error if not."""

    ok: bool
    status_code: int | None = None
    error: str = ""


def enqueue_event(
    session: Session, event: Event, emails: Iterable[str], settings: Settings, now: dt.datetime
) -> list[Delivery]:
    """Queue ``event`` on every channel ``settings`` configures: a mail to each of
    ``emails`` and of ``ENVSCHED_NOTIFY_EMAIL`` (when a mail server is set), a POST to
    each of ``ENVSCHED_WEBHOOK_URLS``. Part of the caller's transaction."""
    rows = [
        _queued(event, channel, target, settings, now)
        for channel, target in targets(settings, emails)
    ]
    session.add_all(rows)
    return rows


def targets(settings: Settings, emails: Iterable[str]) -> list[tuple[DeliveryChannel, str]]:
    extra = [a.strip() for a in settings.notify_email.split(",") if a.strip()]
    mail = sorted({*emails, *extra}) if settings.smtp_host else []
    return [(DeliveryChannel.EMAIL, a) for a in mail] + [
        (DeliveryChannel.WEBHOOK, url) for url in settings.webhook_urls
    ]


def _queued(
    event: Event, channel: DeliveryChannel, target: str, settings: Settings, now: dt.datetime
) -> Delivery:
    return Delivery(
        uid=str(uuid.uuid4()),
        channel=channel,
        target=target,
        event=event.name,
        subject=event.subject[:TEXT_LENGTH],
        text=event.text,
        payload=event.payload,
        created_at=now,
        next_attempt_at=now,
        expires_at=now + dt.timedelta(hours=settings.delivery_max_age_hours),
    )


def claim_next(sessions: SessionFactory, owner: str, now: dt.datetime) -> Delivery | None:
    """The oldest delivery due at ``now``, claimed for ``owner``; None when none is due.

    Two senders never hold the same delivery: PostgreSQL locks the candidate row and
    skips rows another sender has locked (``FOR UPDATE SKIP LOCKED``); SQLite runs the
    transaction under its write lock (``BEGIN IMMEDIATE``); on both the claim itself is
    a conditional UPDATE that only an unclaimed row, or one whose claim ran out, matches."""
    with sessions.begin() as session:
        ident = session.exec(
            select(Delivery.id)
            .where(*_due(now))
            .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if ident is None:
            return None
        claimed = session.exec(
            update(Delivery)
            .where(col(Delivery.id) == ident, *_due(now))
            .values(claimed_by=owner, claimed_until=now + LEASE)
        )
        if claimed.rowcount != 1:
            return None
        return session.get_one(Delivery, ident, populate_existing=True)


def _due(now: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    unclaimed = or_(col(Delivery.claimed_by).is_(None), col(Delivery.claimed_until) < now)
    return (
        col(Delivery.status) == DeliveryStatus.PENDING,
        col(Delivery.next_attempt_at) <= now,
        unclaimed,
    )


def retry_wait(attempts: int, settings: Settings) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling, at most an hour."""
    wait = dt.timedelta(seconds=settings.delivery_retry_seconds * 2 ** (attempts - 1))
    return min(wait, MAX_RETRY_WAIT)


def record(
    sessions: SessionFactory,
    delivery: Delivery,
    owner: str,
    outcome: Outcome,
    now: dt.datetime,
    settings: Settings,
) -> DeliveryStatus | None:
    """Write ``outcome`` of ``owner``'s attempt and log it; the delivery's new status,
    or None when ``owner`` no longer held it (its claim ran out: nothing is written)."""
    with sessions.begin() as session:
        row = session.get(Delivery, delivery.id, with_for_update=True, populate_existing=True)
        if row is None or row.claimed_by != owner:
            return None
        row.attempts += 1
        row.last_attempt_at, row.last_status_code = now, outcome.status_code
        row.last_error = outcome.error[:TEXT_LENGTH]
        row.claimed_by = row.claimed_until = None
        _settle(row, outcome, now, settings)
        session.add(_logged(row, outcome, now))
        return row.status


def _settle(row: Delivery, outcome: Outcome, now: dt.datetime, settings: Settings) -> None:
    if outcome.ok:
        row.status, row.delivered_at = DeliveryStatus.DELIVERED, now
        return
    row.next_attempt_at = now + retry_wait(row.attempts, settings)
    if row.next_attempt_at > row.expires_at:
        row.status = DeliveryStatus.EXPIRED


def _logged(row: Delivery, outcome: Outcome, now: dt.datetime) -> NotificationDelivery:
    return NotificationDelivery(
        delivery_id=row.id,
        at=now,
        channel=row.channel,
        target=row.target,
        event=row.event,
        attempt=row.attempts,
        ok=outcome.ok,
        status_code=outcome.status_code,
        error=outcome.error[:TEXT_LENGTH],
        payload=row.payload,
    )
