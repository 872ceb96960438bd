"""Release cadences as dates: which go-lives a cadence gives, twelve months ahead.

Pure functions, no database and no clock. Monthly and quarterly go-lives are counted in
whole months *from the anchor* (never from the previous go-live), so an anchor on the
31st or on 29 February comes back to its own day whenever the month has it, and falls
on the month's last day otherwise: 29 Feb 2028 quarterly gives 29 May, 29 Aug, 29 Nov,
then 28 Feb 2029.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from envsched.models import CadenceKind

MONTHS_APART = {CadenceKind.MONTHLY: 1, CadenceKind.QUARTERLY: 3}
BIWEEKLY = dt.timedelta(days=14)


@dataclass(frozen=True)
class Cadence:
    """How often releases go live; each window opens ``window_days`` before its go-live
    and freezes ``freeze_days`` before it. ``dates`` are the go-lives of ``DATES``."""

    kind: CadenceKind
    dates: Sequence[dt.date] = field(default=())
    window_days: int = 14
    freeze_days: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.freeze_days < self.window_days:
            raise ValueError("freeze_days must be at least 0 and less than window_days")


@dataclass(frozen=True)
class WindowDates:
    """One generated window: open from ``start``, frozen from ``cutoff``, live ``go_live``."""

    name: str
    start: dt.date
    cutoff: dt.date
    go_live: dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def generate_windows(
    cadence: Cadence, start: dt.date, months: int = 12, *, after: dt.date | None = None
) -> list[WindowDates]:
    """The windows of ``cadence`` anchored at ``start`` (its first go-live), whose go-live
    falls in ``[first, first + months)`` where ``first`` is ``after`` (default ``start``)."""
    first = after or start
    end = add_months(first, months)
    go_lives = (day for day in _go_lives(cadence, start) if day >= first)
    return [_window(cadence, day) for day in _until(go_lives, end)]


def _go_lives(cadence: Cadence, anchor: dt.date) -> Iterator[dt.date]:
    """Every go-live of the cadence from ``anchor`` on, in order (endless but for DATES)."""
    if cadence.kind == CadenceKind.DATES:
        yield from sorted(day for day in set(cadence.dates) if day >= anchor)
        return
    step = 0
    while True:
        if cadence.kind == CadenceKind.BIWEEKLY:
            yield anchor + step * BIWEEKLY
        else:
            yield add_months(anchor, step * MONTHS_APART[cadence.kind])
        step += 1


def _until(days: Iterator[dt.date], end: dt.date) -> Iterator[dt.date]:
    for day in days:
        if day >= end:
            return
        yield day


def _window(cadence: Cadence, go_live: dt.date) -> WindowDates:
    return WindowDates(
        name=window_name(cadence.kind, go_live),
        start=go_live - dt.timedelta(days=cadence.window_days),
        cutoff=go_live - dt.timedelta(days=cadence.freeze_days),
        go_live=go_live,
    )


def window_name(kind: CadenceKind, go_live: dt.date) -> str:
    """``2028 Q1``, ``2028-03``, ``2027-W51`` (ISO week) or the date itself."""
    if kind == CadenceKind.QUARTERLY:
        return f"{go_live.year} Q{(go_live.month - 1) // 3 + 1}"
    if kind == CadenceKind.MONTHLY:
        return f"{go_live:%Y-%m}"
    if kind == CadenceKind.BIWEEKLY:
        year, week, _ = go_live.isocalendar()
        return f"{year}-W{week:02d}"
    return go_live.isoformat()
