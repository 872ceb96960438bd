"""Stacks (issue 16): environments booked together. Everyone sees them; environment
managers and admins add and remove them, and book a whole stack from its page through
``booking.book_stack``, the service behind ``POST /api/v1/stacks/<stack>/bookings``. A
refusal names the environment in the way and the rule, next to the days."""

from __future__ import annotations

from typing import Any

import pydantic
from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import Session, col, select

from envsched import booking, inventory
from envsched.booking import RuleBroken, StackBookingIn
from envsched.days import days_text, end_after
from envsched.db import read_transaction
from envsched.errors import BookingConflict, EnvschedError, NotFound
from envsched.inventory import StackIn
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    Environment,
    Phase,
    Stack,
    StackBookingPart,
    StackMember,
)
from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import bookable_environments
from web.timeline_items import RULE_WORDS
from web.ui.booking_new import phase_choices_for
from web.ui.forms import Form, clash_lines

STACK_LABELS = {"name": "Name", "members": "Environments", "description": "Description"}
BOOK_LABELS = {
    "start": "First day",
    "last_day": "Last day",
    "phase": "Release and phase",
    "note": "Note",
}


@requires("stacks:read")
def stack_list() -> Any:
    return _list_page(Form(STACK_LABELS, prefix="stack-"))


@requires("stacks:write")
def stack_add() -> Any:
    form = Form.posted(STACK_LABELS, prefix="stack-")
    name = form.text("name", required="give the stack a name", longest=NAME_LENGTH)
    members = request.form.getlist("members")
    if not members:
        form.fail("members", "tick at least one environment")
    if not form.ok:
        return _list_page(form, 400)
    try:
        data = StackIn(
            name=name,
            members=members,
            description=form.text("description", longest=TEXT_LENGTH),
        )
        inventory.create_stack(sessions(), data, actor=current_user(), now=now())
    except (pydantic.ValidationError, EnvschedError) as exc:
        form.absorb(exc)
        return _list_page(form, 400)
    flash(f"The stack {name} ({', '.join(members)}) is added.", "success")
    return redirect(url_for("ui.stack_detail", name=name))


@requires("stacks:read")
def stack_detail(name: str) -> Any:
    first = request.args.get("start") or today().isoformat()
    values = {"start": first, "last_day": request.args.get("last_day") or first}
    return _detail_page(name, Form(BOOK_LABELS, values, prefix="book-"))


@requires("stacks:book")
def stack_book(name: str) -> Any:
    form = Form.posted(BOOK_LABELS, prefix="book-")
    start, last = form.date("start"), form.date("last_day")
    if start is not None and last is not None and last < start:
        form.fail("last_day", "the last day cannot come before the first day")
    if not form.ok or start is None or last is None:
        return _detail_page(name, form, 400)
    try:
        data = StackBookingIn(
            start=start,
            end=end_after(last),
            phase=form.text("phase") or None,
            note=form.text("note", longest=TEXT_LENGTH),
        )
        done = booking.book_stack(sessions(), name, data, actor=current_user(), now=now())
    except NotFound:
        abort(404)
    except (pydantic.ValidationError, ValueError, EnvschedError) as exc:
        return _refused(name, form, exc)
    members = ", ".join(p.environment for p in done.bookings)
    flash(f"Booked the stack {name}: {members}, {days_text(done.start, done.end)}.", "success")
    return redirect(url_for("ui.stack_detail", name=name))


@requires("stacks:book")
def stack_booking_cancel(name: str, stack_booking_id: int) -> Any:
    try:
        cancelled = booking.cancel_stack_booking(
            sessions(),
            name,
            stack_booking_id,
            actor=current_user(),
            now=now(),
            reason=request.form.get("reason", "").strip(),
        )
    except NotFound:
        abort(404)
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        names = ", ".join(sorted(part.environment for part in cancelled))
        flash(f"Cancelled the stack booking: {names}.", "success")
    return redirect(url_for("ui.stack_detail", name=name))


