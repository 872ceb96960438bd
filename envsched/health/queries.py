"""Reads of environment health, for the pages and the API: one environment's health and
history, and which of some environments are down."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import orm
from sqlmodel import Session, col, select

from envsched.health.shapes import HealthChangeOut, HealthOut
from envsched.models import (
    Environment,
    EnvironmentHealth,
    EnvironmentStatus,
    HealthChange,
    HealthState,
)

RECENT = 20  # changes a page shows


@dataclass(frozen=True)
class WorkerSettings:
    """The probe interval and the minutes down before a flag, as the worker recorded them
    with a probe: what it uses, which the web process's own settings need not be."""

    interval_seconds: int
    down_minutes: int


def worker_settings(session: Session, environment_id: int | None = None) -> WorkerSettings | None:
    """What the worker recorded with its last probe of the environment, else with its
    last probe of any; None before its first probe."""
    recorded = select(EnvironmentHealth).where(
        col(EnvironmentHealth.worker_interval_seconds).is_not(None),
        col(EnvironmentHealth.worker_down_minutes).is_not(None),
    )
    own = session.exec(recorded.where(EnvironmentHealth.environment_id == environment_id)).first()
    row = own or session.exec(recorded.order_by(col(EnvironmentHealth.checked_at).desc())).first()
    if row is None or row.worker_interval_seconds is None or row.worker_down_minutes is None:
        return None
    return WorkerSettings(row.worker_interval_seconds, row.worker_down_minutes)


def health_of(session: orm.Session, environment_id: int) -> HealthOut | None:
    """Where the environment's health stands; None when it has no health URL (any
    session will do: the API's presenters find the one their row came from)."""
    row = session.get(EnvironmentHealth, environment_id)
    return None if row is None else HealthOut.model_validate(row, from_attributes=True)


def history_of(session: Session, environment_id: int, limit: int = RECENT) -> list[HealthChangeOut]:
    """The environment's latest changes of state, newest first."""
    rows = session.exec(
        select(HealthChange)
        .where(HealthChange.environment_id == environment_id)
        .order_by(col(HealthChange.at).desc(), col(HealthChange.id).desc())
        .limit(limit)
    ).all()
    return [HealthChangeOut.model_validate(r, from_attributes=True) for r in rows]


def down_among(session: Session, names: Collection[str] | None = None) -> dict[str, HealthOut]:
    """The environments in service (of ``names``; None: all) whose health check finds
    them down, by name, longest down first."""
    query = (
        select(Environment.name, EnvironmentHealth)
        .join(EnvironmentHealth, col(EnvironmentHealth.environment_id) == Environment.id)
        .where(
            EnvironmentHealth.state == HealthState.DOWN,
            Environment.status != EnvironmentStatus.RETIRED,  # no longer probed
        )
        .order_by(col(EnvironmentHealth.since), col(Environment.name))
    )
    if names is not None:
        query = query.where(col(Environment.name).in_(list(names)))
    return {
        name: HealthOut.model_validate(row, from_attributes=True)
        for name, row in session.exec(query).all()
    }
