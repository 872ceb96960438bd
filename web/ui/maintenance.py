"""Maintenance windows, added and removed on the environment's own page.

The form asks for the first and the last day, as the page shows windows; the service
takes the half-open ``[start, end)``. A window over live bookings is refused with the
bookings named; the manager may then add it anyway, and those bookings show as clashes
on the environment's page until someone moves them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, url_for

from envsched import inventory
from envsched.days import days_text
from envsched.db import read_transaction
from envsched.errors import BookingConflict, EnvschedError
from envsched.models import MaintenanceWindow
from envsched.models.base import TEXT_LENGTH
from web.auth import current_user, requires
from web.context import now, sessions
from web.ui.environments import WINDOW_LABELS, environment_page
from web.ui.forms import Form, clash_lines

DAY = dt.timedelta(days=1)


@requires("maintenance:write")
def window_add(name: str) -> Any:
    form = Form.posted(WINDOW_LABELS, prefix="window-")
    start, last = form.date("start"), form.date("last_day")
    reason = form.text("reason", longest=TEXT_LENGTH)
    if start and last and last < start:
        form.fail("last_day", f"{last} is before the first day, {start}")
    if not form.ok or start is None or last is None:
        return environment_page(name, window_form=form, status=400)
    try:
        inventory.add_maintenance_window(
            sessions(),
            name,
            start,
            last + DAY,
            actor=current_user(),
            now=now(),
            reason=reason,
            force=form.checked("force"),
        )
    except BookingConflict as exc:
        form.fail(
            "force",
            f"{exc.said}: {'; '.join(clash_lines(exc))}. Move them first, "
            f'or tick "Add it anyway" to block the days now.',
        )
        return environment_page(name, window_form=form, status=409)
    except EnvschedError as exc:
        form.absorb(exc, rename={"end": "last_day"})
        return environment_page(name, window_form=form, status=400)
    flash(f"Maintenance window {days_text(start, last + DAY)} is added to {name}.", "success")
    return redirect(url_for("ui.environment_detail", name=name, _anchor="windows-h"))


@requires("maintenance:write")
def window_remove(name: str, window_id: int) -> Any:
    with read_transaction(sessions()) as session:
        window = session.get(MaintenanceWindow, window_id)
        if window is None or window.environment.name != name:
            abort(404, f"{name} has no maintenance window #{window_id}.")
        days = days_text(window.start, window.end)
    try:
        inventory.remove_maintenance_window(sessions(), window_id, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        flash(f"Maintenance window {days} is removed from {name}.", "success")
    return redirect(url_for("ui.environment_detail", name=name, _anchor="windows-h"))