@requires("stacks:write")
def stack_remove(name: str) -> Any:
    try:
        inventory.delete_stack(sessions(), name, actor=current_user(), now=now())
    except NotFound:
        abort(404)
    flash(f"The stack {name} is removed; its environments and bookings stay.", "success")
    return redirect(url_for("ui.stack_list"))


def _refused(name: str, form: Form, exc: Exception) -> Any:
    """The refusal next to the days, the rule in words first, the member named."""
    if isinstance(exc, RuleBroken):
        form.fail("start", f"{_rule(exc.breaks[0].rule)}: {exc.said}")
        return _detail_page(name, form, 409)
    if isinstance(exc, BookingConflict):  # a conflict naming its field says its rule itself
        named = "; ".join(clash_lines(exc))
        rule = "" if exc.fields else f"{_rule(exc.rule)}: "
        form.fail("start", f"{rule}{exc.said}{': ' + named if named else ''}")
        return _detail_page(name, form, 409)
    if isinstance(exc, EnvschedError | pydantic.ValidationError):
        form.absorb(exc, rename={"end": "last_day"})
    else:
        form.fail("start", str(exc))
    return _detail_page(name, form, 400)


def _rule(rule: str | None) -> str:
    words = RULE_WORDS.get(rule or "", "not free")
    return words[0].upper() + words[1:]


def _list_page(form: Form, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        stacks = inventory.stacks(session)
        taken = set(session.exec(select(StackMember.environment_id)).all())
        free = [e.name for e in bookable_environments(session) if e.id not in taken]
    chosen = request.form.getlist("members") if request.method == "POST" else []
    return render_template(
        "stacks.html", stacks=stacks, form=form, free=free, chosen=chosen
    ), status


def _detail_page(name: str, form: Form, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        found = next((s for s in inventory.stacks(session) if s.name == name), None)
        if found is None:
            abort(404)
        stack = inventory.stack_named(session, name)
        bookings = _stack_bookings(session, stack.id or 0)
        phases = _phases(session, stack)
    return render_template(
        "stack.html", stack=found, form=form, bookings=bookings, phases=phases
    ), status


def _part_states(parts: Any, end: Any) -> list[tuple[Any, ...]]:
    """Each member's booking as the page says its state: as of today (``ended`` once its
    days are over, as every booking page says it), and whether it was checked in."""
    day = today()
    return [(i, env, booking.shown_status(s, end, day), checked) for i, env, s, checked in parts]


def _stack_bookings(session: Session, stack_id: int) -> list[dict[str, Any]]:
    """The stack's bookings, latest days first: days, phase, note, the members booked."""
    rows = []
    for group in booking.stack_bookings(session, stack_id):
        parts = session.exec(
            select(Booking.id, Environment.name, Booking.status, Booking.checked_in_at)
            .join(StackBookingPart, col(StackBookingPart.booking_id) == Booking.id)
            .join(Environment, col(Environment.id) == Booking.environment_id)
            .where(StackBookingPart.stack_booking_id == group.id)
        ).all()
        phase = session.get(Phase, group.phase_id) if group.phase_id else None
        rows.append(
            {
                "id": group.id,
                "cancellable": any(part[2] in LIVE_STATUSES for part in parts)
                and not any(booking.under_way(s, group.start, at, today()) for *_, s, at in parts),
                "start": group.start,
                "end": group.end,
                "phase": phase.key if phase else "",
                "note": group.note,
                "parts": sorted(_part_states(parts, group.end), key=lambda p: p[1]),
            }
        )
    return rows


def _phases(session: Session, stack: Stack) -> list[tuple[str, str]]:
    """Phases to offer: the booking form's (of open releases, not booked yet) that a
    member serves, by the rule booking the stack applies (``inventory.serving_member``)."""
    members = inventory.stack_members(session, stack)
    served = phase_choices_for(
        session, None, lambda phase: inventory.serving_member(members, phase) is not None
    )
    return [("", "— none: hold the stack —"), *served]
