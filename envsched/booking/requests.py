"""Booking requests: what a test manager asks for, checked and stored; and their rules.

``request_rules`` states once what a request accepts (type, tags, environments, first
start, last end), so approving, suggesting and offering freed days all agree on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking import rulebook
from envsched.booking.free_slots import Slot, find_free_slots
from envsched.booking.shapes import BookingRequestIn
from envsched.days import day_text
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, NotFound
from envsched.models import (
    BookingRequest,
    Environment,
    EnvironmentType,
    Phase,
    RequestStatus,
    User,
)
from envsched.permissions import require


@dataclass(frozen=True)
class RequestRules:
    """What days and environments a request accepts: ``after`` and ``before`` narrowed to
    the days its phase's rules allow (the search window), ``asked`` its own days."""

    request_id: int | None
    type_id: int | None
    type_name: str | None
    tags: tuple[str, ...]
    environments: list[str] | None
    duration: int
    after: dt.date
    before: dt.date | None  # the booking must end by this day, if set
    asked: tuple[dt.date, dt.date | None]

    def check_start(self, start: dt.date) -> None:
        """The request's own days (its phase's rules are the rulebook's to check)."""
        end = start + dt.timedelta(days=self.duration)
        first, last = self.asked
        if start < first:
            raise InvalidInput("start", f"{start} is before the request's earliest start {first}")
        if last is not None and end > last:
            raise InvalidInput(
                "start",
                f"{self.duration} days from {start} end after "
                f"{last}, the latest the request accepts",
            )


def request_rules(
    session: Session, request: BookingRequest, today: dt.date | None = None
) -> RequestRules:
    """The request's own days, narrowed to those its phase's rules allow (``rulebook``)."""
    type_row = (
        session.get(EnvironmentType, request.environment_type_id)
        if request.environment_type_id
        else None
    )
    length = dt.timedelta(days=request.duration_days)
    asked = (
        request.earliest_start,
        request.earliest_start + length if request.fixed else request.latest_end,
    )
    after, before = asked
    if request.phase is not None:
        first, last_end = rulebook.phase_window(session, request.phase, today)
        after, before = max(after, first), _earlier(before, last_end)
    return RequestRules(
        request.id,
        request.environment_type_id,
        type_row.name if type_row else None,
        tuple(request.required_tags),
        request.environments,
        request.duration_days,
        after,
        before,
        asked,
    )


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a is not None and b is not None else (a or b)


def eligible_slots(
    session: Session, request: BookingRequest, *, limit: int, today: dt.date | None = None
) -> list[Slot]:
    rules = request_rules(session, request, today)
    return find_free_slots(
        session,
        rules.type_name,
        rules.duration,
        rules.after,
        tags=rules.tags,
        environments=rules.environments,
        before=rules.before,
        limit=limit,
    )


@dataclass(frozen=True)
class PhaseSlots:
    """Free slots for a phase inside the days its rules allow, and a word on those days."""

    slots: list[Slot]
    note: str = ""


def phase_slots(
    session: Session,
    phase: Phase,
    duration: int,
    after: dt.date,
    before: dt.date | None,
    *,
    limit: int = 5,
    today: dt.date | None = None,
) -> PhaseSlots:
    """The earliest free slots for ``phase`` from ``after``, by the rules of the phase."""
    days = rulebook.phase_days(session, phase, today)
    if days.booked:
        plan = rulebook.release_plan(session, phase.release, today)
        holder = rulebook.holder_name(session, plan, phase)
        return PhaseSlots([], f"{rulebook.already_booked(phase.key, days.booked[0], holder)}. ")
    if never := days.unplaceable(after, duration):  # the order rule: say why, offer nothing
        return PhaseSlots([], f"{phase.key}: {never}. ")
    note = (
        f"{phase.key} may start from {day_text(days.first)} ({days.why}). "
        if days.first > after
        else ""
    )
    slots = find_free_slots(
        session,
        phase.type.name,
        duration,
        max(after, days.first),
        tags=phase.required_tags,
        environments=phase.environments,
        before=_earlier(before, days.last_end),
        limit=limit,
    )
    return PhaseSlots(slots, note)


