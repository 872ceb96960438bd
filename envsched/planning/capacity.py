"""Capacity per environment type per ISO week: demand, supply and shortfall in env-days.

The stored state as the forecast's ``Outlook`` (``forecast`` holds the rule, shared with
what-ifs): every live booking on its own dates; the phases of open releases, each
waiting for its release's and its own earliest start and for the phases before it; the
open requests that serve no phase (``open_requests``: a request for a phase is that
phase's demand, counted with its release); environments that are available, closed by
their maintenance windows and the freezes of their type. Environments in maintenance,
down or retired give nothing (a status has no end date to plan around).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import attrgetter
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput
from envsched.models import (
    LIVE_STATUSES,
    OPEN_RELEASE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
)
from envsched.planning.forecast import (
    Asked,
    Held,
    Outlook,
    Step,
    Usable,
    demand,
    monday,
    supply,
    week_days,
)
from envsched.state_cache import remember

__all__ = ["COLUMNS", "capacity_report", "held_by", "monday", "open_requests", "stored_outlook"]

COLUMNS = ["type", "week_start", "demand_days", "supply_days", "shortfall_days"]


def capacity_report(
    sessions: SessionFactory, start: dt.date, weeks: int = 12, type_name: str | None = None
) -> pd.DataFrame:
    """One row per type (or just ``type_name``) and week, from the week holding ``start``
    (kept until the stored state changes; each caller gets its own copy)."""
    if weeks < 1:
        raise InvalidInput("weeks", f"must be at least 1, got {weeks}")
    with read_transaction(sessions) as session:
        kept = remember(
            session,
            "capacity",
            lambda s: _report(s, monday(start), weeks, type_name),
            monday(start),
            weeks,
            type_name,
        )
    return kept.copy()


def _report(session: Session, first: dt.date, weeks: int, type_name: str | None) -> pd.DataFrame:
    days = week_days(first, weeks)
    types = _type_names(session, type_name)
    outlook = remember(session, "outlook", stored_outlook)  # frozen: safe to share
    wanted, given = demand(outlook, days), supply(outlook, days)
    return _frame([(t, week, wanted[t, week], given[t, week]) for t in types for week in days[::7]])


def stored_outlook(session: Session) -> Outlook:
    """The stored state as the forecast counts it, inside the caller's transaction: plain
    columns, each table read once (an enterprise has thousands of phases)."""
    return Outlook(
        usable=_usable(session),
        held=_live_held(session),
        steps=_open_steps(session),
        asked=open_requests(session),
    )


def _live_held(session: Session) -> tuple[Held, ...]:
    return tuple(
        Held(type_name, start, end, phase, environment)
        for type_name, start, end, phase, environment in session.execute(_LIVE_HELD).all()
    )


def _open_steps(session: Session) -> tuple[Step, ...]:
    """The phases of open releases, each release's in their order."""
    rows = session.execute(_OPEN_PHASES).all()
    return tuple(
        step
        for _release, phases in groupby(rows, key=attrgetter("release_id"))
        for step in _steps(list(phases))
    )


def held_by(booking: Booking) -> Held:
    return Held(
        booking.environment.type.name,
        booking.start,
        booking.end,
        booking.phase.key if booking.phase else None,
        booking.environment.name,
    )


