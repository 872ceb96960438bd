"""Days as people read them, and as files keep them: the one place that turns one into
the other.

The database, files and the API keep a run of days as ``[start, end)``: ``end`` is the
first day after it (docs/design.md, "Time"). People are told the first and the last day,
both inclusive. Pages (the ``days`` and ``day`` filters), chart hovers, feeds, clash
messages and mails all say days through ``days_text`` and ``day_text``, so a booking of
3 to 7 March reads "3–7 Mar 2027" everywhere, never "3 Mar to 8 Mar". A moment reads
"4 Jan 2027, 09:00 UTC" (``moment_text``, the ``moment`` filter) and a run of months
"January – March 2027" (``months_text``), never ``2027-01-04 09:00`` or ``2027-01``.
"""

from __future__ import annotations

import datetime as dt

DAY = dt.timedelta(days=1)


def last_day(end: dt.date) -> dt.date:
    """The last day of ``[start, end)``: the day before ``end``."""
    return end - DAY


def end_after(last: dt.date) -> dt.date:
    """``end`` of the days whose last day is ``last`` (a form's "last day" to storage)."""
    return last + DAY


def day_count(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def day_text(day: dt.date) -> str:
    """``3 Mar 2027``."""
    return f"{day.day} {day:%b %Y}"


def moment_text(at: dt.datetime) -> str:
    """``4 Jan 2027, 09:00 UTC`` (a naive time is taken as UTC, as the database keeps it)."""
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return f"{day_text(at.date())}, {at:%H:%M} UTC"


def months_text(start: dt.date, end: dt.date) -> str:
    """The whole months from the one holding ``start`` to the one before ``end``:
    ``January – March 2027``, ``December 2026 – February 2027``, or ``March 2027``."""
    last = last_day(end)
    if (start.year, start.month) == (last.year, last.month):
        return f"{start:%B %Y}"
    if start.year == last.year:
        return f"{start:%B} – {last:%B %Y}"
    return f"{start:%B %Y} – {last:%B %Y}"


def days_text(start: dt.date, end: dt.date) -> str:
    """``[start, end)`` as its first and last day: ``3–7 Mar 2027``, ``28 Feb – 3 Mar 2027``,
    ``30 Dec 2026 – 2 Jan 2027``, or ``3 Mar 2027`` for one day."""
    last = last_day(end)
    if last <= start:
        return day_text(start)
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}–{day_text(last)}"
    if start.year == last.year:
        return f"{start.day} {start:%b} – {day_text(last)}"
    return f"{day_text(start)} – {day_text(last)}"


def days_length_text(start: dt.date, end: dt.date) -> str:
    """``3–7 Mar 2027 (5 days)``."""
    count = day_count(start, end)
    return f"{days_text(start, end)} ({count} day{'' if count == 1 else 's'})"


def week_text(monday: dt.date | str) -> str:
    """The week starting ``monday`` (a date or an ISO date, as stored JSON keeps it):
    ``4–10 Jan 2027``."""
    first = dt.date.fromisoformat(monday) if isinstance(monday, str) else monday
    return days_text(first, first + dt.timedelta(days=7))
