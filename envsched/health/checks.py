"""The health check's verbs: set an environment's health URL, probe every URL and
record what each probe found.

``record_probe`` is the state machine, one short transaction per environment with its
health row locked: a probe that finds another state than the stored one starts a new
``since`` and a ``HealthChange`` (the history, kept to ``HISTORY_KEPT`` changes per
environment); an environment down for ``ENVSCHED_HEALTH_DOWN_MINUTES`` is flagged once
(``outages.flag``), and a flagged one that answers again is told of once
(``outages.tell_back_up``), as is one whose URL is changed or removed meanwhile
(``outages.tell_check_changed``): the outage ends there, so its people hear so. Each
probe records the worker's interval and down-minutes with it, for the pages. The probes
themselves run before, outside any transaction (``probe.probe_all``), so a slow host
holds no lock and delays no solve.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlmodel import Session, col, delete, select

from envsched import audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput
from envsched.health import outages
from envsched.health.probe import Probe, probe_all
from envsched.health.shapes import health_url
from envsched.inventory import environment_named
from envsched.models import (
    Environment,
    EnvironmentHealth,
    EnvironmentStatus,
    HealthChange,
    HealthState,
    User,
)
from envsched.permissions import require
from envsched.settings import Settings

log = logging.getLogger(__name__)
HISTORY_KEPT = 100  # changes of state kept per environment, the newest
Clock = Callable[[], dt.datetime]


def set_health_url(
    sessions: SessionFactory,
    name: str,
    url: str | None,
    *,
    actor: User | None,
    now: dt.datetime,
    settings: Settings,
) -> EnvironmentHealth | None:
    """Probe environment ``name`` at ``url`` from now on (empty: no more); a new or
    changed URL starts afresh, not checked yet, its history kept. A flagged outage ends
    with the old URL: the people it told are told so (``settings``: where mail and
    webhooks go)."""
    require(actor, "health:write")
    try:
        url = health_url(url)
    except ValueError as exc:
        raise InvalidInput("url", str(exc)) from None
    with sessions.begin() as session:
        env = environment_named(session, name, field="name")
        row = session.get(EnvironmentHealth, env.id, with_for_update=True)
        before = row.url if row else ""
        if url == before:
            return row
        if row is not None and row.flagged_at is not None:
            outages.tell_check_changed(session, row, url, actor, now, settings)
        row = _set(session, env, row, url, now)
        audit.record(
            session,
            actor=actor,
            now=now,
            action="update",
            row=env,
            before={"name": env.name, "health_url": before},
            after={"name": env.name, "health_url": url},
        )
    return row


def _set(
    session: Session, env: Environment, row: EnvironmentHealth | None, url: str, now: dt.datetime
) -> EnvironmentHealth | None:
    if not url:
        session.delete(row)
        return None
    row = row or EnvironmentHealth(environment_id=env.id or 0, url=url, since=now)
    row.url, row.state, row.since = url, HealthState.UNKNOWN, now
    row.checked_at, row.status_code, row.detail = None, None, ""
    row.flagged_at, row.told = None, []
    session.add(row)
    return row


def probe_environments(sessions: SessionFactory, settings: Settings, clock: Clock) -> int:
    """Probe every environment's health URL (retired ones are not), all at once, and
    record what each found; returns how many were probed."""
    with read_transaction(sessions) as session:
        targets = [
            (row.environment_id, row.url)
            for row, status in session.exec(
                select(EnvironmentHealth, Environment.status).join(
                    Environment, col(Environment.id) == EnvironmentHealth.environment_id
                )
            ).all()
            if status != EnvironmentStatus.RETIRED
        ]
    found = probe_all(targets, settings.health_timeout_seconds)
    now = clock()
    for environment_id, url in targets:
        record_probe(
            sessions, environment_id, url, found[environment_id], now=now, settings=settings
        )
    return len(targets)


def record_probe(
    sessions: SessionFactory,
    environment_id: int,
    url: str,
    found: Probe,
    *,
    now: dt.datetime,
    settings: Settings,
) -> HealthState | None:
    """Record that probing ``url`` found ``found`` at ``now``; the state it leaves the
    environment in, or None when the probe no longer counts (the URL was changed or
    removed meanwhile, or a later probe was recorded first)."""
    with sessions.begin() as session:
        row = session.get(
            EnvironmentHealth, environment_id, with_for_update=True, populate_existing=True
        )
        if row is None or row.url != url or (row.checked_at and row.checked_at > now):
            return None
        row.checked_at, row.status_code, row.detail = now, found.status_code, found.detail
        row.worker_interval_seconds = settings.health_interval_seconds
        row.worker_down_minutes = settings.health_down_minutes
        state = HealthState.UP if found.up else HealthState.DOWN
        if state != row.state:
            _change(session, row, state, now, settings)
        if row.state == HealthState.DOWN and row.flagged_at is None and _long(row, now, settings):
            log.warning("environment %s down since %s: flagged", environment_id, row.since)
            outages.flag(session, row, now, settings)
        return row.state


def _change(
    session: Session,
    row: EnvironmentHealth,
    state: HealthState,
    now: dt.datetime,
    settings: Settings,
) -> None:
    down_since, flagged = row.since, row.flagged_at is not None
    row.state, row.since = state, now
    session.add(
        HealthChange(
            environment_id=row.environment_id,
            at=now,
            state=state,
            status_code=row.status_code,
            detail=row.detail,
        )
    )
    session.flush()
    _trim(session, row.environment_id)
    if state == HealthState.UP and flagged:
        outages.tell_back_up(session, row, down_since, now, settings)


def _long(row: EnvironmentHealth, now: dt.datetime, settings: Settings) -> bool:
    return now - row.since >= dt.timedelta(minutes=settings.health_down_minutes)


def _trim(session: Session, environment_id: int) -> None:
    """Keep the newest ``HISTORY_KEPT`` changes of the environment."""
    kept = (
        select(HealthChange.id)
        .where(HealthChange.environment_id == environment_id)
        .order_by(col(HealthChange.at).desc(), col(HealthChange.id).desc())
        .limit(HISTORY_KEPT)
    )
    session.exec(
        delete(HealthChange).where(
            col(HealthChange.environment_id) == environment_id,
            col(HealthChange.id).not_in(kept.scalar_subquery()),
        )
    )