def _frame(rows: Sequence[tuple[str, dt.date, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "type": pd.Series([r[0] for r in rows], dtype="str"),
            "week_start": pd.to_datetime(pd.Series([r[1] for r in rows], dtype="object")),
            "demand_days": pd.Series([r[2] for r in rows], dtype="int64"),
            "supply_days": pd.Series([r[3] for r in rows], dtype="int64"),
        }
    )
    frame["shortfall_days"] = (frame["demand_days"] - frame["supply_days"]).clip(lower=0)
    return frame[COLUMNS]


def _type_names(session: Session, wanted: str | None) -> list[str]:
    names = list(
        session.exec(select(EnvironmentType.name).order_by(col(EnvironmentType.name))).all()
    )
    if wanted is None:
        return names
    if wanted not in names:
        raise InvalidInput(
            "type", f"no environment type {wanted!r} (types: {', '.join(names) or 'none'})"
        )
    return [wanted]


def _usable(session: Session) -> tuple[Usable, ...]:
    envs = session.execute(
        sa.select(col(Environment.id), col(EnvironmentType.name), col(Environment.capacity))
        .join(EnvironmentType, col(Environment.type_id) == col(EnvironmentType.id))
        .where(col(Environment.status) == EnvironmentStatus.AVAILABLE)
    ).all()
    windows: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for env_id, start, end in session.execute(
        sa.select(
            col(MaintenanceWindow.environment_id),
            col(MaintenanceWindow.start),
            col(MaintenanceWindow.end),
        )
    ).all():
        windows[env_id].append((start, end))
    freezes = session.exec(select(Freeze)).all()
    return tuple(
        Usable(
            type_name,
            capacity,
            tuple(windows[env_id] + [(f.start, f.end) for f in freezes if f.covers(type_name)]),
        )
        for env_id, type_name, capacity in envs
    )


def _steps(phases: Sequence[Any]) -> Iterable[Step]:
    """Each phase of one release (rows of ``_OPEN_PHASES``, in order), waiting for its
    release's start, its own, and ``after`` (or else the phase before it) plus its gap."""
    previous: list[str] = []
    for phase in phases:
        waits = list(phase.after) if phase.after is not None else previous
        starts = [d for d in (phase.release_start, phase.earliest_start) if d]
        yield Step(
            phase.key,
            phase.type,
            phase.duration_days,
            max(starts) if starts else None,
            tuple((key, phase.gap_days) for key in waits),
        )
        previous = [phase.key]


def open_requests(session: Session) -> tuple[Asked, ...]:
    """Open requests for no phase, each at its earliest start; the one rule of which open
    requests are demand of their own (a phase's request is its phase's demand)."""
    requests = session.exec(
        select(BookingRequest)
        .where(
            col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES),
            col(BookingRequest.phase_id).is_(None),
        )
        .order_by(col(BookingRequest.id))
    ).all()
    asked = [(r, _request_type(session, r)) for r in requests]
    return tuple(
        Asked(type_name, r.earliest_start, r.duration_days, f"request {r.id}")
        for r, type_name in asked
        if type_name is not None
    )


def _request_type(session: Session, request: BookingRequest) -> str | None:
    if request.environment_type_id is not None:
        return session.get_one(EnvironmentType, request.environment_type_id).name
    first = session.exec(
        select(Environment).where(col(Environment.name).in_(request.environments or []))
    ).first()
    return first.type.name if first else None


_LIVE_HELD: Any = (
    sa.select(
        col(EnvironmentType.name),
        col(Booking.start),
        col(Booking.end),
        col(Phase.key),
        col(Environment.name),
    )
    .select_from(Booking)
    .join(Environment, col(Booking.environment_id) == col(Environment.id))
    .join(EnvironmentType, col(Environment.type_id) == col(EnvironmentType.id))
    .outerjoin(Phase, col(Booking.phase_id) == col(Phase.id))
    .where(col(Booking.status).in_(LIVE_STATUSES))
    .order_by(col(Booking.id))
)
_OPEN_PHASES: Any = (
    sa.select(
        col(Phase.release_id),
        col(Release.earliest_start).label("release_start"),
        col(Phase.key),
        col(EnvironmentType.name).label("type"),
        col(Phase.duration_days),
        col(Phase.earliest_start),
        col(Phase.after),
        col(Phase.gap_days),
    )
    .select_from(Phase)
    .join(Release, col(Phase.release_id) == col(Release.id))
    .join(EnvironmentType, col(Phase.type_id) == col(EnvironmentType.id))
    .where(col(Release.status).in_(OPEN_RELEASE_STATUSES))
    .order_by(col(Phase.release_id), col(Phase.position))
)
