"""The approvals queue: environment managers approve to the suggested slot or another,
reject with a reason, or waitlist. Each decision is one service call; a clash or a
stale request comes back as a message on the queue, not an error page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from envsched.days import days_text
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models import Booking, Environment
from envsched.services import booking as booking_service
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.ui.forms import read_day
from web.ui.queries import request_rows

SUGGESTIONS = 4


@requires("requests:decide")
def approvals() -> Any:
    with read_transaction(sessions()) as session:
        waiting = request_rows(session, open_only=True)
    queue = [(r, booking_service.suggest_slots(sessions(), r.id, limit=SUGGESTIONS,
                                                       today=today()))
             for r in waiting]
    return render_template("approvals.html", queue=queue)


@requires("requests:decide")
def approve(request_id: int) -> Any:
    try:
        environment, start = _chosen_slot()
    except ValueError:
        flash(f"Request #{request_id}: the start is not a date (YYYY-MM-DD).", "error")
        return redirect(url_for("ui.approvals"))
    return _decide(request_id, lambda: booking_service.approve_request(
        sessions(), request_id, actor=current_user(), now=now(), environment=environment,
        start=start), _booked)


def _booked(booking: Booking) -> str:
    with read_transaction(sessions()) as session:
        name = session.get_one(Environment, booking.environment_id).name
    return f"approved: {name}, {days_text(booking.start, booking.end)}"


def _chosen_slot() -> tuple[str | None, dt.date | None]:
    """``slot`` is "" (the earliest) or "ENV|YYYY-MM-DD"; or ``environment`` + ``start``."""
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
    return _decide(request_id, lambda: booking_service.reject_request(
        sessions(), request_id, reason, actor=current_user(), now=now()),
        lambda _r: "rejected")


@requires("requests:decide")
def waitlist(request_id: int) -> Any:
    reason = request.form.get("reason", "")
    return _decide(request_id, lambda: booking_service.waitlist_request(
        sessions(), request_id, actor=current_user(), now=now(), reason=reason),
        lambda _r: "waitlisted: it gets the next freed days that fit")


def _decide(request_id: int, action: Callable[[], Any], done: Callable[[Any], str]) -> Any:
    try:
        result = action()
    except EnvschedError as exc:
        flash(f"Request #{request_id}: {exc.message}", "error")
    else:
        flash(f"Request #{request_id} {done(result)}.", "success")
    return redirect(url_for("ui.approvals"))
