"""The signed-in person's notifications (what happened to their requests and bookings, and
an environment's outage), newest first, and marking them read: one, or all. Only one's
own: the service refuses another person's."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import flash, redirect, render_template, url_for

from envsched import notify
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models import Environment
from web.auth import current_user, requires
from web.context import now, sessions


@requires("notifications:read")
def notifications() -> Any:
    user = current_user()
    assert user is not None  # @requires signed them in
    rows = notify.notifications(sessions(), user)
    with read_transaction(sessions()) as session:
        found = (session.get(Environment, r.entity_id) for r in rows if r.entity == "environment")
        names = {env.id or 0: env.name for env in found if env is not None}
    return render_template("notifications.html", rows=rows, link=partial(link, names=names))


def link(row: notify.NotificationRow, names: dict[int, str]) -> str | None:
    """The page of what ``row`` is about: its request, its booking, or its environment's
    health (``names``: environment names by id); None: none of them."""
    if row.entity == "booking_request":
        return url_for("ui.request_detail", request_id=row.entity_id)
    if row.entity == "booking":
        return url_for("ui.booking_detail", booking_id=row.entity_id)
    if row.entity == "environment" and row.entity_id in names:
        return url_for("ui.environment_detail", name=names[row.entity_id], _anchor="health-h")
    return None


@requires("notifications:read")
def notifications_read() -> Any:
    count = notify.mark_read(sessions(), current_user(), now=now())
    flash(f"{count} notification{'s' if count != 1 else ''} marked read.", "success")
    return redirect(url_for("ui.notifications"))


@requires("notifications:read")
def notification_read(notification_id: int) -> Any:
    try:
        notify.mark_read(sessions(), current_user(), now=now(), notification_id=notification_id)
    except EnvschedError:
        flash("That notification is not yours, or no longer there.", "error")
    return redirect(url_for("ui.notifications"))
