"""Telling people: events queued as deliveries in the database, sent after they commit.

1. An event (``events``: a name, mail subject and text, a JSON payload) is queued with
   ``enqueue_event(session, event, emails, settings, now)`` in the transaction of what
   caused it: one ``Delivery`` per mail address and webhook URL. ``sources`` does this
   for a round's new flags and for the audit log; a feature with events of its own
   calls ``enqueue_event`` the same way.
2. ``send_due`` makes one attempt at each due delivery, outside any lock: the scheduler
   process every minute, ``envsched notify send-due``, and right after a round (the
   CLI, the scheduler, "Re-plan now" on its thread) as a best effort.
3. A failed attempt is tried again after ``ENVSCHED_DELIVERY_RETRY_SECONDS``, doubling
   each time (at most an hour), until it succeeds or its next try would fall past
   ``ENVSCHED_DELIVERY_MAX_AGE_HOURS`` after it was queued: then it is expired, and
   admins see it on the deliveries page (``failed_deliveries``).

Delivery is at least once: a sender that dies between the attempt and its record leaves
a claim that runs out, and the delivery is sent again with the same id. Webhook
receivers tell a resent delivery (and a replayed one) by that id (``webhook``).
"""

from envsched.notify.events import Event, asked_words, booker, tell_in_app
from envsched.notify.inbox import (
    NotificationRow,
    deliver,
    mark_past_read,
    mark_read,
    notifications,
    told,
    unread_count,
)
from envsched.notify.outbox import Outcome, enqueue_event, retry_wait
from envsched.notify.queries import attempts_of, failed_deliveries, queued
from envsched.notify.sender import send_due, utc_now
from envsched.notify.sources import AUDIT_CURSOR, Notifier, manager_emails, managers
from envsched.notify.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = [
    "AUDIT_CURSOR",
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Event",
    "NotificationRow",
    "Notifier",
    "Outcome",
    "asked_words",
    "attempts_of",
    "booker",
    "deliver",
    "enqueue_event",
    "failed_deliveries",
    "manager_emails",
    "managers",
    "mark_past_read",
    "mark_read",
    "notifications",
    "queued",
    "retry_wait",
    "send_due",
    "sign",
    "tell_in_app",
    "told",
    "unread_count",
    "utc_now",
]
