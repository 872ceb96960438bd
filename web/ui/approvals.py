"""The approvals queue: filtered by type, release and week; requests that compete for the
same environment-days shown side by side with each one's suggested slot; each approved to
its suggested slot or another eligible environment (chosen from those with free days),
rejected with a reason, or waitlisted; or several approved at once to their suggested
slots (``approve_bulk``). Each decision is a service call; a clash or a stale request
comes back as a message on the queue, not an error page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for

from envsched import booking as booking_service
from envsched.booking import Slot, competing_groups, free_days, get_request
from envsched.days import days_text
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.inventory import natural_key
from envsched.models import Booking, BookingRequest, Environment
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import RequestRow, request_row, request_rows, type_names
from web.ui.forms import read_day
from web.ui.params import text_arg, week_arg

SUGGESTIONS = 4
FILTERS = ("type", "release", "week")


@dataclass(frozen=True)
class QueueFilter:
    """Which open requests the queue shows: of a type, for a release, asking for days in
    the week from ``week`` (a Monday)."""

    type: str | None = None
    release: str | None = None
    week: dt.date | None = None

    def admits(self, r: RequestRow) -> bool:
        if self.type and r.type != self.type:
            return False
        if self.release and r.release != self.release:
            return False
        return self.week is None or _asks_days_in(r, self.week)


def _asks_days_in(r: RequestRow, monday: dt.date) -> bool:
    """Whether the days the request asks for reach into the week from ``monday``: from its
    earliest start to its latest end, or (with none) its first possible days."""
    first_end = r.earliest_start + dt.timedelta(days=r.duration_days)
    last = r.latest_end if r.latest_end and not r.fixed else first_end
    return r.earliest_start < monday + dt.timedelta(days=7) and last > monday


@requires("requests:decide")
def approvals() -> Any:
    with read_transaction(sessions()) as session:
        waiting = request_rows(session, open_only=True)
        types = type_names(session)
    releases = sorted({r.release for r in waiting if r.release}, key=natural_key)
    chosen = _filter(types, releases)
    shown = [r for r in waiting if chosen.admits(r)]
    slots = free_days(sessions(), [r.id for r in shown], today=today())
    groups = competing_groups({r.id: slots[r.id][0] for r in shown if slots[r.id]})
    grouped, by_id = {i for g in groups for i in g}, {r.id: r for r in shown}
    over_quota = booking_service.quota_notes(
        sessions(), {r.id: slots[r.id][0] for r in shown if slots[r.id]}
    )
    return render_template(
        "approvals.html",
        groups=[[by_id[i] for i in g] for g in groups],
        alone=[r for r in shown if r.id not in grouped],
        slots=slots,
        chosen=chosen,
        types=types,
        releases=releases,
        total=len(waiting),
        shown=len(shown),
        suggestions=SUGGESTIONS,
        competing_heading=competing_heading,
        week_value=request.args.get("week", "") if chosen.week else "",
        over_quota=over_quota,
    )


def _filter(types: list[str], releases: list[str]) -> QueueFilter:
    """The filters asked for; one that names nothing known is dropped, with a message."""
    kind, release = text_arg("type"), text_arg("release")
    if kind and kind not in types:
        flash(f"type: there is no environment type {kind!r}; showing every type.", "error")
        kind = None
    if release and release not in releases:
        flash(
            f"release: no open request is for a release {release!r}; showing every release.",
            "error",
        )
        release = None
    return QueueFilter(kind, release, week_arg("week"))


def competing_heading(group: list[RequestRow], slots: dict[int, list[Slot]]) -> str:
    """``3 requests want PERF-3 on overlapping days``."""
    names = sorted({slots[r.id][0].environment for r in group}, key=natural_key)
    return f"{len(group)} requests want {' and '.join(names)} on overlapping days"


@requires("requests:decide")
def approve(request_id: int) -> Any:
    try:
        environment, start = _chosen_slot()
    except ValueError:
        flash(f"{_words(request_id)}: the start is not a date (YYYY-MM-DD).", "error")
        return back_to_queue()
    return _decide(
        request_id,
        lambda: booking_service.approve_request(
            sessions(),
            request_id,
            actor=current_user(),
            now=now(),
            environment=environment,
            start=start,
            quota_reason=request.form.get("quota_reason"),
        ),
        _booked,
    )


def _booked(booking: Booking) -> str:
    """``approved: UAT-1, 5–9 Jan 2027``, and what the approval recorded, if anything
    (that it went past the team's quota, and why)."""
    with read_transaction(sessions()) as session:
        name = session.get_one(Environment, booking.environment_id).name
        asked = session.get(BookingRequest, booking.request_id or 0)
    said = f"approved: {name}, {days_text(booking.start, booking.end)}"
    return f"{said}; recorded: {asked.decision_reason}" if asked and asked.decision_reason else said


def _chosen_slot() -> tuple[str | None, dt.date | None]:
    """``slot`` is "" (the earliest) or "ENV|YYYY-MM-DD"; or "other" with ``environment``
    (one of the eligible environments offered) and an optional ``start``."""
    slot = request.form.get("slot", "")
    if slot and slot != "other":
        name, _, day = slot.partition("|")
        return name, read_day(day)
    other = request.form.get("environment", "").strip() or None
    day = request.form.get("start", "").strip()
    return other, read_day(day) if day and other else None


@requires("requests:decide")
def reject(request_id: int) -> Any:
    reason = request.form.get("reason", "")
    return _decide(
        request_id,
        lambda: booking_service.reject_request(
            sessions(), request_id, reason, actor=current_user(), now=now()
        ),
        lambda _r: "rejected",
    )


@requires("requests:decide")
def waitlist(request_id: int) -> Any:
    reason = request.form.get("reason", "")
    return _decide(
        request_id,
        lambda: booking_service.waitlist_request(
            sessions(), request_id, actor=current_user(), now=now(), reason=reason
        ),
        lambda _r: "waitlisted: it gets the next freed days that fit",
    )


def _decide(request_id: int, action: Callable[[], Any], done: Callable[[Any], str]) -> Any:
    words = _words(request_id)
    try:
        result = action()
    except EnvschedError as exc:
        flash(f"{words}: {exc.said}", "error")
    else:
        flash(f"{words} {done(result)}.", "success")
    return back_to_queue()


def _words(request_id: int) -> str:
    """The request in words (``R1-UAT for tom``), for the messages."""
    try:
        with read_transaction(sessions()) as session:
            return request_row(session, get_request(session, request_id)).words
    except EnvschedError:
        return "That request"


def back_to_queue() -> Any:
    """Back to the queue, with the filters the form came from."""
    kept = {name: request.form.get(name, "") for name in FILTERS if request.form.get(name)}
    return redirect(url_for("ui.approvals") + (f"?{urlencode(kept)}" if kept else ""))
