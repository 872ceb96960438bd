"""Webhook attempts: a signed ``POST`` of the event's JSON payload.

Every attempt carries three headers (the README's "Webhooks" says how to check them):

* ``X-Envsched-Delivery`` — the delivery's id, the same on every retry of it;
* ``X-Envsched-Timestamp`` — when this attempt was signed, in Unix seconds;
* ``X-Envsched-Signature`` — ``sha256=`` and the hex HMAC-SHA256, under
  ``ENVSCHED_WEBHOOK_SECRET``, of ``"{timestamp}.{delivery}."`` followed by the body.

The signature covers the timestamp and the id, so a receiver that refuses old
timestamps and ids it has seen cannot be fed a captured delivery again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request

from envsched.models import Delivery
from envsched.notify.outbox import Outcome

DELIVERY_HEADER = "X-Envsched-Delivery"
TIMESTAMP_HEADER = "X-Envsched-Timestamp"
SIGNATURE_HEADER = "X-Envsched-Signature"
EVENT_HEADER = "X-Envsched-Event"
TIMEOUT_S = 10


def sign(secret: str, timestamp: int, delivery: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC of what it covers."""
    signed = f"{timestamp}.{delivery}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True).encode()


def headers(delivery: Delivery, body: bytes, secret: str, at: dt.datetime) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        "Content-Type": "application/json",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.uid,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, delivery.uid, body),
    }


def post(delivery: Delivery, secret: str, at: dt.datetime) -> Outcome:
    """One attempt, signed at ``at``; ok for a 2xx answer."""
    body = body_of(delivery)
    request = urllib.request.Request(
        delivery.target, data=body, method="POST", headers=headers(delivery, body, secret, at)
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return Outcome(ok=True, status_code=answer.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Outcome(ok=False, status_code=exc.code, error=f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
