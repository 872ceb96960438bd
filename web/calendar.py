"""iCalendar feeds of bookings, for calendar clients: one per environment, one per release.

A calendar client cannot sign in or send a bearer header, so the feed URL carries a
per-user feed token: ``?token=<user id>.<HMAC-SHA256 of the user id under the app's
secret key>``. It is derived, not stored, so no migration is needed; it stops working
when the user is deactivated or the secret key changes. The key is the same in every
process and across restarts (``web.secret_key``: ``ENVSCHED_SECRET_KEY``, or the key
kept in the instance folder), so a feed URL stays valid. Signing out or a new password
leaves it as it is: a calendar client holds no session.

Bookings are all-day events: ``DTSTART``/``DTEND`` are dates and iCalendar's ``DTEND``
is exclusive, exactly our half-open ``[start, end)``, so the dates go out unchanged.

A booking series (issue 16) is one recurring event: its first run with the series'
``RRULE``, an ``EXDATE`` for each run refused, cancelled or moved to another
environment, and an override (same ``UID``, ``RECURRENCE-ID`` the run's planned day)
for a run whose booking now holds other days or is tentative. Calendar clients
(Google, Outlook, Apple) import this form whole; lone ``RECURRENCE-ID`` events
without their master are what some of them drop. The runs' bookings are therefore
not repeated as single events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from icalendar import Calendar, Event, vRecur
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from envsched.booking import rrule
from envsched.days import days_text
from envsched.db import read_transaction, related
from envsched.errors import NotFound, PermissionDenied
from envsched.lifecycle import CalendarItem, calendar_items, calendar_months, get_release
from envsched.models import (
    Booking,
    BookingSeries,
    BookingStatus,
    Environment,
    MaintenanceWindow,
    Phase,
    SeriesOccurrence,
    User,
)
from envsched.permissions import can
from web.context import now, sessions

PERMISSION = "calendar:read"
FEED_STATUSES = (
    BookingStatus.TENTATIVE,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_USE,
    BookingStatus.RELEASED,
)
PRODID = "-//envsched//environment bookings//EN"

calendar = Blueprint("calendar", __name__, url_prefix="/calendar")


# -- feed tokens ------------------------------------------------------------------------------


def feed_token(user: User) -> str:
    return f"{user.id}.{_signature(user.id or 0)}"


def _signature(user_id: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"calendar-feed:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def feed_user(session: Session, token: str) -> User:
    """The active user whose feed token this is, holding the calendar permission."""
    user_id, _, signature = token.partition(".")
    if not user_id.isdigit() or not hmac.compare_digest(signature, _signature(int(user_id))):
        abort(401, "the feed token in the URL is missing or wrong")
    user = session.get(User, int(user_id))
    if user is None or not user.active:
        abort(401, "the feed token belongs to no active user")
    if not can(user, PERMISSION):
        raise PermissionDenied(f"{user.name} may not read calendars")
    return user


def feed_urls(user: User) -> dict[str, str]:
    """URL templates of ``user``'s feeds (``{name}``/``{key}`` to fill in)."""
    token = feed_token(user)
    return {
        kind: url_for(endpoint, token=token, _external=True, **{arg: "_"}).replace(
            "/_.ics", "/{" + arg + "}.ics"
        )
        for kind, endpoint, arg in (
            ("environment", "calendar.environment_feed", "name"),
            ("release", "calendar.release_feed", "key"),
        )
    }


# -- feeds ------------------------------------------------------------------------------------


@calendar.get("/environments/<name>.ics")
def environment_feed(name: str) -> Response:
    with read_transaction(sessions()) as session:
        feed_user(session, request.args.get("token", ""))
        env = session.exec(select(Environment).where(Environment.name == name)).first()
        if env is None:
            raise NotFound("environment", name)
        series = _series(session, BookingSeries.environment_id == env.id)
        bookings = _single(
            session.exec(_bookings().where(Booking.environment_id == env.id)).all(), series
        )
        events = [
            *map(booking_event, bookings),
            *_series_events(series),
            *map(window_event, env.maintenance_windows),
        ]
        return _ics(f"{env.name} bookings", events, f"{env.name}.ics")


@calendar.get("/releases/<key>.ics")
def release_feed(key: str) -> Response:
    with read_transaction(sessions()) as session:
        feed_user(session, request.args.get("token", ""))
        release = get_release(session, key)
        series = _series(
            session,
            col(BookingSeries.phase_id).in_(select(Phase.id).where(Phase.release_id == release.id)),
        )
        bookings = _single(
            session.exec(_bookings().join(Phase).where(Phase.release_id == release.id)).all(),
            series,
        )
        return _ics(
            f"{release.key} {release.title}".strip(),
            [*map(booking_event, bookings), *_series_events(series)],
            f"{release.key}.ics",
        )


