"""What the booking paths ask the rulebook, inside their own transaction: the release's
phases and live bookings read once, then the rules of ``rules`` applied to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from envsched.booking.rulebook.quota import owner_id
from envsched.booking.rulebook.rules import (
    DAY,
    UNFORCEABLE,
    Held,
    ReleasePlan,
    Rule,
    RuleBreak,
    RuleBroken,
    earliest_start,
    first_start,
    last_end,
    latest_end,
    one_per_phase,
    own_earliest,
    phase_breaks,
)
from envsched.days import day_text
from envsched.db import related
from envsched.models import LIVE_STATUSES, Booking, Environment, Phase, Release, User

ONE_PER_PHASE_INDEX = "uq_booking_live_phase"


# -- reading --------------------------------------------------------------------------------


def release_plan(session: Session, release: Release, today: dt.date | None = None) -> ReleasePlan:
    """``release`` with the live bookings of its phases, in the caller's transaction."""
    rows = session.exec(_HELD, params={"release": release.id}).all()
    return ReleasePlan(release, _by_phase(rows), today)


def release_plans(
    session: Session, release_ids: Collection[int] | None = None
) -> dict[int, ReleasePlan]:
    """Every release (or those of ``release_ids``) with its phases' live bookings, for the
    clash report: three queries, whatever the number of releases."""
    rows = session.exec(_ALL_HELD).all()
    held: dict[int, list[tuple[str, int, str, dt.date, dt.date]]] = {}
    for release_id, *rest in rows:
        held.setdefault(release_id, []).append(tuple(rest))
    query = select(Release).options(selectinload(related(Release.phases)))
    if release_ids is not None:
        query = query.where(col(Release.id).in_(list(release_ids)))
    releases = session.exec(query).all()
    return {r.id or 0: ReleasePlan(r, _by_phase(held.get(r.id or 0, []))) for r in releases}


def _by_phase(rows: Iterable[Sequence[object]]) -> dict[str, list[Held]]:
    found: dict[str, list[Held]] = {}
    for key, *held in rows:
        found.setdefault(str(key), []).append(Held(*held))  # type: ignore[arg-type]
    return found


# -- what the write paths call ----------------------------------------------------------------


def check_placement(
    session: Session,
    phase: Phase,
    env: Environment,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
    booking_id: int | None = None,
    forced: bool = False,
) -> list[RuleBreak]:
    """Raise ``RuleBroken`` if the placement breaks a rule; forced, return what it breaks
    (and still raise for a rule no one may force)."""
    breaks = phase_breaks(
        release_plan(session, phase.release, today), phase, env, start, end, booking_id=booking_id
    )
    refused = [b for b in breaks if not forced or b.rule in UNFORCEABLE]
    if refused:
        raise RuleBroken(refused)
    return breaks


def check_request(
    session: Session,
    phase: Phase,
    earliest: dt.date,
    last_end: dt.date | None,
    duration: int,
    *,
    today: dt.date | None = None,
) -> None:
    """Raise ``RuleBroken`` unless some day of a request's window follows ``phase``'s rules."""
    plan = release_plan(session, phase.release, today)
    breaks = one_per_phase(plan, phase, None, holder=holder_name(session, plan, phase))
    (first, why), last = first_start(plan, phase), latest_end(plan, phase)
    if last_end is not None and last_end < first + duration * DAY:
        rule: Rule = "earliest_start" if first == own_earliest(plan.release, phase)[0] else "order"
        breaks.append(
            RuleBreak(
                rule,
                f"{phase.key} cannot start before {day_text(first)} "
                f"({why}), and the days asked for end by "
                f"{day_text(last_end - DAY)}",
                "earliest_start",
                (phase.key,),
            )
        )
    if last is not None and earliest + duration * DAY > last:
        breaks.append(
            RuleBreak(
                "order",
                f"{phase.key} must be done by {day_text(last - DAY)}, "
                f"before a later phase's booking; "
                f"{day_text(earliest)} is too late",
                "earliest_start",
                (phase.key,),
            )
        )
    if breaks:
        raise RuleBroken(breaks)


