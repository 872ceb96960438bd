"""Change freezes: everyone sees them; environment and release managers add and remove.

As for maintenance windows, the form asks for the first and the last day and the
service stores ``[start, end)``. No ticked type means the freeze covers every type.
A freeze may be put over live bookings: the list shows how many run into each, and
the clashes pages name them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, url_for
from sqlmodel import Session, col, select

from envsched import inventory
from envsched.days import days_text
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models import LIVE_STATUSES, Booking, Environment, EnvironmentType, Freeze
from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import type_names
from web.ui.forms import Form

DAY = dt.timedelta(days=1)
LABELS = {
    "name": "Name",
    "start": "First day",
    "last_day": "Last day",
    "types": "Environment types",
    "reason": "Reason",
}


@requires("environments:read")
def freeze_list() -> Any:
    return _page(Form(LABELS, prefix="freeze-"))


@requires("freezes:write")
def freeze_add() -> Any:
    form = Form.posted(LABELS, prefix="freeze-")
    name = form.text("name", longest=NAME_LENGTH)
    start, last = form.date("start"), form.date("last_day")
    reason = form.text("reason", longest=TEXT_LENGTH)
    if start and last and last < start:
        form.fail("last_day", f"{last} is before the first day, {start}")
    if not form.ok or start is None or last is None:
        return _page(form, status=400)
    try:
        inventory.create_freeze(
            sessions(),
            start,
            last + DAY,
            actor=current_user(),
            now=now(),
            types=form.words("types"),
            name=name,
            reason=reason,
        )
    except EnvschedError as exc:
        form.absorb(exc, rename={"end": "last_day"})
        return _page(form, status=400)
    flash(f"{name or 'The freeze'}, {days_text(start, last + DAY)}, is added.", "success")
    return redirect(url_for("ui.freeze_list"))


@requires("freezes:write")
def freeze_remove(freeze_id: int) -> Any:
    try:
        inventory.remove_freeze(sessions(), freeze_id, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        flash("The freeze is removed.", "success")
    return redirect(url_for("ui.freeze_list"))


def _page(form: Form, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        freezes = session.exec(select(Freeze).order_by(col(Freeze.start), col(Freeze.id))).all()
        rows = [(f, _bookings_in(session, f)) for f in freezes]
        types = type_names(session)
    return render_template("freezes.html", rows=rows, form=form, types=types, today=today()), status


def _bookings_in(session: Session, freeze: Freeze) -> int:
    """How many live bookings run into ``freeze`` (the clashes it makes)."""
    types = session.exec(
        select(EnvironmentType.name)
        .select_from(Booking)
        .join(Environment)
        .join(EnvironmentType)
        .where(
            col(Booking.status).in_(LIVE_STATUSES),
            Booking.start < freeze.end,
            Booking.end > freeze.start,
        )
    ).all()
    return sum(1 for type_name in types if freeze.covers(type_name))