@calendar.get("/release-calendar.ics")
def release_calendar_feed() -> Response:
    """Twelve months from this one: windows, releases, phases, deployments, freezes,
    maintenance (the items of the release calendar page)."""
    with read_transaction(sessions()) as session:
        feed_user(session, request.args.get("token", ""))
        start, end = calendar_months(now().date())
        items = calendar_items(session, start, end)
    return _ics("Release calendar", map(calendar_item_event, items), "release-calendar.ics")


def _bookings() -> SelectOfScalar[Booking]:
    return (
        select(Booking)
        .where(col(Booking.status).in_(FEED_STATUSES))
        .order_by(col(Booking.start), col(Booking.id))
    )


def _series(session: Session, where: Any) -> list[BookingSeries]:
    query = (
        select(BookingSeries)
        .where(where)
        .options(
            selectinload(related(BookingSeries.occurrences)).selectinload(
                related(SeriesOccurrence.booking)
            )
        )
        .order_by(col(BookingSeries.id))
    )
    return list(session.exec(query).all())


def _kept(series: BookingSeries, run: SeriesOccurrence) -> Booking | None:
    """The run's booking, if the series' event shows it (live or released, still on the
    series' environment)."""
    booking = run.booking
    if booking is None or booking.status not in FEED_STATUSES:
        return None
    return booking if booking.environment_id == series.environment_id else None


def _single(bookings: Sequence[Booking], series: Iterable[BookingSeries]) -> list[Booking]:
    """``bookings`` but those a series' event shows."""
    shown = {b.id for s in series for run in s.occurrences if (b := _kept(s, run))}
    return [b for b in bookings if b.id not in shown]


# -- events -----------------------------------------------------------------------------------


def _series_events(all_series: Iterable[BookingSeries]) -> Iterator[Event]:
    for series in all_series:
        runs = list(series.occurrences)
        kept = [(run, _kept(series, run)) for run in runs]
        if not runs or not any(booking for _, booking in kept):
            continue
        first = runs[0]
        stamp = max([series.created_at, *(b.updated_at for _, b in kept if b is not None)])
        what = series.note.strip().splitlines()[0] if series.note.strip() else "booking"
        if series.phase is not None:
            what = f"{series.phase.key} ({series.phase.release.key})"
        summary = f"{series.environment.name}: {what}"
        uid = f"series-{series.id}"
        master = _all_day(uid, first.start, first.end, summary, stamp)
        master.add("rrule", vRecur.from_ical(rrule(series)))
        for run, booking in kept:
            if booking is None:
                master.add("exdate", run.start)
        master.add("status", "CONFIRMED")
        master.add("description", f"repeating booking{': ' + series.note if series.note else ''}")
        master.add("categories", ["booking"])
        yield master
        for run, booking in kept:
            if booking is None:
                continue
            moved = (booking.start, booking.end) != (run.start, run.end)
            if moved or booking.status == BookingStatus.TENTATIVE:
                override = booking_event(booking)
                override["uid"] = f"{uid}@envsched"
                override.add("recurrence-id", run.start)
                yield override


def booking_event(booking: Booking) -> Event:
    phase = booking.phase
    what = f"{phase.key} ({phase.release.key})" if phase else (booking.note or "booking")
    event = _all_day(
        f"booking-{booking.id}",
        booking.start,
        booking.end,
        f"{booking.environment.name}: {what}",
        booking.updated_at,
    )
    event.add("status", "TENTATIVE" if booking.status == BookingStatus.TENTATIVE else "CONFIRMED")
    event.add(
        "description",
        f"{days_text(booking.start, booking.end)}, "
        f"status {booking.status.value}" + (f"\n{booking.note}" if booking.note else ""),
    )
    event.add("categories", ["booking"])
    return event


def window_event(window: MaintenanceWindow) -> Event:
    event = _all_day(
        f"maintenance-{window.id}",
        window.start,
        window.end,
        f"{window.environment.name}: maintenance",
        now(),
    )
    event.add("description", window.reason or "maintenance window")
    event.add("categories", ["maintenance"])
    return event


def calendar_item_event(item: CalendarItem) -> Event:
    event = _all_day(item.uid, item.start, item.end, f"{item.lane}: {item.label}", now())
    if item.detail:
        event.add("description", item.detail)
    event.add("categories", [item.kind])
    return event


def _all_day(uid: str, start: dt.date, end: dt.date, summary: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@envsched")
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("transp", "OPAQUE")
    event.add("dtstamp", stamp)
    return event


def _ics(name: str, events: Iterable[Event], filename: str) -> Response:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    response = Response(cal.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
