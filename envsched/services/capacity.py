"""Capacity per environment type per ISO week: demand, supply and shortfall in env-days.

* demand: the days live bookings hold, plus what is asked for but not booked yet —
  phases of open releases without a live booking, placed at their earliest start after
  their predecessors (booked or not), and open requests that serve no phase, at their
  earliest start. That is a forecast, not a plan: it shows where demand lands if every
  phase starts as soon as it may.
* supply: each usable environment gives its capacity on each day that is not in one of
  its maintenance windows or a freeze of its type. Environments in maintenance, down or
  retired give nothing (a status has no end date to plan around).
* shortfall: ``max(0, demand - supply)``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd
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
    Phase,
    Release,
)

COLUMNS = ["type", "week_start", "demand_days", "supply_days", "shortfall_days"]
DAY = dt.timedelta(days=1)
OPEN_RELEASES = OPEN_RELEASE_STATUSES
Tally = Counter[tuple[str, dt.date]]  # (type, Monday of the week) -> environment-days


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def capacity_report(sessions: SessionFactory, start: dt.date, weeks: int = 12,
                    type_name: str | None = None) -> pd.DataFrame:
    """One row per type (or just ``type_name``) and week, from the week holding ``start``."""
    if weeks < 1:
        raise InvalidInput("weeks", f"must be at least 1, got {weeks}")
    first = monday(start)
    days = [first + n * DAY for n in range(7 * weeks)]
    with read_transaction(sessions) as session:
        types = _type_names(session, type_name)
        supply = _supply(session, days)
        demand = _booked(session, days) + _unbooked(session, days)
    rows = [(t, week, demand[t, week], supply[t, week]) for t in types
            for week in days[::7]]
    return _frame(rows)


def _frame(rows: Sequence[tuple[str, dt.date, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame({
        "type": pd.Series([r[0] for r in rows], dtype="str"),
        "week_start": pd.to_datetime(pd.Series([r[1] for r in rows], dtype="object")),
        "demand_days": pd.Series([r[2] for r in rows], dtype="int64"),
        "supply_days": pd.Series([r[3] for r in rows], dtype="int64"),
    })
    frame["shortfall_days"] = (frame["demand_days"] - frame["supply_days"]).clip(lower=0)
    return frame[COLUMNS]


def _type_names(session: Session, wanted: str | None) -> list[str]:
    names = list(session.exec(select(EnvironmentType.name)
                              .order_by(col(EnvironmentType.name))).all())
    if wanted is None:
        return names
    if wanted not in names:
        raise InvalidInput("type", f"no environment type {wanted!r} "
                                   f"(types: {', '.join(names) or 'none'})")
    return [wanted]


def _tally(type_name: str, start: dt.date, end: dt.date, days: Sequence[dt.date],
           weight: int = 1) -> Tally:
    """``weight`` environment-days on each day of ``[start, end)`` inside ``days``."""
    tally: Tally = Counter()
    lo, hi = max(start, days[0]), min(end, days[-1] + DAY)
    for n in range((hi - lo).days):
        tally[type_name, monday(lo + n * DAY)] += weight
    return tally


# -- supply -----------------------------------------------------------------------------------

def _supply(session: Session, days: Sequence[dt.date]) -> Tally:
    envs = session.exec(select(Environment).where(
        Environment.status == EnvironmentStatus.AVAILABLE)).all()
    freezes = session.exec(select(Freeze).where(Freeze.start <= days[-1],
                                                Freeze.end > days[0])).all()
    supply: Tally = Counter()
    for env in envs:
        closed = [(w.start, w.end) for w in env.maintenance_windows]
        closed += [(f.start, f.end) for f in freezes if f.covers(env.type.name)]
        for day in days:
            if not any(a <= day < b for a, b in closed):
                supply[env.type.name, monday(day)] += env.capacity
    return supply


# -- demand -----------------------------------------------------------------------------------

def _booked(session: Session, days: Sequence[dt.date]) -> Tally:
    bookings = session.exec(select(Booking).where(
        col(Booking.status).in_(LIVE_STATUSES), Booking.start <= days[-1],
        Booking.end > days[0])).all()
    tally: Tally = Counter()
    for b in bookings:
        tally += _tally(b.environment.type.name, b.start, b.end, days)
    return tally


def _unbooked(session: Session, days: Sequence[dt.date]) -> Tally:
    live = session.exec(select(Booking).where(col(Booking.status).in_(LIVE_STATUSES),
                                              col(Booking.phase_id).is_not(None))).all()
    booked_until: dict[int, dt.date] = {}
    for b in live:
        assert b.phase_id is not None
        booked_until[b.phase_id] = max(b.end, booked_until.get(b.phase_id, b.end))
    tally: Tally = Counter()
    releases = session.exec(select(Release).where(col(Release.status).in_(OPEN_RELEASES))).all()
    for release in releases:
        tally += _release_demand(release, booked_until, days)
    return tally + _request_demand(session, days)


def _release_demand(release: Release, booked_until: dict[int, dt.date],
                    days: Sequence[dt.date]) -> Tally:
    """Each unbooked phase at its earliest start: after its release's start, its own, and
    the (booked or forecast) end of each phase it waits for plus its gap."""
    ends: dict[str, dt.date] = {}
    tally: Tally = Counter()
    for phase, preds in _with_predecessors(release.phases):
        if phase.id in booked_until:
            ends[phase.key] = booked_until[phase.id]
            continue
        start = max([days[0], release.earliest_start or days[0], phase.earliest_start or days[0],
                     *(ends[p] + phase.gap_days * DAY for p in preds if p in ends)])
        ends[phase.key] = start + phase.duration_days * DAY
        tally += _tally(phase.type.name, start, ends[phase.key], days)
    return tally


def _with_predecessors(phases: Sequence[Phase]) -> Iterable[tuple[Phase, list[str]]]:
    """Each phase with the keys it waits for: ``after``, or else the phase before it."""
    previous: list[str] = []
    for phase in phases:
        yield phase, list(phase.after) if phase.after is not None else previous
        previous = [phase.key]


def _request_demand(session: Session, days: Sequence[dt.date]) -> Tally:
    """Open requests for no phase (a phase's own demand is counted with its release)."""
    requests = session.exec(select(BookingRequest).where(
        col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES),
        col(BookingRequest.phase_id).is_(None))).all()
    tally: Tally = Counter()
    for request in requests:
        type_name = _request_type(session, request)
        if type_name is not None:
            end = request.earliest_start + request.duration_days * DAY
            tally += _tally(type_name, request.earliest_start, end, days)
    return tally


def _request_type(session: Session, request: BookingRequest) -> str | None:
    if request.environment_type_id is not None:
        return session.get_one(EnvironmentType, request.environment_type_id).name
    first = session.exec(select(Environment).where(
        col(Environment.name).in_(request.environments or []))).first()
    return first.type.name if first else None
