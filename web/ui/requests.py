"""Booking requests: the form (with free slots offered as you type), a request's page,
withdrawing one, and the small JSON route the form asks for slots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
from flask import flash, jsonify, redirect, render_template, request, url_for
from sqlmodel import Session, select

from envsched import booking, planning
from envsched.booking import (
    BookingRequestIn,
    RuleBroken,
    find_free_slots,
    may_withdraw,
    withdraw_request,
)
from envsched.days import days_text, end_after, last_day
from envsched.db import read_transaction
from envsched.errors import EnvschedError, InvalidInput
from envsched.models import Booking, Environment, Phase
from envsched.models.limits import MAX_DAYS
from envsched.permissions import can
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import bookable_environments, bookings_by_id, request_row, type_names
from web.ui.forms import read_day
from web.ui.params import form_date
from web.ui.phase_choices import phase_choices

SLOT_LIMIT = 5


@requires("requests:create")
def request_new() -> Any:
    if request.method == "POST":
        return _submit()
    return _form(
        values={
            "release": request.args.get("release", ""),
            "phase": request.args.get("phase", ""),
            "q": request.args.get("q", "").strip(),
            "earliest_start": today().isoformat(),
            "priority": "1",
            **_chosen_days(
                request.args.get("environment", ""),
                request.args.get("start", ""),
                request.args.get("last_day", ""),
            ),
        }
    )


def _chosen_days(environment: str, start: str, last: str) -> dict[str, Any]:
    """The form's fields for days chosen on the timeline: that environment (and its type),
    exactly those days. What does not read as an environment or dates is left out."""
    try:
        first, final = dt.date.fromisoformat(start), dt.date.fromisoformat(last or start)
    except ValueError:
        return {"environment": environment} if environment else {}
    if final < first:
        return {"environment": environment} if environment else {}
    with read_transaction(sessions()) as session:
        env = session.exec(select(Environment).where(Environment.name == environment)).first()
        kind = env.type.name if env is not None else ""
    return {
        "environment": environment if env is not None else "",
        "type": kind,
        "earliest_start": first.isoformat(),
        "latest_end": end_after(final).isoformat(),
        "duration_days": str((final - first).days + 1),
        "fixed": "on",
    }


def _form(values: dict[str, Any], error: str = "", field: str = "", status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        choices = phase_choices(
            session,
            values.get("q") or None,
            phase=values.get("phase") or None,
            release=values.get("release") or None,
        )
        types = type_names(session)
        names = [env.name for env in bookable_environments(session)]
    return render_template(
        "request_form.html",
        choices=choices,
        types=types,
        values=values,
        environments=names,
        error=error,
        field=field,
    ), status


def _submit() -> Any:
    form = request.form
    try:
        data = BookingRequestIn.model_validate(
            {
                "phase": form.get("phase") or None,
                "type": None if form.get("phase") else (form.get("type") or None),
                "duration_days": int(form.get("duration_days") or 0),
                "earliest_start": form_date("earliest_start"),
                "latest_end": form_date("latest_end"),
                "environments": [form["environment"]] if form.get("environment") else None,
                "fixed": form.get("fixed") == "on",
                "priority": int(form.get("priority") or 1),
                "justification": form.get("justification", ""),
            }
        )
        created = booking.request_booking(sessions(), data, actor=current_user(), now=now())
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        return _form(dict(form), f"{first['loc'][0]}: {first['msg']}", str(first["loc"][0]), 400)
    except ValueError as exc:
        return _form(dict(form), f"Check the numbers and dates: {exc}", "", 400)
    except InvalidInput as exc:
        field = "environment" if exc.field == "environments" else exc.field
        return _form(dict(form), exc.said, field, 400)
    except RuleBroken as exc:  # the message names the rule, the field where it bites
        return _form(dict(form), exc.said, next(iter(exc.fields), ""), 409)
    with read_transaction(sessions()) as session:
        words = request_row(session, booking.get_request(session, created.id or 0)).asks
    flash(
        f"Your request for {words} is submitted for approval.{_quota_words(created.id)}", "success"
    )
    return redirect(url_for("ui.request_detail", request_id=created.id))


def _quota_words(request_id: int | None) -> str:
    """What a new request's earliest days would take its team past (" …", or "")."""
    slots = booking.suggest_slots(sessions(), request_id or 0, limit=1, today=today())
    notes = booking.quota_notes(sessions(), {request_id or 0: slots[0]}) if slots else {}
    note = notes.get(request_id or 0)
    return f" {note}: an environment manager approves it past the quota, or not." if note else ""


