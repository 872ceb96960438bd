"""Clashes in the stored state: what is wrong with the bookings as they stand.

Written over the database rows rather than through ``solver.validate``: the database
may hold what no scenario file may (a phase booked twice, a booking on an environment
of the wrong type, overbooked days), and each such state must be reported, not refused.
Only live bookings (tentative, confirmed, in use) are looked at.

``changeover``: on a capacity-1 environment with ``changeover_days``, two bookings of
different releases (a booking of no phase counts as another release, as the booking
check has it) closer than that many free days; the clash covers the days that should
have been free after the first, names both bookings, and points at the later one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal, get_args

from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import (
    LIVE_STATUSES,
    OPEN_RELEASE_STATUSES,
    Booking,
    Environment,
    EnvironmentStatus,
    Freeze,
    Phase,
    Release,
)
from envsched.services.phase_order import predecessors

ClashKind = Literal["overbooked", "changeover", "maintenance", "freeze", "unavailable",
                    "ineligible", "order", "late"]
KINDS: tuple[ClashKind, ...] = get_args(ClashKind)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class StateClash:
    """One problem: ``kind`` (one of ``KINDS``), where, which days ``[start, end)``, why."""

    kind: ClashKind
    message: str
    start: dt.date
    end: dt.date
    environment: str | None = None
    release: str | None = None
    phase: str | None = None
    booking_ids: tuple[int, ...] = ()


def find_clashes(sessions: SessionFactory) -> list[StateClash]:
    """Every clash in the stored state, by start date."""
    with read_transaction(sessions) as session:
        return clashes_in(session)


def clashes_in(session: Session) -> list[StateClash]:
    """Every clash, inside the caller's transaction."""
    bookings = session.exec(select(Booking).where(col(Booking.status).in_(LIVE_STATUSES))
                            .order_by(col(Booking.start), col(Booking.id))).all()
    freezes = session.exec(select(Freeze)).all()
    found: list[StateClash] = []
    by_env: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_env[booking.environment_id].append(booking)
        found += [*_in_windows(booking), *_in_freezes(booking, freezes),
                  *_unavailable(booking), *_ineligible(booking)]
    for env_bookings in by_env.values():
        env = env_bookings[0].environment
        found += [*_overbooked(env, env_bookings), *_changeovers(env, env_bookings)]
    releases = session.exec(select(Release).where(
        col(Release.status).in_(OPEN_RELEASE_STATUSES))).all()
    for release in releases:
        found += [*_order(release, bookings), *_late(release, bookings)]
    return sorted(found, key=lambda c: (c.start, KINDS.index(c.kind), c.environment or "",
                                        c.phase or ""))


# -- one booking against its environment -----------------------------------------------------

def _who(booking: Booking) -> str:
    serves = f" ({booking.phase.key})" if booking.phase else ""
    return f"booking {booking.id}{serves} on {booking.environment.name}"


def _clash(kind: ClashKind, booking: Booking, start: dt.date, end: dt.date, message: str
           ) -> StateClash:
    phase = booking.phase
    return StateClash(kind, message, start, end, booking.environment.name,
                      phase.release.key if phase else None, phase.key if phase else None,
                      (booking.id or 0,))


def _in_windows(booking: Booking) -> Iterator[StateClash]:
    for window in booking.environment.maintenance_windows:
        if booking.overlaps(window.start, window.end):
            start, end = max(booking.start, window.start), min(booking.end, window.end)
            yield _clash("maintenance", booking, start, end,
                         f"{_who(booking)} runs into maintenance {_span(start, end)} "
                         f"({window.reason or 'no reason given'})")


def _in_freezes(booking: Booking, freezes: Sequence[Freeze]) -> Iterator[StateClash]:
    type_name = booking.environment.type.name
    for freeze in freezes:
        if freeze.covers(type_name) and booking.overlaps(freeze.start, freeze.end):
            start, end = max(booking.start, freeze.start), min(booking.end, freeze.end)
            yield _clash("freeze", booking, start, end,
                         f"{_who(booking)} runs into the {type_name} freeze {_span(start, end)} "
                         f"({freeze.reason or freeze.name or 'no reason given'})")


def _unavailable(booking: Booking) -> Iterator[StateClash]:
    status = booking.environment.status
    if status != EnvironmentStatus.AVAILABLE:
        yield _clash("unavailable", booking, booking.start, booking.end,
                     f"{_who(booking)} {_span(booking.start, booking.end)}, "
                     f"but the environment is {status.value}")


def _ineligible(booking: Booking) -> Iterator[StateClash]:
    """The phase served needs another type, a tag the environment lacks, or another name."""
    phase, env = booking.phase, booking.environment
    if phase is None:
        return
    problems = []
    if phase.type_id != env.type_id:
        problems.append(f"{phase.key} needs {phase.type.name}, not {env.type.name}")
    if missing := sorted(set(phase.required_tags) - set(env.tags)):
        problems.append(f"{env.name} lacks the tags {', '.join(missing)}")
    if phase.environments is not None and env.name not in phase.environments:
        problems.append(f"{phase.key} may only use {', '.join(phase.environments)}")
    if problems:
        yield _clash("ineligible", booking, booking.start, booking.end,
                     f"{_who(booking)} is the wrong environment: {'; '.join(problems)}")


