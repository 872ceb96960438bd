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
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, select

from envsched.booking import rulebook
from envsched.booking.rulebook import Rule
from envsched.booking.words import booking_words
from envsched.days import day_text, days_text
from envsched.db import SessionFactory, read_transaction, related
from envsched.models import (
    LIVE_STATUSES,
    OPEN_RELEASE_STATUSES,
    Booking,
    Environment,
    EnvironmentStatus,
    Freeze,
    MaintenanceWindow,
    Release,
)
from envsched.state_cache import remember

ClashKind = Literal[
    "overbooked",
    "changeover",
    "maintenance",
    "freeze",
    "unavailable",
    "ineligible",
    "early",
    "order",
    "late",
]
# the kind of clash each rule of a phase's placement (``rulebook``) makes when broken
RULE_KINDS: dict[Rule, ClashKind] = {
    "eligibility": "ineligible",
    "earliest_start": "early",
    "order": "order",
    "one_per_phase": "overbooked",
}
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
        return current_clashes(session)


def current_clashes(session: Session) -> list[StateClash]:
    """``clashes_in``, kept until the stored state changes (``state_cache``)."""
    return list(remember(session, "clashes", lambda s: tuple(clashes_in(s))))


def clashes_in(session: Session) -> list[StateClash]:
    """Every clash, inside the caller's transaction (a fixed number of queries)."""
    bookings = session.exec(_LIVE_BOOKINGS).unique().all()
    freezes, windows = session.exec(select(Freeze)).all(), _windows_met(session)
    found: list[StateClash] = []
    by_env: dict[int, list[Booking]] = defaultdict(list)
    plans = rulebook.release_plans(session, {b.phase.release_id for b in bookings if b.phase})
    for booking in bookings:
        by_env[booking.environment_id].append(booking)
        found += [
            *_in_windows(booking, windows[booking.environment_id]),
            *_in_freezes(booking, freezes),
            *_unavailable(booking),
        ]
    found += _rule_breaks(bookings, plans)
    for env_bookings in by_env.values():
        env = env_bookings[0].environment
        found += [*_overbooked(env, env_bookings), *_changeovers(env, env_bookings)]
    by_release = _by_release(bookings)
    for plan in plans.values():
        if plan.release.status in OPEN_RELEASE_STATUSES:
            found += list(_late(plan.release, by_release[plan.release.id or 0]))
    return sorted(
        found, key=lambda c: (c.start, KINDS.index(c.kind), c.environment or "", c.phase or "")
    )


# the live bookings with what the checks read of them, in one statement, not one a row
_LIVE_BOOKINGS: Any = (
    select(Booking)
    .where(col(Booking.status).in_(LIVE_STATUSES))
    .order_by(col(Booking.start), col(Booking.id))
    .options(
        joinedload(related(Booking.phase)),
        joinedload(related(Booking.environment)).joinedload(related(Environment.type)),
    )
)


def _windows_met(session: Session) -> dict[int, list[MaintenanceWindow]]:
    """The maintenance windows a live booking runs into, by environment: a few of the
    thousands an estate plans."""
    window = MaintenanceWindow
    met = (
        select(window)
        .where(
            sa.exists().where(
                col(Booking.environment_id) == col(window.environment_id),
                col(Booking.status).in_(LIVE_STATUSES),
                col(Booking.start) < col(window.end),
                col(window.start) < col(Booking.end),
            )
        )
        .order_by(col(window.start), col(window.id))
    )
    found: dict[int, list[MaintenanceWindow]] = defaultdict(list)
    for row in session.exec(met).all():
        found[row.environment_id].append(row)
    return found


# -- one booking against its environment -----------------------------------------------------

_who = booking_words  # the booking in words: what it serves, where, which days


def _clash(
    kind: ClashKind, booking: Booking, start: dt.date, end: dt.date, message: str
) -> StateClash:
    phase = booking.phase
    return StateClash(
        kind,
        message,
        start,
        end,
        booking.environment.name,
        phase.release.key if phase else None,
        phase.key if phase else None,
        (booking.id or 0,),
    )


def _in_windows(booking: Booking, windows: Sequence[MaintenanceWindow]) -> Iterator[StateClash]:
    for window in windows:
        if booking.overlaps(window.start, window.end):
            start, end = max(booking.start, window.start), min(booking.end, window.end)
            yield _clash(
                "maintenance",
                booking,
                start,
                end,
                f"{_who(booking)} runs into maintenance {_span(start, end)} "
                f"({window.reason or 'no reason given'})",
            )


