"""The release calendar as a calendar: a grid of weeks (Monday first) per month, each day
with what happens on it — a window opens, its code cut-off, its go-live, a freeze begins,
holds or ends — and shaded while a window is open or a freeze holds. Every freeze holding
a day is named on it, whatever else happens that day.

Pure: the release calendar's items (``envsched.lifecycle.calendar``) and the
months in, plain rows out for ``release_calendar.html`` to draw as tables; no clock
(``today`` is a parameter).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from envsched.lifecycle import CalendarItem

DAY = dt.timedelta(days=1)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Mark:
    """Something that happens on a day: ``kind`` is opens, cutoff, go_live, freeze (its
    first day), frozen (a day it holds) or thaw (its last day); ``text`` says it."""

    kind: str
    text: str


@dataclass
class Cell:
    day: dt.date | None  # None: a day of the month before or after, left blank
    marks: list[Mark] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)  # windows open that day
    freezes: list[str] = field(default_factory=list)  # freezes holding that day
    today: bool = False


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[Cell]]

    @property
    def title(self) -> str:
        return f"{self.first:%B %Y}"


def month_grid(
    items: Sequence[CalendarItem], start: dt.date, end: dt.date, today: dt.date | None = None
) -> list[Month]:
    """Every month from the one holding ``start`` to the one before ``end``."""
    months, first = [], start.replace(day=1)
    while first < end:
        months.append(_month(first, items, today))
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def _month(first: dt.date, items: Sequence[CalendarItem], today: dt.date | None) -> Month:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return Month(first, [[_cell(day, first, items, today) for day in week] for week in weeks])


def _cell(
    day: dt.date, first: dt.date, items: Sequence[CalendarItem], today: dt.date | None
) -> Cell:
    if day.month != first.month:
        return Cell(None)
    cell = Cell(day, today=day == today)
    for item in items:
        if item.start <= day < item.end:
            _add(cell, item, day)
    return cell


def _add(cell: Cell, item: CalendarItem, day: dt.date) -> None:
    """What ``item``, holding ``day``, puts in its cell."""
    if item.kind == "window":
        cell.windows.append(item.label)
        if day == item.start:
            cell.marks.append(Mark("opens", f"{item.label} opens"))
        if day == item.cutoff:
            cell.marks.append(Mark("cutoff", f"{item.label} code cut-off"))
    elif item.kind == "go_live":
        cell.marks.append(Mark("go_live", item.label))
    elif item.kind == "freeze":
        cell.freezes.append(item.label)
        if day == item.start:
            cell.marks.append(Mark("freeze", f"{item.label} freeze begins"))
        elif day == item.end - DAY:
            cell.marks.append(Mark("thaw", f"{item.label} freeze, last day"))
        else:
            cell.marks.append(Mark("frozen", f"{item.label} freeze"))
