"""Rows with sensible defaults, written straight to the database for test set-up.

Factories bypass the services on purpose: tests of clashes and reports need states
the services would refuse (an overbooked day, a booking inside a freeze). Each takes
a session factory and keyword overrides, commits, and returns the stored row.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel, select

from envsched.db import SessionFactory
from envsched.models import (
    Booking,
    BookingRequest,
    Component,
    Environment,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    Phase,
    PlanRun,
    Release,
    Role,
    User,
)
from envsched.models.round_results import RoundDiff, RoundFlags

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
DAY0 = dt.date(2027, 1, 4)
_serial = itertools.count(1)
Row = TypeVar("Row", bound=SQLModel)
Factory = Callable[..., Any]  # a factory fixture: keyword overrides in, stored row out


def _save(sessions: SessionFactory, row: Row) -> Row:
    with sessions.begin() as session:
        session.add(row)
    return row


def type_id(session: Session, name: str) -> int:
    """Id of environment type ``name``, created on first use."""
    found = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
    if found is None:
        found = EnvironmentType(name=name)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


def make_environment_type(sessions: SessionFactory, name: str = "UAT") -> EnvironmentType:
    with sessions.begin() as session:
        row = session.get_one(EnvironmentType, type_id(session, name))
    return row


def make_environment(sessions: SessionFactory, **overrides: Any) -> Environment:
    """An available capacity-1 ``UAT`` environment named ``UAT-<n>`` unless overridden."""
    type_name = overrides.pop("type", "UAT")
    components = overrides.pop("components", {})
    fields: dict[str, Any] = {"name": f"{type_name}-{next(_serial)}", **overrides}
    with sessions.begin() as session:
        env = Environment(type_id=type_id(session, type_name), **fields)
        session.add(env)
        session.flush()
        assert env.id is not None
        session.add_all(
            Component(environment_id=env.id, name=k, version=v) for k, v in components.items()
        )
    return env


def make_window(
    sessions: SessionFactory, environment: Environment, **overrides: Any
) -> MaintenanceWindow:
    fields: dict[str, Any] = {
        "start": DAY0,
        "end": DAY0 + dt.timedelta(days=2),
        "reason": "patching",
        **overrides,
    }
    assert environment.id is not None
    return _save(sessions, MaintenanceWindow(environment_id=environment.id, **fields))


def make_freeze(sessions: SessionFactory, **overrides: Any) -> Freeze:
    fields: dict[str, Any] = {
        "name": "freeze",
        "start": DAY0,
        "end": DAY0 + dt.timedelta(days=7),
        "types": [],
        **overrides,
    }
    return _save(sessions, Freeze(**fields))


def make_user(sessions: SessionFactory, **overrides: Any) -> User:
    fields: dict[str, Any] = {
        "name": f"user{next(_serial)}",
        "role": Role.ENVIRONMENT_MANAGER,
        "created_at": NOW,
        **overrides,
    }
    return _save(sessions, User(**fields))


def make_release(sessions: SessionFactory, **overrides: Any) -> Release:
    fields: dict[str, Any] = {"key": f"R{next(_serial)}", "title": "a release", **overrides}
    return _save(sessions, Release(**fields))


def make_phase(sessions: SessionFactory, release: Release | None = None, **overrides: Any) -> Phase:
    """A 5-day ``UAT`` phase, appended to ``release`` (a new release if none is given)."""
    release = release or make_release(sessions)
    assert release.id is not None
    type_name = overrides.pop("type", "UAT")
    with sessions.begin() as session:
        position = len(session.exec(select(Phase).where(Phase.release_id == release.id)).all())
        fields: dict[str, Any] = {
            "key": f"{release.key}-{type_name}-{next(_serial)}",
            "duration_days": 5,
            "position": position,
            **overrides,
        }
        phase = Phase(release_id=release.id, type_id=type_id(session, type_name), **fields)
        session.add(phase)
    return phase


def make_request(
    sessions: SessionFactory, requester: User | None = None, **overrides: Any
) -> BookingRequest:
    """A flexible 5-day request for any ``UAT`` environment from ``DAY0`` on."""
    requester = requester or make_user(sessions, role=Role.TEST_MANAGER)
    assert requester.id is not None
    type_name = overrides.pop("type", "UAT")
    fields: dict[str, Any] = {
        "duration_days": 5,
        "earliest_start": DAY0,
        "created_at": NOW,
        **overrides,
    }
    with sessions.begin() as session:
        type_ref = type_id(session, type_name) if type_name else None
        request = BookingRequest(requester_id=requester.id, environment_type_id=type_ref, **fields)
        session.add(request)
    return request


def make_booking(
    sessions: SessionFactory, environment: Environment | None = None, **overrides: Any
) -> Booking:
    """A confirmed booking of days ``[DAY0, DAY0 + 5)``; no capacity check is made."""
    environment = environment or make_environment(sessions)
    assert environment.id is not None
    fields: dict[str, Any] = {
        "start": DAY0,
        "end": DAY0 + dt.timedelta(days=5),
        "exclusive": environment.capacity == 1,
        "created_at": NOW,
        "updated_at": NOW,
        **overrides,
    }
    return _save(sessions, Booking(environment_id=environment.id, **fields))


def diff_of(run: PlanRun) -> RoundDiff:
    """A finished round's diff (``None`` only while a round runs, or when refused)."""
    assert run.diff is not None, f"plan run {run.id} has no diff ({run.status})"
    return run.diff


def flags_of(run: PlanRun) -> RoundFlags:
    """A finished round's flags (``None`` only while a round runs, or when refused)."""
    assert run.flags is not None, f"plan run {run.id} has no flags ({run.status})"
    return run.flags


class _Stored(Protocol):
    id: int | None


def id_of(row: _Stored) -> int:
    """A stored row's id (``None`` only before it is written)."""
    assert row.id is not None, f"{type(row).__name__} is not stored yet"
    return row.id
