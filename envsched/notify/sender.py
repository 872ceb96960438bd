"""Sending what is due: claim a delivery, make one attempt, record it, next.

Never inside a transaction that holds anything: each claim and each record is a short
transaction of its own, and the attempt in between holds no lock, so a slow mail server
or a dead webhook keeps nobody else waiting. Nothing here sleeps: a failed attempt is
recorded with the time of its next try, and whichever sender runs then makes it.

``clock`` is read for every attempt, since a webhook's signature carries the moment it
was signed and receivers refuse old ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable

from envsched.claims import new_owner
from envsched.db import SessionFactory
from envsched.models import Delivery, DeliveryChannel, DeliveryStatus
from envsched.notify import mail, webhook
from envsched.notify.outbox import Outcome, claim_next, record
from envsched.settings import Settings

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
BATCH = 200  # at most this many attempts a call; the rest wait for the next one


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def send_due(
    sessions: SessionFactory, settings: Settings, clock: Clock = utc_now, batch: int = BATCH
) -> Counter[DeliveryStatus]:
    """Make one attempt at each delivery due now; how many ended in each status."""
    owner, report = new_owner(), Counter[DeliveryStatus]()
    for _ in range(batch):
        delivery = claim_next(sessions, owner, clock())
        if delivery is None:
            break
        outcome = attempt(delivery, settings, clock())
        status = record(sessions, delivery, owner, outcome, clock(), settings)
        if status is None:
            log.warning("delivery %s: its claim ran out during the attempt", delivery.uid)
        else:
            report[status] += 1
            _log_failure(delivery, outcome, status)
    return report


def attempt(delivery: Delivery, settings: Settings, at: dt.datetime) -> Outcome:
    if delivery.channel == DeliveryChannel.WEBHOOK:
        return webhook.post(delivery, settings.webhook_secret, at)
    if not settings.smtp_host:
        return Outcome(ok=False, error="no mail server: ENVSCHED_SMTP_HOST is not set")
    return mail.send_mail(delivery, settings)


def _log_failure(delivery: Delivery, outcome: Outcome, status: DeliveryStatus) -> None:
    if status == DeliveryStatus.EXPIRED:
        log.warning(
            "delivery %s (%s to %s) expired: %s",
            delivery.uid,
            delivery.event,
            delivery.target,
            outcome.error,
        )
    elif not outcome.ok:
        log.info(
            "delivery %s (%s to %s) failed, will be retried: %s",
            delivery.uid,
            delivery.event,
            delivery.target,
            outcome.error,
        )
