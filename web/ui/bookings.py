"""One booking's page, and acting on it: move (to a free slot of its phase, or to any
environment and first day, checked as a new booking would be), cancel, hand back early;
its request is withdrawn from the request's own button, shown here too.

Reached from a bar of a timeline, a clash, the environment page and the release page.
Each button shows only to whom the service would let do it; the service still decides,
and its refusal comes back next to the field it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from envsched import booking
from envsched import booking as move
from envsched.booking import RuleBroken, StateClash, find_clashes, may_withdraw
from envsched.db import read_transaction
from envsched.errors import BookingConflict, EnvschedError
from envsched.models import BookingRequest, User
from envsched.permissions import can
from web.auth import current_user, requires
from web.context import now, sessions, settings, today
from web.queries import BookingRow, bookings_by_id
from web.ui.forms import Form, clash_lines

MOVE_LABELS = {
    "environment": "Environment",
    "start": "First day",
    "force_reason": "To move it anyway, say why",
}
LIVE = ("tentative", "confirmed", "in_use")


@dataclass(frozen=True)
class Powers:
    """What the signed-in user may do to this booking now (the service has the last word)."""

    move: bool
    cancel: bool
    hand_back: bool
    withdraw: bool
    check_in: bool = False


@requires("bookings:read")
def booking_detail(booking_id: int) -> Any:
    return booking_page(booking_id)


def booking_page(booking_id: int, move_form: Form | None = None, status: int = 200) -> Any:
    row, withdrawable = _booking(booking_id)
    clashes = [c for c in find_clashes(sessions()) if booking_id in c.booking_ids]
    named = clash_bookings(clashes)
    with read_transaction(sessions()) as session:
        checkin = booking.checkins(session, [booking_id], hours=settings().checkin_hours)
    powers = booking_powers(current_user(), row, withdrawable, checkin[booking_id])
    choices = move.move_choices(sessions(), booking_id, today=today()) if powers.move else None
    return render_template(
        "booking.html",
        b=row,
        powers=powers,
        clashes=clashes,
        clash_groups=grouped_clashes(clashes),
        named=named,
        choices=choices,
        next_url=_next_url(),
        today_iso=today().isoformat(),
        today_date=today(),
        hand_back_from=booking.hand_back_day(today()),
        move_form=move_form or _blank_move_form(row),
        series_id=booking.series_of(sessions(), booking_id),  # booking series (issue 16)
        stacked=booking.stacked_with(sessions(), booking_id),
        checkin=checkin[booking_id],
        now_at=now(),
    ), status


def _booking(booking_id: int) -> tuple[BookingRow, bool]:
    """The booking as a row, and whether its request could be withdrawn today."""
    with read_transaction(sessions()) as session:
        found = bookings_by_id(session, [booking_id])
        if booking_id not in found:
            abort(404, f"No booking #{booking_id}.")
        row = found[booking_id]
        asked = session.get(BookingRequest, row.request_id) if row.request_id else None
        withdrawable = asked is not None and may_withdraw(session, asked, today())
    return row, withdrawable


def booking_powers(
    user: User | None, row: BookingRow, withdrawable: bool, checkin: booking.CheckIn
) -> Powers:
    day = today()
    live = row.status in LIVE and row.end > day  # an ended booking: nothing left to act on
    own = user is not None and row.requester == user.name
    gives_back = (
        live and can(user, "bookings:cancel") and (own or can(user, "bookings:cancel-others"))
    )
    return Powers(
        move=live
        and not booking.has_past_days(row.status, row.start, day)
        and can(user, "bookings:move"),
        # a booking under way is handed back, not cancelled (the services' rules)
        cancel=gives_back
        and not booking.under_way(row.status, row.start, checkin.checked_in_at, day),
        hand_back=gives_back and booking.may_hand_back(row.start, row.end, day),
        withdraw=withdrawable
        and can(user, "requests:cancel")
        and (own or can(user, "requests:cancel-others")),
        check_in=checkin.waiting
        and row.start <= day < row.end
        and can(user, "bookings:checkin")
        and (own or _booked_by(user, row) or can(user, "bookings:checkin-others")),
    )


def _booked_by(user: User | None, row: BookingRow) -> bool:
    """A direct booking is its booker's (``booking.checkin.is_owner``)."""
    return user is not None and row.request_id is None and row.created_by_id == user.id