def _in_freezes(booking: Booking, freezes: Sequence[Freeze]) -> Iterator[StateClash]:
    type_name = booking.environment.type.name
    for freeze in freezes:
        if freeze.covers(type_name) and booking.overlaps(freeze.start, freeze.end):
            start, end = max(booking.start, freeze.start), min(booking.end, freeze.end)
            yield _clash(
                "freeze",
                booking,
                start,
                end,
                f"{_who(booking)} runs into the {type_name} freeze {_span(start, end)} "
                f"({freeze.reason or freeze.name or 'no reason given'})",
            )


def _unavailable(booking: Booking) -> Iterator[StateClash]:
    status = booking.environment.status
    if status != EnvironmentStatus.AVAILABLE:
        yield _clash(
            "unavailable",
            booking,
            booking.start,
            booking.end,
            f"{_who(booking)}, but {booking.environment.name} is {status.value}",
        )


def _rule_breaks(
    bookings: Sequence[Booking], plans: dict[int, rulebook.ReleasePlan]
) -> list[StateClash]:
    """The rules of its phase each booking breaks, by the rulebook the booking paths obey
    (an order break between two bookings is one clash, not one from each side)."""
    found: dict[tuple[str, frozenset[str]], StateClash] = {}
    for booking in bookings:
        phase = booking.phase
        if phase is None:
            continue
        for broken in rulebook.phase_breaks(
            plans[phase.release_id],
            phase,
            booking.environment,
            booking.start,
            booking.end,
            booking_id=booking.id,
        ):
            if _reported_here(broken):
                found.setdefault((broken.rule, frozenset(broken.phases)), _broken(booking, broken))
    return list(found.values())


def _reported_here(broken: rulebook.RuleBreak) -> bool:
    """A second booking of a phase the database keeps out; an order break is reported by
    the phase that starts too early (``start``), not by the one that ends too late."""
    return broken.rule != "one_per_phase" and (broken.rule, broken.field) != ("order", "end")


def _broken(booking: Booking, broken: rulebook.RuleBreak) -> StateClash:
    forced = f" (forced: {booking.forced_reason})" if booking.forced_reason else ""
    start, end = broken.days or (booking.start, booking.end)
    clash = _clash(
        RULE_KINDS[broken.rule], booking, start, end, f"{_who(booking)}: {broken.message}{forced}"
    )
    return replace(clash, booking_ids=tuple(dict.fromkeys((booking.id or 0, *broken.booking_ids))))


# -- bookings of one environment together ----------------------------------------------------


def _overbooked(env: Environment, bookings: Sequence[Booking]) -> Iterator[StateClash]:
    """Runs of consecutive days on which more live bookings hold ``env`` than it has room for."""
    for start, end, held in _runs_over(bookings, env.capacity):
        yield StateClash(
            "overbooked",
            f"{env.name} holds {len(held)} live bookings {_span(start, end)}, "
            f"but its capacity is {env.capacity}",
            start,
            end,
            env.name,
            booking_ids=tuple(sorted(b.id or 0 for b in held)),
        )


def _runs_over(
    bookings: Sequence[Booking], capacity: int
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
    clash = _clash(
        "changeover",
        later,
        first.end,
        first.end + dt.timedelta(days=env.changeover_days),
        f"{env.name} needs {days} between releases, but {_who(first)} and "
        f"{_who(later)} have {free} free day{'s' if free != 1 else ''} "
        f"between them",
    )
    return replace(clash, booking_ids=(first.id or 0, later.id or 0))


def _release_id(booking: Booking) -> int | None:
    return booking.phase.release_id if booking.phase else None


def _releases_differ(a: Booking, b: Booking) -> bool:
    return _release_id(a) is None or _release_id(a) != _release_id(b)


# -- a release's bookings together -----------------------------------------------------------


def _by_release(bookings: Sequence[Booking]) -> dict[int, list[Booking]]:
    found: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        if booking.phase is not None:
            found[booking.phase.release_id].append(booking)
    return found


def _late(release: Release, booked: Sequence[Booking]) -> Iterator[StateClash]:
    if release.due is None or not booked:
        return
    last = max(booked, key=lambda b: b.end)
    if last.end > release.due:
        late = (last.end - release.due).days
        yield _clash(
            "late",
            last,
            release.due,
            last.end,
            f"release {release.key} is due {day_text(release.due)}, but its last "
            f"booked phase, {_who(last)}, ends later: {late} day"
            f"{'s' if late != 1 else ''} late",
        )


def _span(start: dt.date, end: dt.date) -> str:
    """Half-open ``[start, end)`` as people read it: the first and the last day."""
    return f"on {days_text(start, end)}"