@requires("requests:read")
def request_detail(request_id: int) -> Any:
    with read_transaction(sessions()) as session:
        row = booking.get_request(session, request_id)
        shown = request_row(session, row)
        booked = session.exec(select(Booking.id).where(Booking.request_id == request_id)).all()
        bookings = sorted(
            bookings_by_id(session, [i for i in booked if i is not None]).values(),
            key=lambda b: (b.start, b.id),
        )
        withdrawable = may_withdraw(session, row, today())
        refusal = planning.latest_refusal(session, row)
        never = booking.why_no_slot(session, row, today())
    open_ = shown.status in ("requested", "waitlisted")
    slots = booking.suggest_slots(sessions(), request_id, today=today()) if open_ else []
    user = current_user()
    may_cancel = (
        withdrawable
        and user is not None
        and (user.name == shown.requester or can(user, "requests:cancel-others"))
    )
    return render_template(
        "request.html",
        r=shown,
        slots=slots,
        bookings=bookings,
        may_cancel=may_cancel,
        refusal=refusal,
        never=never,
    )


@requires("requests:cancel")
def request_cancel(request_id: int) -> Any:
    try:
        withdraw_request(sessions(), request_id, actor=current_user(), now=now())
        with read_transaction(sessions()) as session:
            words = request_row(session, booking.get_request(session, request_id)).words
        flash(f"Request withdrawn: {words}.", "success")
    except EnvschedError as exc:
        flash(exc.said, "error")
    back = request.form.get("next", "")  # a page of this site the form came from (My work)
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("ui.request_detail", request_id=request_id))


@requires("slots:read")
def request_slots() -> Any:
    """``{"slots": [...]}``: the earliest free slots for a phase (or a type) from a date."""
    args = request.args
    try:
        after = read_day(args.get("after") or today().isoformat())
        before = read_day(args["before"]) if args.get("before") else None
        duration = int(args.get("duration") or 0)
        if not 1 <= duration <= MAX_DAYS:
            raise ValueError(f"duration must be a whole number of days, 1 to {MAX_DAYS}")
    except ValueError as exc:
        return jsonify({"error": {"code": "invalid_input", "message": str(exc)}}), 400
    with read_transaction(sessions()) as session:
        phase = session.exec(select(Phase).where(Phase.key == args.get("phase", ""))).first()
        found = _slots(
            session,
            phase,
            args.get("type") or None,
            duration,
            max(after, today()),
            before,
            args.get("environment") or None,
        )
        if found is None:
            return jsonify({"slots": [], "message": "choose a phase or a type"})
    return jsonify(
        {
            "slots": [
                {
                    "environment": s.environment,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "last_day": last_day(s.end).isoformat(),
                    "days": days_text(s.start, s.end),
                }
                for s in found.slots
            ],
            "message": _slots_message(found),
        }
    )


def _slots(
    session: Session,
    phase: Phase | None,
    type_name: str | None,
    duration: int,
    after: dt.date,
    before: dt.date | None,
    environment: str | None,
) -> booking.PhaseSlots | None:
    """Free slots for the phase (else the type), on ``environment`` alone when one is
    chosen (the timeline's days are for that environment)."""
    if phase is not None:
        found = booking.phase_slots(
            session, phase, duration, after, before, limit=SLOT_LIMIT, today=today()
        )
        if environment is None:
            return found
        return booking.PhaseSlots(
            [s for s in found.slots if s.environment == environment], found.note
        )
    if type_name is None:
        return None
    only = [environment] if environment else None
    return booking.PhaseSlots(
        find_free_slots(
            session, type_name, duration, after, environments=only, before=before, limit=SLOT_LIMIT
        )
    )


def _slots_message(found: booking.PhaseSlots) -> str:
    count = len(found.slots)
    if not count:
        return f"{found.note}No free slot for these days." if found.note else ""
    return (
        f"{found.note}{count} free slot{'s' if count != 1 else ''} found; the first is suggested."
    )
