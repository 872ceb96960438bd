"""Where is the earliest room? Free runs of days on the environments a request may use.

A day is blocked by the same obstacles the booking checks in ``availability`` refuse:
maintenance windows, freezes covering the environment's type, and days on which live
bookings leave no room (widened by changeover days on capacity-1 environments). The
search only reads, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched.inventory import (
    Interval,
    freezes_over,
    full_intervals,
    maintenance_windows,
    natural_key,
)
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Phase,
)

SEARCH_HORIZON_DAYS = 365


@dataclass(frozen=True)
class Slot:
    """Free days ``[start, end)`` on environment ``environment`` (its name)."""

    environment: str
    environment_id: int
    start: dt.date
    end: dt.date


def find_free_slots(
    session: Session,
    type_name: str | None,
    duration: int,
    after: dt.date,
    *,
    tags: Iterable[str] = (),
    environments: Sequence[str] | None = None,
    before: dt.date | None = None,
    limit: int = 5,
) -> list[Slot]:
    """The earliest free run of ``duration`` days per eligible environment, earliest first.

    A slot starts on or after ``after`` and ends by ``before`` (default: a year after
    ``after``). Only available environments are offered.
    """
    envs = _eligible(session, type_name, set(tags), environments)
    last = before or after + dt.timedelta(days=SEARCH_HORIZON_DAYS)
    blocked = _blocked_by_environment(session, envs, after, last)
    slots = []
    for env in envs:
        start = earliest_start(blocked[env.id], duration, after, last)
        if start is not None and env.id is not None:
            slots.append(Slot(env.name, env.id, start, start + dt.timedelta(days=duration)))
    return sorted(slots, key=lambda s: (s.start, natural_key(s.environment)))[:limit]


def free_together(
    session: Session,
    envs: Sequence[Environment],
    duration: int,
    after: dt.date,
    *,
    before: dt.date | None = None,
) -> dt.date | None:
    """The first day on or after ``after`` from which ``duration`` days are free on every
    one of ``envs`` at once (a stack booking's members, which move together), ending by
    ``before`` (default: a year after ``after``); None when there is none."""
    last = before or after + dt.timedelta(days=SEARCH_HORIZON_DAYS)
    blocked = _blocked_by_environment(session, envs, after, last)
    return earliest_start([b for env in envs for b in blocked[env.id]], duration, after, last)


def earliest_start(
    blocked: Iterable[Interval], duration: int, after: dt.date, last: dt.date
) -> dt.date | None:
    """First ``s >= after`` with ``[s, s + duration)`` inside ``last`` and clear of ``blocked``."""
    length = dt.timedelta(days=duration)
    start = after
    for block_start, block_end in sorted(blocked):
        if start + length <= block_start:
            break
        start = max(start, block_end)
    return start if start + length <= last else None


def _eligible(
    session: Session, type_name: str | None, tags: set[str], names: Sequence[str] | None
) -> list[Environment]:
    query = (
        select(Environment)
        .join(EnvironmentType)
        .where(Environment.status == EnvironmentStatus.AVAILABLE)
    )
    if type_name is not None:
        query = query.where(EnvironmentType.name == type_name)
    if names is not None:
        query = query.where(col(Environment.name).in_(names))
    found = [env for env in session.exec(query).all() if tags <= set(env.tags)]
    return sorted(found, key=lambda env: natural_key(env.name))


def _blocked_by_environment(
    session: Session, envs: Sequence[Environment], start: dt.date, end: dt.date
) -> dict[int | None, list[Interval]]:
    blocked: dict[int | None, list[Interval]] = {env.id: [] for env in envs}
    for window in maintenance_windows(session, envs, start, end):
        blocked[window.environment_id].append((window.start, window.end))
    freezes = list(freezes_over(session, None, start, end))
    bookings: dict[int | None, list[Booking]] = {env.id: [] for env in envs}
    # a booking ending just before ``start`` still blocks its changeover days after it
    pad = dt.timedelta(days=max((env.changeover_days for env in envs), default=0))
    for booking, _release in _live_bookings(session, envs, start - pad, end + pad):
        bookings[booking.environment_id].append(booking)
    for env in envs:
        blocked[env.id] += [(f.start, f.end) for f in freezes if f.covers(env.type.name)]
        blocked[env.id] += full_intervals(bookings[env.id], env.capacity, env.changeover_days)
    return blocked


def _live_bookings(
    session: Session, envs: Sequence[Environment], start: dt.date, end: dt.date
) -> list[tuple[Booking, int | None]]:
    """Live bookings overlapping ``[start, end)`` with the release each serves (if any)."""
    ids = [env.id for env in envs]
    query = (
        select(Booking, Phase.release_id)
        .outerjoin(Phase)
        .where(
            col(Booking.environment_id).in_(ids),
            col(Booking.status).in_(LIVE_STATUSES),
            Booking.start < end,
            Booking.end > start,
        )
        .order_by(col(Booking.start))
    )
    return [(booking, release) for booking, release in session.exec(query).all()]