def not_booked_yet() -> Any:
    """A condition on ``Phase``: it has no live booking (one per phase), so a form may offer
    it to book or to request; the booking form and the request form both ask this."""
    booked = sa.select(col(Booking.phase_id)).where(col(Booking.phase_id).is_not(None), *_LIVE)
    return col(Phase.id).not_in(booked)


def holder_name(session: Session, plan: ReleasePlan, phase: Phase) -> str:
    """Whose live booking of ``phase`` it is, by name (for a requester's refusal)."""
    held = plan.others(phase, None)
    booking = session.get(Booking, held[0].id) if held else None
    owner = owner_id(session, booking) if booking is not None else None
    user = session.get(User, owner) if owner is not None else None
    return user.name if user is not None else "someone else"


def is_second_booking(exc: IntegrityError) -> bool:
    """Whether the database refused a write for a second live booking of a phase."""
    text = str(exc.orig)
    return ONE_PER_PHASE_INDEX in text or "booking.phase_id" in text  # PostgreSQL, SQLite


def phase_window(
    session: Session, phase: Phase, today: dt.date | None = None
) -> tuple[dt.date, dt.date | None]:
    """The days the rules leave ``phase``: first start, last end (None: open)."""
    plan = release_plan(session, phase.release, today)
    return earliest_start(plan, phase), latest_end(plan, phase)


@dataclass(frozen=True)
class Window:
    """The days the rules leave a phase, and why they start when they do."""

    first: dt.date
    why: str
    last_end: dt.date | None
    booked: list[Held]
    last_why: str = ""  # why it must end by last_end (the order rule), in words

    def unplaceable(self, after: dt.date, duration: int) -> str:
        """Why no ``duration`` days from ``after`` fit these days, in words ("" if some may):
        the phase must be done before a later phase's booking and may not start in time."""
        start = max(after, self.first)
        if self.last_end is None or start + duration * DAY <= self.last_end:
            return ""
        since = f" ({self.why})" if self.first > after and self.why else ""
        return (
            f"its {duration} days cannot fit: it must be done by "
            f"{day_text(self.last_end - DAY)}, before a later phase ({self.last_why}), "
            f"and may not start before {day_text(start)}{since}"
        )


def phase_days(session: Session, phase: Phase, today: dt.date | None = None) -> Window:
    plan = release_plan(session, phase.release, today)
    first, why = first_start(plan, phase)
    last, last_why = last_end(plan, phase)
    return Window(first, why, last, plan.others(phase, None), last_why)


def is_booked(session: Session, phase: Phase, booking_id: int | None = None) -> list[Held]:
    """The live bookings of ``phase`` other than ``booking_id``."""
    return release_plan(session, phase.release).others(phase, booking_id)


_HELD_COLUMNS = (
    col(Phase.key),
    col(Booking.id),
    col(Environment.name),
    col(Booking.start),
    col(Booking.end),
)
_LIVE = (col(Booking.status).in_(LIVE_STATUSES),)
# statements built once, values bound per call (as availability's hot path does)
_HELD: Any = (
    sa.select(*_HELD_COLUMNS)
    .join(Phase, col(Booking.phase_id) == col(Phase.id))
    .join(Environment, col(Booking.environment_id) == col(Environment.id))
    .where(col(Phase.release_id) == sa.bindparam("release"), *_LIVE)
    .order_by(col(Booking.start), col(Booking.id))
)
_ALL_HELD: Any = (
    sa.select(col(Phase.release_id), *_HELD_COLUMNS)
    .join(Phase, col(Booking.phase_id) == col(Phase.id))
    .join(Environment, col(Booking.environment_id) == col(Environment.id))
    .where(*_LIVE)
    .order_by(col(Booking.start), col(Booking.id))
)
