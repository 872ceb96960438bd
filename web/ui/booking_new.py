"""Booking an environment outright, as an environment manager does from the timeline.

The form opens prefilled from the days selected on a lane (``environment``, ``start``,
``last_day`` in the query string) and books through ``booking.book_direct``, the same
service as ``POST /api/v1/bookings``: the rulebook and the environment's own days decide,
and a refusal comes back next to the field it is about, naming the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
from flask import flash, redirect, render_template, request, url_for
from sqlmodel import Session, col, select

from envsched import booking, inventory
from envsched.booking import BookingIn, RuleBroken, not_booked_yet
from envsched.days import end_after
from envsched.db import read_transaction
from envsched.errors import BookingConflict, EnvschedError
from envsched.inventory import natural_key
from envsched.models import (
    OPEN_RELEASE_STATUSES,
    BookingStatus,
    Environment,
    Phase,
    Release,
)
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import bookable_environments, bookings_by_id
from web.timeline_items import RULE_WORDS
from web.ui.forms import Form, clash_lines
from web.ui.phase_choices import phase_label

LABELS = {
    "environment": "Environment",
    "start": "First day",
    "last_day": "Last day",
    "phase": "Release and phase",
    "status": "Status",
    "note": "Note",
}
RENAMED = {"end": "last_day"}  # the service's [start, end) as the form's last day
STATUSES = [("confirmed", "Confirmed"), ("tentative", "Tentative (pencilled in)")]


@requires("bookings:direct")
def booking_new() -> Any:
    if request.method == "POST":
        return _submit(Form.posted(LABELS))
    args = request.args
    first = args.get("start") or today().isoformat()
    return _page(
        Form(
            LABELS,
            {
                "environment": args.get("environment", ""),
                "start": first,
                "last_day": args.get("last_day") or first,
                "phase": args.get("phase", ""),
                "status": "confirmed",
            },
        )
    )


def _page(form: Form, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        envs = bookable_environments(session)
        chosen = next((e for e in envs if e.name == form.values.get("environment")), None)
        phases = phase_choices_for(session, chosen)
        stack = inventory.stack_of(session, chosen) if chosen else None  # issue 16
    return render_template(
        "booking_new.html",
        form=form,
        statuses=STATUSES,
        environments=[e.name for e in envs],
        phases=phases,
        stack=stack.name if stack else "",
    ), status


def phase_choices_for(
    session: Session, env: Environment | None, keep: Callable[[Phase], bool] | None = None
) -> list[tuple[str, str]]:
    """Phases of open releases not booked yet (of the environment's type, when chosen;
    those ``keep`` keeps, when given)."""
    query = (
        select(Phase, Release.key)
        .join(Release)
        .where(col(Release.status).in_(OPEN_RELEASE_STATUSES), not_booked_yet())
    )
    if env is not None:
        query = query.where(Phase.type_id == env.type_id)
    found = sorted(session.exec(query).all(), key=lambda r: (natural_key(r[1]), r[0].position))
    return [
        (p.key, phase_label(p.key, p.name, p.type.name, p.duration_days))
        for p, _ in found
        if keep is None or keep(p)
    ]


def _submit(form: Form) -> Any:
    environment = form.text("environment", required="choose an environment")
    start, last = form.date("start"), form.date("last_day")
    if start is not None and last is not None and last < start:
        form.fail("last_day", "the last day cannot come before the first day")
    if not form.ok or start is None or last is None:
        return _page(form, 400)
    try:
        data = BookingIn(
            environment=environment,
            start=start,
            end=end_after(last),
            phase=form.text("phase") or None,
            status=BookingStatus(form.values.get("status", "confirmed")),
            note=form.text("note", longest=2000),
        )
        booked = booking.book_direct(sessions(), data, actor=current_user(), now=now())
    except (pydantic.ValidationError, ValueError, EnvschedError) as exc:
        return _refused(form, exc)
    with read_transaction(sessions()) as session:
        row = bookings_by_id(session, [booked.id or 0])[booked.id or 0]
    flash(f"Booked: {row.words}.", "success")
    return redirect(url_for("ui.booking_detail", booking_id=row.id))


def _refused(form: Form, exc: Exception) -> Any:
    """Put the refusal next to its field; a broken rule is named in words first."""
    if isinstance(exc, RuleBroken):
        for field, message in exc.fields.items():
            name = RENAMED.get(field, field) if field in LABELS or field in RENAMED else "start"
            form.fail(name, f"{_rule(exc.breaks[0].rule)}: {message}")
        return _page(form, 409)
    if isinstance(exc, BookingConflict) and exc.fields:  # its own words say the rule
        for field, message in exc.fields.items():
            form.fail(RENAMED.get(field, field), message)
        return _page(form, 409)
    if isinstance(exc, BookingConflict):
        named = "; ".join(clash_lines(exc))
        form.fail("start", f"{_rule(exc.rule)}: {exc.said}{': ' + named if named else ''}")
        return _page(form, 409)
    if isinstance(exc, EnvschedError | pydantic.ValidationError):
        form.absorb(exc, rename=RENAMED)
    else:
        form.fail("status", str(exc))
    return _page(form, 400)


def _rule(rule: str | None) -> str:
    words = RULE_WORDS.get(rule or "", "not free")
    return words[0].upper() + words[1:]