# -- bookings of one environment together ----------------------------------------------------

def _overbooked(env: Environment, bookings: Sequence[Booking]) -> Iterator[StateClash]:
    """Runs of consecutive days on which more live bookings hold ``env`` than it has room for."""
    for start, end, held in _runs_over(bookings, env.capacity):
        yield StateClash("overbooked",
                         f"{env.name} holds {len(held)} live bookings {_span(start, end)}, "
                         f"but its capacity is {env.capacity}",
                         start, end, env.name, booking_ids=tuple(sorted(b.id or 0 for b in held)))


def _runs_over(bookings: Sequence[Booking], capacity: int
               ) -> Iterator[tuple[dt.date, dt.date, list[Booking]]]:
    """Maximal day runs where more than ``capacity`` bookings overlap, with the bookings."""
    edges = sorted({b.start for b in bookings} | {b.end for b in bookings})
    run: tuple[dt.date, dt.date, list[Booking]] | None = None
    for a, b in pairwise(edges):
        on = [bk for bk in bookings if bk.start <= a and b <= bk.end]
        if len(on) > capacity and run is not None and run[1] == a:
            run = (run[0], b, run[2] + [bk for bk in on if bk not in run[2]])
        elif len(on) > capacity:
            if run is not None:
                yield run
            run = (a, b, on)
    if run is not None:
        yield run


def _changeovers(env: Environment, bookings: Sequence[Booking]) -> Iterator[StateClash]:
    """Bookings of different releases with fewer free days between them than changeover."""
    if env.capacity != 1 or not env.changeover_days:
        return
    need = dt.timedelta(days=env.changeover_days)
    for later in bookings:
        for first in bookings:
            if first.end <= later.start < first.end + need and _releases_differ(first, later):
                yield _changeover(env, first, later)


def _changeover(env: Environment, first: Booking, later: Booking) -> StateClash:
    free = (later.start - first.end).days
    days = f"{env.changeover_days} changeover day{'s' if env.changeover_days != 1 else ''}"
    clash = _clash("changeover", later, first.end,
                   first.end + dt.timedelta(days=env.changeover_days),
                   f"{env.name} needs {days} between releases, but {_who(first)} ends on "
                   f"{first.end - DAY} and {_who(later)} starts on {later.start}: "
                   f"{free} free day{'s' if free != 1 else ''} between them")
    return replace(clash, booking_ids=(first.id or 0, later.id or 0))


def _release_id(booking: Booking) -> int | None:
    return booking.phase.release_id if booking.phase else None


def _releases_differ(a: Booking, b: Booking) -> bool:
    return _release_id(a) is None or _release_id(a) != _release_id(b)


# -- a release's bookings together -----------------------------------------------------------

def _phase_bookings(release: Release, bookings: Sequence[Booking]) -> dict[int, list[Booking]]:
    ids = {p.id for p in release.phases}
    found: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        if booking.phase_id is not None and booking.phase_id in ids:
            found[booking.phase_id].append(booking)
    return found


def _order(release: Release, bookings: Sequence[Booking]) -> Iterator[StateClash]:
    """A phase booked to start before a predecessor's booking ends plus the phase's gap."""
    booked = _phase_bookings(release, bookings)
    for phase in release.phases:
        for pred in predecessors(release)[phase.key]:
            if not booked.get(phase.id or 0) or not booked.get(pred.id or 0):
                continue
            first = min(booked[phase.id or 0], key=lambda b: b.start)
            ready = max(b.end for b in booked[pred.id or 0]) + phase.gap_days * DAY
            if first.start < ready:
                yield _clash("order", first, first.start, ready,
                             f"{phase.key} is booked from {first.start}, before {pred.key} "
                             f"is done{_plus_gap(phase)} on {ready}")


def _late(release: Release, bookings: Sequence[Booking]) -> Iterator[StateClash]:
    booked = [b for found in _phase_bookings(release, bookings).values() for b in found]
    if release.due is None or not booked:
        return
    last = max(booked, key=lambda b: b.end)
    if last.end > release.due:
        late = (last.end - release.due).days
        yield _clash("late", last, release.due, last.end,
                     f"release {release.key} is due {release.due}, but its last booked phase "
                     f"ends {last.end}: {late} day{'s' if late != 1 else ''} late")


def _plus_gap(phase: Phase) -> str:
    return f" plus {phase.gap_days} day gap" if phase.gap_days else ""


def _span(start: dt.date, end: dt.date) -> str:
    """Half-open ``[start, end)`` as people read it: the first and the last day."""
    last = end - DAY
    return f"on {start}" if start == last else f"from {start} to {last}"
