"""Releases: the list, and one release with its phases and their bookings.

Each phase shows the gates its start still waits for (``gate_rules``), and environment
managers start a confirmed booking from here.

A phase counts as booked while a booking holds it and once its booking has been handed
back (its testing done): a deployed release's phases stay booked. Cancelled bookings
are not shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import abort, render_template
from sqlmodel import Session, col, func, select
from werkzeug.wrappers import Response

from envsched import booking, lifecycle
from envsched.days import day_text
from envsched.db import read_transaction
from envsched.lifecycle import GatedStep
from envsched.models import Booking, BookingStatus, Phase, Release, ReleaseStatus, ReleaseWindow
from web.auth import current_user, requires
from web.context import now, sessions
from web.queries import BookingRow, booking_rows
from web.ui.lifecycle import act
from web.ui.paging import paging
from web.ui.params import form_id, text_arg

PAGE_SIZE = 100  # releases a page of the list


@requires("releases:read")
def release_list() -> Any:
    status = text_arg("status")
    query = select(Release).order_by(col(Release.earliest_start), col(Release.key))
    if status in set(ReleaseStatus):
        query = query.where(Release.status == ReleaseStatus(status))
    with read_transaction(sessions()) as session:
        page = paging(
            session.exec(select(func.count()).select_from(query.subquery())).one(), PAGE_SIZE
        )
        shown = session.exec(query.offset(page.offset).limit(page.size)).all()
        rows = _summaries(session, shown)
    return render_template(
        "releases.html",
        rows=rows,
        status=status,
        page=page,
        statuses=[s.value for s in ReleaseStatus],
    )


def _summaries(session: Session, releases: Sequence[Release]) -> list[dict[str, Any]]:
    """Each release with how many phases it has and how many are booked (live or handed
    back): two grouped queries for the whole list."""
    ids = [r.id for r in releases]
    release_id = col(Phase.release_id)
    phases = dict(
        session.exec(
            select(release_id, func.count()).where(release_id.in_(ids)).group_by(release_id)
        ).all()
    )
    booked = dict(
        session.exec(
            select(release_id, func.count(col(Phase.id).distinct()))
            .join(Booking)
            .where(release_id.in_(ids), Booking.status != BookingStatus.CANCELLED)
            .group_by(release_id)
        ).all()
    )
    return [
        {
            "key": r.key,
            "title": r.title,
            "type": r.type.value,
            "status": r.status.value,
            "priority": r.priority,
            "earliest_start": r.earliest_start,
            "due": r.due,
            "owner": r.owner,
            "phases": phases.get(r.id or 0, 0),
            "booked": booked.get(r.id or 0, 0),
        }
        for r in releases
    ]


def _bookings(session: Any, key: str) -> list[BookingRow]:
    """The release's bookings, live or handed back."""
    return [
        b
        for b in booking_rows(session, release=key, live_only=False)
        if b.status != BookingStatus.CANCELLED
    ]


@requires("releases:read")
def release_detail(key: str) -> Any:
    with read_transaction(sessions()) as session:
        release = session.exec(select(Release).where(Release.key == key)).first()
        if release is None:
            abort(404, f"No release {key!r}.")
        facts = _summaries(session, [release])[0]
        window = session.get(ReleaseWindow, release.window_id) if release.window_id else None
        bookings = _bookings(session, key)
        phases = [
            _phase(p, [b for b in bookings if b.phase == p.key], release.phases)
            | {"held": lifecycle.blocking(session, release, GatedStep.START, p)}
            for p in release.phases
        ]
    return render_template("release.html", release=facts, window=window, phases=phases)


@requires("bookings:start")
def booking_start(key: str) -> Response:
    """Hand a confirmed booking of the release over; the gates it waits for are checked
    by the service and a refusal, naming them, is a flash on the release page."""
    return act(
        lambda: booking.start_booking(
            sessions(), form_id("booking_id"), actor=current_user(), now=now()
        ),
        "ui.release_detail",
        lambda b: f"The booking from {day_text(b.start)} is in use from now on.",
        key=key,
    )


def _phase(phase: Any, bookings: list[Any], siblings: list[Any]) -> dict[str, Any]:
    if phase.after is not None:
        waits = ", ".join(phase.after) or "nothing"
    else:
        before = [p.key for p in siblings if p.position == phase.position - 1]
        waits = before[0] if before else "nothing"
    return {
        "key": phase.key,
        "name": phase.name,
        "type": phase.type.name,
        "duration_days": phase.duration_days,
        "gap_days": phase.gap_days,
        "after": waits,
        "tags": phase.required_tags,
        "environments": phase.environments,
        "stacks": phase.stacks,
        "bookings": bookings,
    }