@requires("bookings:checkin")
def booking_checkin(booking_id: int) -> Any:
    before, _ = _booking(booking_id)
    try:
        booking.check_in(sessions(), booking_id, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(f"{before.words}: {exc.said}", "error")
        return redirect(url_for("ui.booking_detail", booking_id=booking_id))
    stacked = booking.stacked_with(sessions(), booking_id)
    if stacked is None:
        flash(f"Checked in: {before.words}. It stays yours.", "success")
    else:  # check-in takes the whole stack booking (booking.check_in)
        stack, members = stacked
        flash(
            f"Checked in: {before.words}, with {_all_of(members)} of its booking of the "
            f"stack {stack} ({', '.join(members)}). They stay yours.",
            "success",
        )
    return _back(booking_id)


def _blank_move_form(row: BookingRow) -> Form:
    return Form(
        MOVE_LABELS,
        {"environment": row.environment, "start": row.start.isoformat()},
        prefix="move-",
    )


@requires("bookings:move")
def booking_move(booking_id: int) -> Any:
    form = Form.posted(MOVE_LABELS, prefix="move-")
    environment, start = (
        form.text("environment", required="choose an environment"),
        form.date("start"),
    )
    if not form.ok or start is None:
        return booking_page(booking_id, form, 400)
    reason = form.text("force_reason", longest=2000) or None
    try:
        moved = move.move_booking(
            sessions(),
            booking_id,
            environment=environment,
            start=start,
            actor=current_user(),
            now=now(),
            force_reason=reason,
        )
    except RuleBroken as exc:
        for name in dict.fromkeys(n if n in MOVE_LABELS else "start" for n in exc.fields):
            form.fail(
                name,
                "; ".join(
                    message
                    for field, message in exc.fields.items()
                    if (field if field in MOVE_LABELS else "start") == name
                ),
            )
        form.values.setdefault("force_reason", "")  # offer to force it, with a reason
        return booking_page(booking_id, form, 409)
    except BookingConflict as exc:
        named = "; ".join(clash_lines(exc))
        form.fail("start", f"{exc.said}{': ' + named if named else ''}")
        return booking_page(booking_id, form, 409)
    except EnvschedError as exc:
        form.absorb(exc)
        return booking_page(booking_id, form, 400)
    row, _ = _booking(moved.id or booking_id)
    stacked = booking.stacked_with(sessions(), booking_id)
    if stacked is None:
        flash(f"Moved: {row.words}.", "success")
    else:
        stack, members = stacked
        flash(
            f"Moved: {row.words}. It is part of a booking of the stack {stack}, which is "
            f"booked whole, so {_all_of(members)} ({', '.join(members)}) moved to these days.",
            "success",
        )
    return _back(booking_id)


@requires("bookings:cancel")
def booking_cancel(booking_id: int) -> Any:
    reason = request.form.get("reason", "").strip()[:2000]
    return _give_back(
        booking_id,
        "Cancelled",
        lambda: booking.cancel_booking(
            sessions(), booking_id, actor=current_user(), now=now(), reason=reason
        ),
    )


@requires("bookings:cancel")
def booking_release(booking_id: int) -> Any:
    return _give_back(
        booking_id,
        "Handed back after today",
        lambda: booking.release_early(sessions(), booking_id, actor=current_user(), now=now()),
    )


def _give_back(booking_id: int, done: str, action: Any) -> Any:
    before, _ = _booking(booking_id)
    stacked = booking.stacked_with(sessions(), booking_id)
    try:
        action()
    except EnvschedError as exc:
        flash(f"{before.words}: {exc.said}", "error")
        return redirect(url_for("ui.booking_detail", booking_id=booking_id))
    if stacked is None:
        flash(f"{done}: {before.words}. Its free days are offered to the waitlist.", "success")
    else:
        stack, members = stacked
        flash(
            f"{done}: {before.words}. It was part of a booking of the stack {stack}, which is "
            f"booked whole, so {_all_of(members)} ({', '.join(members)}) were "
            f"{done.lower()}. Their free days are offered to the waitlist.",
            "success",
        )
    return _back(booking_id)


def _next_url() -> str:
    """Where to go after acting: a page of this app the form came from, else the booking."""
    target = request.values.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else ""


def _back(booking_id: int) -> Any:
    return redirect(_next_url() or url_for("ui.booking_detail", booking_id=booking_id))


def _all_of(members: list[str]) -> str:
    """ "both members", "all 3 members"."""
    return "both members" if len(members) == 2 else f"all {len(members)} members"


@dataclass(frozen=True)
class ClashGroup:
    """The clashes of the same bookings, shown once with every reason: a booking inside two
    freezes and an outage is one row with three reasons and one Move and one Cancel."""

    booking_ids: tuple[int, ...]
    reasons: tuple[StateClash, ...]

    @property
    def kind(self) -> str:
        """Its kinds in words ("freeze and down"), as a cancel gives its reason."""
        return " and ".join(dict.fromkeys(c.kind for c in self.reasons))


def grouped_clashes(clashes: list[StateClash]) -> list[ClashGroup]:
    """``clashes`` one group per set of bookings, in the order each set first comes; a
    clash that names no booking stands alone."""
    groups: list[list[StateClash]] = []
    of_bookings: dict[tuple[int, ...], list[StateClash]] = {}
    for clash in clashes:
        key = tuple(sorted(clash.booking_ids))
        if key and key in of_bookings:
            of_bookings[key].append(clash)
            continue
        groups.append([clash])
        if key:
            of_bookings[key] = groups[-1]
    return [ClashGroup(group[0].booking_ids, tuple(group)) for group in groups]


def clash_bookings(clashes: list[StateClash]) -> dict[int, BookingRow]:
    """The bookings the clashes name, by id, for the clash list macro."""
    with read_transaction(sessions()) as session:
        return bookings_by_id(session, {i for c in clashes for i in c.booking_ids})
