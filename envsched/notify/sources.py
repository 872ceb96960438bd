"""Where events come from, turned into queued deliveries (nothing is sent here).

* A finished round (``after_round``): clashes or shortfalls the previous round did not
  have go to the environment managers, ``ENVSCHED_NOTIFY_EMAIL`` and the webhooks.
* The audit log (``audit_events``): a booking moved by a plan (``replan_move``) or by
  hand, a request approved or rejected. The booking services are not changed for this:
  the reader walks the audit log from its cursor (``notification_cursor``), so what it
  reports has been committed. The cursor starts at the reader's first look: what was
  recorded before then is history, never sent.

Each queues its deliveries in one transaction with the cursor's move, the cursor row
locked, so two readers at once (a round and the scheduler's job) never queue an entry
twice and a reader that fails half-way queues nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import (
    AuditEntry,
    NotificationCursor,
    PlanRun,
    PlanRunStatus,
    Role,
    User,
)
from envsched.models.round_results import RoundFlags
from envsched.notify.events import audit_event, concerned_user, round_events
from envsched.notify.outbox import enqueue_event
from envsched.settings import Settings

AUDIT_CURSOR = "audit"
# Rounds whose flags count: a failed round still saw the clashes that may have failed it.
FLAGGING = (PlanRunStatus.DONE, PlanRunStatus.FAILED)


@dataclass
class Notifier:
    """Queues what a round found and what the audit log holds, for the channels
    ``settings`` configures. ``replan`` calls ``after_round`` under the round lock:
    it only writes rows, so the lock is not held for any sending."""

    settings: Settings

    def after_round(self, sessions: SessionFactory, run: PlanRun, now: dt.datetime) -> None:
        previous = _previous_flags(sessions, run)
        with sessions.begin() as session:
            if run.status in FLAGGING:
                managers = manager_emails(session)
                for event in round_events(run, previous):
                    enqueue_event(session, event, managers, self.settings, now)
            self._queue_audit(session, now)

    def audit_events(self, sessions: SessionFactory, now: dt.datetime) -> int:
        """Queue what the audit log records since the cursor; returns how many entries."""
        with sessions.begin() as session:
            return self._queue_audit(session, now)

    def _queue_audit(self, session: Session, now: dt.datetime) -> int:
        cursor = _cursor(session, now)
        entries = list(
            session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.id) > cursor.last_id)
                .order_by(col(AuditEntry.id))
            ).all()
        )
        for entry in entries:
            event = audit_event(session, entry)
            if event is not None:
                user = concerned_user(session, entry)
                emails = [user.email] if user and user.email else []
                enqueue_event(session, event, emails, self.settings, now)
        if entries:
            cursor.last_id = entries[-1].id or cursor.last_id
        return len(entries)


def _previous_flags(sessions: SessionFactory, run: PlanRun) -> RoundFlags | None:
    with read_transaction(sessions) as session:
        previous = session.exec(
            select(PlanRun)
            .where(
                col(PlanRun.status).in_(FLAGGING),
                col(PlanRun.dry_run).is_(False),
                col(PlanRun.id) < (run.id or 0),
            )
            .order_by(col(PlanRun.id).desc())
        ).first()
        return previous.flags if previous else None


def managers(session: Session) -> list[User]:
    """The active environment managers (told of flags and outages), by id."""
    return list(
        session.exec(
            select(User)
            .where(User.role == Role.ENVIRONMENT_MANAGER, col(User.active).is_(True))
            .order_by(col(User.id))
        ).all()
    )


def manager_emails(session: Session) -> list[str]:
    """The addresses of the active environment managers (told of flags)."""
    return [u.email for u in managers(session) if u.email]


def _cursor(session: Session, now: dt.datetime) -> NotificationCursor:
    """The audit cursor, locked for this transaction. The first look starts it at the last
    entry recorded before ``now``: older history is not news, and mailing all of it
    would flood people."""
    cursor = session.get(
        NotificationCursor, AUDIT_CURSOR, with_for_update=True, populate_existing=True
    )
    if cursor is not None:
        return cursor
    latest = session.exec(select(func.max(AuditEntry.id)).where(col(AuditEntry.at) < now)).one()
    try:
        with session.begin_nested():
            session.add(NotificationCursor(name=AUDIT_CURSOR, last_id=latest or 0))
    except IntegrityError:
        pass  # another reader's first look made it meanwhile: take theirs, locked
    return session.get_one(
        NotificationCursor, AUDIT_CURSOR, with_for_update=True, populate_existing=True
    )
