"""Reads of environment health, for the pages and the API: one environment's health and
history, and which of some environments are down."""

from __future__ import annotations

from collections.abc import Collection

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
