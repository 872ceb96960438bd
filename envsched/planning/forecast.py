"""The capacity forecast: environment-days asked for and available, per type per ISO week.

One rule for the capacity page (``capacity``, from the stored rows) and for both sides of
a what-if (``whatif_forecast``, from its scenarios), so a what-if made now starts from the
shortfall the capacity page shows:

* demand: the days each booking holds (``Held``, on its own dates), plus what is asked for
  but not booked yet: each phase without a booking (``Step``) at its earliest start after
  its predecessors (booked or forecast), and each open request that serves no phase
  (``Asked``) at its earliest start. Nothing unbooked lands before the first day forecast.
  That is a forecast, not a plan: it shows where demand lands if all starts as soon as
  it may.
* supply: each environment (``Usable``) gives its capacity on each day outside the
  windows that close it (maintenance, a status, freezes of its type).
* shortfall: ``max(0, demand - supply)`` per type and week.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(weeks=1)
Tally = Counter[tuple[str, dt.date]]  # (type, Monday of the week) -> environment-days


@dataclass(frozen=True)
class Held:
    """Days a live booking holds; ``phase`` is the key of the phase it serves, if any."""

    type: str
    start: dt.date
    end: dt.date
    phase: str | None = None
    environment: str | None = None


@dataclass(frozen=True)
class Asked:
    """An open request that serves no phase: ``days`` of ``type`` from ``start``."""

    type: str
    start: dt.date
    days: int
    source: str = ""


@dataclass(frozen=True)
class Step:
    """A phase: it may start on ``earliest`` and after each (phase key, gap days) of
    ``waits``; steps come in an order where a phase follows those it waits for."""

    key: str
    type: str
    days: int
    earliest: dt.date | None
    waits: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Usable:
    """An environment in service and the ``[start, end)`` windows that close it."""

    type: str
    capacity: int
    closed: tuple[tuple[dt.date, dt.date], ...] = ()


@dataclass(frozen=True)
class Outlook:
    """Everything the forecast counts, from the stored rows or from a scenario."""

    usable: tuple[Usable, ...]
    held: tuple[Held, ...]
    steps: tuple[Step, ...]
    asked: tuple[Asked, ...]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_days(first: dt.date, weeks: int) -> list[dt.date]:
    """Every day of ``weeks`` ISO weeks from the week holding ``first``."""
    return [monday(first) + n * DAY for n in range(7 * weeks)]


def demand(outlook: Outlook, days: Sequence[dt.date]) -> Tally:
    tally: Tally = Counter()
    for held in outlook.held:
        _count(tally, held.type, held.start, held.end, days)
    _unbooked(outlook, days, tally)
    for asked in outlook.asked:
        _count(tally, asked.type, asked.start, asked.start + asked.days * DAY, days)
    return tally


def supply(outlook: Outlook, days: Sequence[dt.date]) -> Tally:
    tally: Tally = Counter()
    weeks = [(day, monday(day)) for day in days]
    for env in outlook.usable:
        closed = _closed_days(env.closed, days)
        for day, week in weeks:
            if day not in closed:
                tally[env.type, week] += env.capacity
    return tally


def _closed_days(
    windows: Sequence[tuple[dt.date, dt.date]], days: Sequence[dt.date]
) -> set[dt.date]:
    """The days among ``days``' span that one of ``windows`` (``[start, end)``) closes."""
    if not days:
        return set()
    first, after = days[0], days[-1] + DAY
    return {
        lo + n * DAY
        for a, b in windows
        for lo, hi in [(max(a, first), min(b, after))]
        for n in range((hi - lo).days)
    }


def _unbooked(outlook: Outlook, days: Sequence[dt.date], tally: Tally) -> None:
    """Count each step without a booking at its earliest start into ``tally``; a booked
    one ends where its (last) booking ends, for the steps that wait for it."""
    ends: dict[str, dt.date] = {}
    for held in outlook.held:
        if held.phase is not None:
            ends[held.phase] = max(held.end, ends.get(held.phase, held.end))
    booked = set(ends)
    for step in outlook.steps:
        if step.key in booked:
            continue
        start = max(
            [
                days[0],
                step.earliest or days[0],
                *(ends[p] + gap * DAY for p, gap in step.waits if p in ends),
            ]
        )
        ends[step.key] = start + step.days * DAY
        _count(tally, step.type, start, ends[step.key], days)


def _count(
    tally: Tally, type_name: str, start: dt.date, end: dt.date, days: Sequence[dt.date]
) -> None:
    """One environment-day on each day of ``[start, end)`` inside ``days``' span, added
    to ``tally`` a week at a time."""
    lo, hi = max(start, days[0]), min(end, days[-1] + DAY)
    week = monday(lo)
    while week < hi:
        held = (min(hi, week + WEEK) - max(lo, week)).days
        if held > 0:
            tally[type_name, week] += held
        week += WEEK
