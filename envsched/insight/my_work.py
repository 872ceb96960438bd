"""What waits for one person: the bookings that are theirs, and the gates their role signs
whose step is near (a gate nobody needs yet is not work yet).

A gate is *due* when it is open or vetoed and
* an entry gate: its phase's live booking starts within ``DUE_WITHIN_DAYS`` and is not in
  use yet (starting it needs the gate);
* an exit gate: its phase's booking is in use, or over (its release's readiness needs it);
* the go/no-go: its release is ready (the deployment needs it).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from envsched.booking import owned_by
from envsched.inventory import natural_key
from envsched.lifecycle import GateView, gate_views, stored_gates_by_release
from envsched.models import (
    LIVE_STATUSES,
    OPEN_RELEASE_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    GateKind,
    Phase,
    Release,
    ReleaseStatus,
    Role,
    User,
)

DUE_WITHIN_DAYS = 14
HELD = (*LIVE_STATUSES, BookingStatus.RELEASED)


def my_booking_ids(session: Session, user: User) -> list[int]:
    """``user``'s live bookings, by start: of their requests, or booked by them directly
    (a booking made by approving someone's request is the requester's, not the
    approver's, as ``notify.booker`` says)."""
    query = (
        select(Booking.id)
        .outerjoin(BookingRequest, col(Booking.request_id) == BookingRequest.id)
        .where(
            col(Booking.status).in_(LIVE_STATUSES),
            owned_by(user.id),
        )
        .order_by(col(Booking.start), col(Booking.id))
    )
    return [i for i in session.exec(query).all() if i is not None]


def due_gates(session: Session, user: User, today: dt.date) -> list[GateView]:
    """The due gates (see the module) that ``user``'s role signs (an admin: every one),
    by release and phase order."""
    releases = sorted(
        session.exec(select(Release).where(col(Release.status).in_(OPEN_RELEASE_STATUSES))).all(),
        key=lambda release: natural_key(release.key),
    )
    stored = stored_gates_by_release(session)
    held = _bookings_by_phase(session, [r.id for r in releases if r.id is not None])
    due = []
    for release in releases:
        for view in gate_views(release, stored.get(release.id or 0, [])):
            if _signs(user, view) and _is_due(view, release, held, today):
                due.append(view)
    return due


def _signs(user: User, view: GateView) -> bool:
    return not view.passed and user.role in (Role.ADMIN, view.signoff_role)


def _is_due(
    view: GateView, release: Release, held: dict[str, list[Booking]], today: dt.date
) -> bool:
    if view.kind == GateKind.GO_NO_GO:
        return release.status == ReleaseStatus.READY
    bookings = held.get(view.phase or "", [])
    if view.kind == GateKind.ENTRY:
        soon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
        return any(
            b.status in LIVE_STATUSES and b.status != BookingStatus.IN_USE and b.start <= soon
            for b in bookings
        )
    return any(b.status == BookingStatus.IN_USE or b.end <= today for b in bookings)


def _bookings_by_phase(session: Session, release_ids: list[int]) -> dict[str, list[Booking]]:
    """The live and handed-back bookings of the releases' phases, by phase key."""
    rows = session.exec(
        select(Booking, Phase.key)
        .join(Phase, col(Booking.phase_id) == Phase.id)
        .where(col(Phase.release_id).in_(release_ids), col(Booking.status).in_(HELD))
    ).all()
    found: dict[str, list[Booking]] = {}
    for booking, key in rows:
        found.setdefault(key, []).append(booking)
    return found