def why_no_slot(session: Session, request: BookingRequest, today: dt.date) -> str:
    """Why the order rule keeps ``request``'s phase from any slot now, in words ("" if it
    does not): the same words as the request form's slot search (``phase_slots``)."""
    if request.phase is None:
        return ""
    days = rulebook.phase_days(session, request.phase, today)
    after = max(request.earliest_start, today)
    never = days.unplaceable(after, request.duration_days)
    return f"{request.phase.key}: {never}." if never else ""


# -- services -----------------------------------------------------------------------------


def request_booking(
    sessions: SessionFactory, data: BookingRequestIn, *, actor: User | None, now: dt.datetime
) -> BookingRequest:
    """Store a request; a phase lends it its type, tags and allowed environments."""
    require(actor, "requests:create")
    if actor is None or actor.id is None:
        raise InvalidInput("requester", "a booking request needs a requesting user")
    _check_dates(data, now)
    with sessions.begin() as session:
        phase = _phase(session, data.phase)
        if phase is not None:
            latest = (
                data.earliest_start + dt.timedelta(days=data.duration_days)
                if data.fixed
                else data.latest_end
            )
            rulebook.check_request(
                session, phase, data.earliest_start, latest, data.duration_days, today=now.date()
            )
        request = BookingRequest(
            requester_id=actor.id,
            phase_id=phase.id if phase else None,
            environment_type_id=_type_id(session, data, phase),
            required_tags=sorted(
                set(data.required_tags) | set(phase.required_tags if phase else ())
            ),
            environments=_environments(session, data, phase),
            created_at=now,
            **data.model_dump(exclude={"phase", "type", "required_tags", "environments"}),
        )
        session.add(request)
        audit.record(session, actor=actor, now=now, action="create", row=request)
    return request


def get_request(session: Session, request_id: int) -> BookingRequest:
    request = session.get(BookingRequest, request_id)
    if request is None:
        raise NotFound("booking request", request_id)
    return request


def close_request(
    session: Session,
    request: BookingRequest,
    status: RequestStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
    decision: bool = True,
    by: str | None = None,
) -> None:
    """Record a decision on ``request`` (inside the caller's transaction); not a decision
    (``decision=False``: a withdrawal) leaves who decided it, and when, as they were;
    ``by``: what decided, when not the actor themselves (``audit.record``)."""
    before = audit.snapshot(request)
    request.status = status
    request.decision_reason = reason
    if decision:
        request.decided_at = now
        request.decided_by_id = actor.id if actor else None
    audit.record(
        session, actor=actor, now=now, action=status.value, row=request, before=before, by=by
    )


# -- input checks -------------------------------------------------------------------------


def _check_dates(data: BookingRequestIn, now: dt.datetime) -> None:
    if data.earliest_start < now.date():
        raise InvalidInput("earliest_start", f"{data.earliest_start} is in the past")
    first_end = data.earliest_start + dt.timedelta(days=data.duration_days)
    if data.latest_end is not None and data.latest_end < first_end:
        raise InvalidInput(
            "latest_end",
            f"{data.latest_end} leaves no room for "
            f"{data.duration_days} days from {data.earliest_start}",
        )


def _phase(session: Session, key: str | None) -> Phase | None:
    if key is None:
        return None
    phase = session.exec(select(Phase).where(Phase.key == key)).first()
    if phase is None:
        raise InvalidInput("phase", f"no phase {key!r}")
    return phase


def _type_id(session: Session, data: BookingRequestIn, phase: Phase | None) -> int | None:
    if data.type is None:
        if phase is None and data.environments is None:
            raise InvalidInput("type", "give an environment type, a phase or environments")
        return phase.type_id if phase else None
    found = session.exec(select(EnvironmentType).where(EnvironmentType.name == data.type)).first()
    if found is None:
        raise InvalidInput("type", f"no environment type {data.type!r}")
    if phase is not None and phase.type_id != found.id:
        raise InvalidInput("type", f"phase {phase.key} needs another environment type")
    return found.id


def _environments(
    session: Session, data: BookingRequestIn, phase: Phase | None
) -> list[str] | None:
    names = (
        data.environments
        if data.environments is not None
        else (phase.environments if phase else None)
    )
    if names is None:
        return None
    if not names:
        raise InvalidInput("environments", "an empty list admits no environment")
    known = set(
        session.exec(select(Environment.name).where(col(Environment.name).in_(names))).all()
    )
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInput("environments", f"no environment named {', '.join(unknown)}")
    return list(names)
