"""Booking series: a booking that repeats, each run booked as a direct booking is.

``series_days`` lays the runs out (weekly on some weekdays every N weeks, or every N
days; until a last start day or N times), the same runs the iCalendar RRULE of
``rrule`` describes. ``create_series`` books them in one transaction with the
environment locked, each run through ``place_locked`` (the rulebook, then the
environment's own days) inside a savepoint: a run that breaks a rule is stored as
refused, with the rule and why, and the others are booked. ``preview_series`` does the
same and rolls back, so the preview and the booking cannot disagree.

A run, once booked, is an ordinary booking: the planner, the clash report, moving and
handing back see it as any other. ``cancel_runs`` cancels one run, or it and every
later one, through the same give-back as cancelling a booking (freed days go to the
waitlist).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from envsched import audit
from envsched.booking.bookings import booking_transaction, phase_named, place_locked
from envsched.booking.giveback import cancel_locked
from envsched.booking.rulebook import RuleBroken
from envsched.booking.shapes import MAX_RUNS, OccurrenceOut, SeriesIn, SeriesOut
from envsched.days import day_text, days_text
from envsched.db import SessionFactory, read_transaction, related
from envsched.errors import BookingConflict, InvalidInput, InvalidState, NotFound
from envsched.inventory import lock_environment_named
from envsched.models import (
    LIVE_STATUSES,
    BookingSeries,
    Repeat,
    SeriesOccurrence,
    User,
)
from envsched.permissions import require
from envsched.serves import serves_text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Run:
    """One planned run: booked (``booking_id``) or refused (``rule``, ``reason``)."""

    start: dt.date
    end: dt.date
    booking_id: int | None = None
    rule: str = ""
    reason: str = ""

    @property
    def refused(self) -> bool:
        return self.booking_id is None


# -- laying the runs out ----------------------------------------------------------------------


def series_days(
    repeat: Repeat,
    every: int,
    weekdays: list[int],
    first: dt.date,
    until: dt.date | None,
    times: int | None,
) -> list[dt.date]:
    """The start days of the runs, as RFC 5545 expands ``rrule`` from the first of them."""
    found: list[dt.date] = []
    if repeat == Repeat.WEEKLY and not weekdays:
        return found
    for day in _candidates(repeat, every, weekdays, first):
        if (until is not None and day > until) or (times is not None and len(found) >= times):
            break
        found.append(day)
        if len(found) > MAX_RUNS:
            raise InvalidInput(
                "until", f"the series would have more than {MAX_RUNS} runs; end it sooner"
            )
    return found


def _candidates(
    repeat: Repeat, every: int, weekdays: list[int], first: dt.date
) -> Iterator[dt.date]:
    if repeat == Repeat.DAYS:
        day = first
        while True:
            yield day
            day += every * DAY
    monday = first - first.weekday() * DAY
    while True:
        for weekday in sorted(weekdays):
            day = monday + weekday * DAY
            if day >= first:
                yield day
        monday += 7 * every * DAY


def rrule(series: BookingSeries) -> str:
    """The runs planned, as an iCalendar RRULE value (weeks start on Monday)."""
    parts = [f"FREQ={'WEEKLY' if series.repeat == Repeat.WEEKLY else 'DAILY'}"]
    if series.every > 1:
        parts.append(f"INTERVAL={series.every}")
    if series.repeat == Repeat.WEEKLY:
        parts.append("BYDAY=" + ",".join(ICAL_DAYS[d] for d in sorted(series.weekdays)))
        parts.append("WKST=MO")
    if series.until is not None:
        parts.append(f"UNTIL={series.until:%Y%m%d}")
    if series.times is not None:
        parts.append(f"COUNT={series.times}")
    return ";".join(parts)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def repeat_text(series: BookingSeries) -> str:
    """ "Every Tuesday and Thursday, 2 days each, from 5 Jan 2027, 6 times" and the like."""
    if series.repeat == Repeat.WEEKLY:
        names = [DAY_NAMES[d] for d in sorted(series.weekdays)]
        on = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        every = f"Every {on}" if series.every == 1 else f"Every {series.every} weeks on {on}"
    else:
        every = "Every day" if series.every == 1 else f"Every {series.every} days"
    length = f"{series.length_days} day{'s' if series.length_days != 1 else ''} each"
    end = (
        f"until {day_text(series.until)}"
        if series.until
        else f"{series.times} time{'s' if series.times != 1 else ''}"
    )
    return f"{every}, {length}, from {day_text(series.first_day)}, {end}"


def _checked(data: SeriesIn, today: dt.date) -> tuple[list[int], list[dt.date]]:
    """The weekdays as numbers and the start days, or ``InvalidInput`` naming the field."""
    if data.start < today:
        raise InvalidInput("start", f"{day_text(data.start)} is in the past")
    if data.until is None and data.times is None:
        raise InvalidInput("until", "give the last day a run may start, or a number of runs")
    if data.until is not None and data.times is not None:
        raise InvalidInput("until", "give a last day or a number of runs, not both")
    if data.until is not None and data.until < data.start:
        raise InvalidInput("until", f"{day_text(data.until)} is before the first day")
    weekdays = sorted({WEEKDAYS.index(d) for d in data.weekdays})
    if data.repeat == "weekly" and not weekdays:
        raise InvalidInput("weekdays", "choose at least one weekday")
    if data.repeat == "days" and weekdays:
        raise InvalidInput("weekdays", "weekdays are for a weekly series; leave them out")
    repeat = Repeat(data.repeat)
    days = series_days(repeat, data.interval, weekdays, data.start, data.until, data.times)
    if not days:
        raise InvalidInput("until", "no run starts on a chosen weekday by then")
    for day, following in itertools.pairwise(days):
        if day + data.length_days * DAY > following:
            raise InvalidInput(
                "length_days",
                f"{data.length_days} days from {day_text(day)} run into the next run "
                f"on {day_text(following)}",
            )
    return weekdays, days


# -- booking ---------------------------------------------------------------------------------


def create_series(
    sessions: SessionFactory, data: SeriesIn, *, actor: User | None, now: dt.datetime
) -> BookingSeries:
    """Book every run the rules allow, in one transaction; store the refused ones too."""
    require(actor, "series:create")
    with booking_transaction(sessions) as session:
        series, _ = _book_runs(session, data, actor=actor, now=now)
    return series


def preview_series(
    sessions: SessionFactory, data: SeriesIn, *, actor: User | None, now: dt.datetime
) -> list[Run]:
    """What ``create_series`` would do now, run by run; nothing is kept."""
    require(actor, "series:create")
    session = sessions()
    try:
        session.begin()
        return _book_runs(session, data, actor=actor, now=now)[1]
    finally:
        session.rollback()
        session.close()


def _book_runs(
    session: Session, data: SeriesIn, *, actor: User | None, now: dt.datetime
) -> tuple[BookingSeries, list[Run]]:
    weekdays, days = _checked(data, now.date())
    env = lock_environment_named(session, data.environment)
    phase = phase_named(session, data.phase)
    series = BookingSeries(
        environment_id=env.id or 0,
        phase_id=phase.id if phase else None,
        repeat=Repeat(data.repeat),
        every=data.interval,
        weekdays=weekdays,
        first_day=data.start,
        length_days=data.length_days,
        until=data.until,
        times=data.times,
        pinned=data.pinned,
        note=data.note,
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(series)
    session.flush()
    said: dict[str, object] = {
        "environment_id": series.environment_id,
        "phase_id": series.phase_id,
        "note": series.note,
        "repeats": repeat_text(series),
    }
    audit.record(session, actor=actor, now=now, action="create", row=series, after=said)
    runs = []
    for day in days:
        end = day + data.length_days * DAY
        try:
            with session.begin_nested():
                booking = place_locked(
                    session,
                    env,
                    phase,
                    day,
                    end,
                    actor=actor,
                    now=now,
                    pinned=data.pinned,
                    note=data.note,
                )
            run = Run(day, end, booking_id=booking.id)
        except RuleBroken as exc:
            run = Run(day, end, rule=exc.breaks[0].rule, reason=exc.message)
        except BookingConflict as exc:
            run = Run(day, end, rule=exc.rule or "capacity", reason=_conflict_words(exc))
        runs.append(run)
        session.add(
            SeriesOccurrence(
                series_id=series.id or 0,
                start=run.start,
                end=run.end,
                booking_id=run.booking_id,
                rule=run.rule,
                reason=run.reason,
            )
        )
    return series, runs


def _conflict_words(exc: BookingConflict) -> str:
    held = [
        f"{c.serves or serves_text(c.phase)} holds {days_text(c.start, c.end)}" for c in exc.clashes
    ]
    return exc.message + (f" ({'; '.join(held)})" if held else "")


# -- reading and cancelling ------------------------------------------------------------------


def get_series(session: Session, series_id: int) -> BookingSeries:
    series = session.exec(
        select(BookingSeries)
        .where(BookingSeries.id == series_id)
        .options(
            selectinload(related(BookingSeries.occurrences)).selectinload(
                related(SeriesOccurrence.booking)
            )
        )
    ).first()
    if series is None:
        raise NotFound("booking series", series_id)
    return series


def series_out(sessions: SessionFactory, series_id: int) -> SeriesOut:
    """The series, with each run and its state, as the API and the pages show it."""
    with read_transaction(sessions) as session:
        series = get_series(session, series_id)
        phase = series.phase
        return SeriesOut(
            id=series.id or 0,
            environment=series.environment.name,
            phase=phase.key if phase else None,
            release=phase.release.key if phase else None,
            repeat=series.repeat.value,
            interval=series.every,
            weekdays=[WEEKDAYS[d] for d in series.weekdays],
            start=series.first_day,
            length_days=series.length_days,
            until=series.until,
            times=series.times,
            pinned=series.pinned,
            note=series.note,
            rrule=rrule(series),
            repeats=repeat_text(series),
            created_at=series.created_at,
            occurrences=[
                OccurrenceOut(
                    id=o.id or 0,
                    start=o.booking.start if o.booking else o.start,
                    end=o.booking.end if o.booking else o.end,
                    state=occurrence_state(o),
                    booking_id=o.booking_id,
                    rule=o.rule,
                    reason=o.reason,
                )
                for o in series.occurrences
            ],
        )


def series_of(sessions: SessionFactory, booking_id: int) -> int | None:
    """The series whose run ``booking_id`` is, if any."""
    with read_transaction(sessions) as session:
        return session.exec(
            select(SeriesOccurrence.series_id).where(SeriesOccurrence.booking_id == booking_id)
        ).first()


def occurrence_state(occurrence: SeriesOccurrence) -> str:
    """``refused``, or the status of the booking it became."""
    return "refused" if occurrence.booking is None else occurrence.booking.status.value


def cancel_runs(
    sessions: SessionFactory,
    series_id: int,
    occurrence_id: int,
    *,
    rest: bool,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> list[int]:
    """Cancel the booking of one run (``rest``: and of every later live run); the ids of
    the bookings cancelled. Their days go to the waitlist, as a cancelled booking's do."""
    require(actor, "series:cancel")
    with booking_transaction(sessions) as session:
        series = get_series(session, series_id)
        chosen = next((o for o in series.occurrences if o.id == occurrence_id), None)
        if chosen is None:
            raise NotFound("run of the series", occurrence_id)
        runs = [o for o in series.occurrences if o.start >= chosen.start] if rest else [chosen]
        live = [o.booking for o in runs if o.booking and o.booking.status in LIVE_STATUSES]
        if not live:
            raise InvalidState(
                f"the run of {day_text(chosen.start)} "
                + ("and those after it are" if rest else "is")
                + " not booked; nothing to cancel"
            )
        for booking in live:
            cancel_locked(session, booking, reason or "series cancelled", actor=actor, now=now)
        return [b.id or 0 for b in live]
