"""What is worth telling, as events: a name, a subject and text for mail, a JSON payload.

Pure functions of a run's flags or an audit entry (plus one lookup of whom an audit
entry concerns), so ``notify`` only decides how to deliver them.

The in-app channel is here too (``tell_in_app``): as an audit entry that makes an event
is recorded, the person it concerns gets a notification in words (``inbox``), in the
same transaction. Mail and webhooks read the same entries later, from the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from envsched import actors
from envsched.counted import counted
from envsched.days import days_text
from envsched.models import (
    LIVE_STATUSES,
    AuditEntry,
    Booking,
    BookingRequest,
    Environment,
    EnvironmentType,
    PlanRun,
    Stack,
    StackBooking,
    StackBookingPart,
    User,
)
from envsched.models.round_results import ClashFlag, RoundFlags, ShortfallFlag
from envsched.notify import inbox
from envsched.run_titles import run_title
from envsched.serves import serves

# audit (entity, action) -> event name
AUDIT_EVENTS = {
    ("booking", "replan_move"): "booking.moved",
    ("booking", "move"): "booking.moved",  # an environment manager moved it by hand
    ("booking_request", "approved"): "request.approved",
    ("booking_request", "rejected"): "request.rejected",
    ("booking_request", "cancelled"): "request.cancelled",  # by a round, a release, a manager
    ("booking", "no_show"): "booking.released_no_show",  # not checked in (booking.checkin)
}


@dataclass(frozen=True)
class Event:
    name: str
    subject: str
    text: str
    payload: dict[str, Any]


def clash_key(flag: ClashFlag) -> tuple[Any, ...]:
    """What makes a clash "the same" from one round to the next."""
    return (flag.kind, flag.environment, flag.phase, flag.start, flag.end)


def shortfall_key(flag: ShortfallFlag) -> tuple[Any, ...]:
    """What makes a shortfall "the same" from one round to the next."""
    return (flag.type, flag.first_week, flag.last_week)


def round_events(run: PlanRun, previous: RoundFlags | None) -> list[Event]:
    """One event per kind of flag that has something new since the previous round."""
    events = []
    flags, before = run.flags or RoundFlags(), previous or RoundFlags()
    seen_clashes = {clash_key(c) for c in before.clashes}
    seen_shortfalls = {shortfall_key(s) for s in before.shortfalls}
    clashes = [c for c in flags.clashes if clash_key(c) not in seen_clashes]
    shortfalls = [s for s in flags.shortfalls if shortfall_key(s) not in seen_shortfalls]
    if clashes:
        lines = [c.message for c in clashes]
        events.append(
            _round_event(
                run,
                "round.clashes",
                counted(len(clashes), "new clash", "new clashes"),
                lines,
                {"clashes": [c.stored() for c in clashes]},
            )
        )
    if shortfalls:
        lines = [
            f"{s.type} short by {s.short_days} environment-days in {s.weeks}{_suffering(s)}"
            for s in shortfalls
        ]
        lines += [f"remedy: {r}" for r in flags.remedies]
        events.append(
            _round_event(
                run,
                "round.shortfalls",
                f"{counted(len(shortfalls), 'new capacity shortfall')}",
                lines,
                {"shortfalls": [s.stored() for s in shortfalls], "remedies": flags.remedies},
            )
        )
    return events


def _suffering(shortfall: ShortfallFlag) -> str:
    releases = shortfall.releases
    return f" ({', '.join(releases)} suffer)" if releases else ""


def _round_event(
    run: PlanRun, name: str, subject: str, lines: list[str], payload: dict[str, Any]
) -> Event:
    return Event(
        name=name,
        subject=f"envsched, {run_title(run)}: {subject}",
        text="\n".join(lines),
        payload={"event": name, "run": run.id, **payload},
    )


def audit_event(session: Session, entry: AuditEntry) -> Event | None:
    """The entry as mail and webhooks tell it: in words (``in_words``), with the ids and
    snapshots in the payload for machines."""
    name = AUDIT_EVENTS.get((entry.entity, entry.action))
    if name is None:
        return None
    text = in_words(session, entry)
    payload = {
        "event": name,
        "id": int(entry.entity_id),
        "actor": entry.actor,
        "at": entry.at.isoformat(),
        "text": text,
        "before": entry.before or {},
        "after": entry.after or {},
    }
    return Event(
        name=name, subject=f"envsched: {_headline(session, entry)}", text=text, payload=payload
    )


def _headline(session: Session, entry: AuditEntry) -> str:
    """A mail's subject: what happened, in a few words (``R1-UAT moved``)."""
    if entry.entity == "booking_request":
        request = session.get_one(BookingRequest, int(entry.entity_id))
        return f"your request for {asked_words(session, request)} was {entry.action}"
    booking = session.get_one(Booking, int(entry.entity_id))
    if entry.action == "no_show":
        stacked = _stack_of(session, booking.id or 0)
        return f"{_no_show_what(booking, entry, stacked)} released: not checked in"
    return f"{_booking_words(booking)} moved"


def _days(row: dict[str, Any]) -> str:
    """A booking snapshot's ``[start, end)`` as its first and last day."""
    if not row.get("start") or not row.get("end"):
        return "?"
    return days_text(dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"]))


def concerned_user(session: Session, entry: AuditEntry) -> User | None:
    """Whose booking or request the entry is about: the requester, else who booked it."""
    if (entry.entity, entry.action) not in AUDIT_EVENTS:
        return None
    if entry.entity == "booking_request":
        request = session.get(BookingRequest, int(entry.entity_id))
        return session.get(User, request.requester_id) if request else None
    booking = session.get(Booking, int(entry.entity_id))
    return None if booking is None else booker(session, booking)


def booker(session: Session, booking: Booking) -> User | None:
    """Whose booking it is: its request's requester, else who booked it."""
    if booking.request_id is not None:
        request = session.get(BookingRequest, booking.request_id)
        if request is not None:
            return session.get(User, request.requester_id)
    return session.get(User, booking.created_by_id) if booking.created_by_id else None


# -- the in-app channel ---------------------------------------------------------------------


def tell_in_app(session: Session, entry: AuditEntry) -> None:
    """Tell whom ``entry`` concerns, in the app, when it makes an event (not the person who
    did it: they know). Called by ``audit.record`` inside the change's own transaction."""
    name = AUDIT_EVENTS.get((entry.entity, entry.action))
    if name is None:
        return
    user = concerned_user(session, entry)
    if user is None or user.id is None or user.id == entry.user_id:
        return
    inbox.deliver(
        session,
        user.id,
        event=name,
        text=in_words(session, entry),
        entity=entry.entity,
        entity_id=entry.entity_id,
        now=entry.at,
    )


def in_words(session: Session, entry: AuditEntry) -> str:
    """The event as people read it: phases, environments and days, never ids."""
    if entry.entity == "booking_request":
        return _request_words(session, entry)
    if entry.action == "no_show":
        return _no_show_words(session, entry)
    return _move_words(session, entry)


def _request_words(session: Session, entry: AuditEntry) -> str:
    request = session.get_one(BookingRequest, int(entry.entity_id))
    said = f"Your request for {asked_words(session, request)} was {_done(entry)}"
    if entry.action == "approved":
        booking = session.exec(
            select(Booking).where(
                Booking.request_id == request.id, col(Booking.status).in_(LIVE_STATUSES)
            )
        ).first()
        return f"{said}: {_where(booking)}." if booking else f"{said}."
    reason = (entry.after or {}).get("decision_reason") or ""
    return f"{said}: {reason}" if reason else f"{said}."


def _done(entry: AuditEntry) -> str:
    """What happened to a request and by whom: "approved by eric"; the waitlist books no
    one's choice, it takes freed days, so a request it grants "was booked from the waitlist"."""
    if entry.actor == actors.WAITLIST and entry.action == "approved":
        return "booked from the waitlist"
    return f"{entry.action} by {_who(entry)}"


def asked_words(session: Session, request: BookingRequest) -> str:
    """What a request asks for: its phase, else the days and the type (``10 days of PERF``)."""
    if request.phase is not None:
        return request.phase.key
    kind = (
        session.get(EnvironmentType, request.environment_type_id)
        if request.environment_type_id
        else None
    )
    return f"{request.duration_days} days of {kind.name if kind else 'an environment'}"


def _where(booking: Booking) -> str:
    return f"{booking.environment.name}, {days_text(booking.start, booking.end)}"


def _move_words(session: Session, entry: AuditEntry) -> str:
    booking = session.get_one(Booking, int(entry.entity_id))
    before, after = entry.before or {}, entry.after or {}
    what = _booking_words(booking)
    what = what[:1].upper() + what[1:]  # it starts the sentence
    return (
        f"{what} moved from {_place(session, before)} to {_place(session, after)} by {_who(entry)}."
    )


def _no_show_words(session: Session, entry: AuditEntry) -> str:
    """A booking released for want of a check-in; a stack booking is released whole and
    told once, by one member's entry (``booking.checkin``), naming the stack."""
    booking = session.get_one(Booking, int(entry.entity_id))
    stacked = _stack_of(session, booking.id or 0)
    what = _no_show_what(booking, entry, stacked)
    where = _place(session, entry.before or {})
    if stacked is not None:
        where = f"{', '.join(stacked[1])}, {_days(entry.before or {})}"
    return (
        f"{what[:1].upper()}{what[1:]} on {where} was released: "
        f"it was not checked in in time, and its days went back to the waitlist."
    )


def _no_show_what(
    booking: Booking, entry: AuditEntry, stacked: tuple[str, list[str]] | None
) -> str:
    """The released booking as people name it; a stack booking's (``stacked``: the stack
    and its members, ``_stack_of``): of the stack, by name (its members' note says no more
    than that when nobody wrote one)."""
    what = _booking_words(booking, _note_before(entry))
    if stacked is None:
        return what
    if what.lower() == f"stack {stacked[0]}".lower():
        return f"your booking of the stack {stacked[0]}"
    return f"{what} (a booking of the stack {stacked[0]})"


def _stack_of(session: Session, booking_id: int) -> tuple[str, list[str]] | None:
    """The stack a booking was booked with and every member's environment (whatever their
    status now: a released stack booking is named whole); None for a lone booking."""
    group = select(StackBookingPart.stack_booking_id).where(
        StackBookingPart.booking_id == booking_id
    )
    rows = session.exec(
        select(Stack.name, Environment.name)
        .join(StackBooking, col(StackBooking.stack_id) == Stack.id)
        .join(StackBookingPart, col(StackBookingPart.stack_booking_id) == StackBooking.id)
        .join(Booking, col(Booking.id) == StackBookingPart.booking_id)
        .join(Environment, col(Environment.id) == Booking.environment_id)
        .where(col(StackBooking.id).in_(group))
        .order_by(col(Environment.name))
    ).all()
    if not rows:
        return None
    return rows[0][0], [env for _stack, env in rows]


def _booking_words(booking: Booking, note: str | None = None) -> str:
    """A booking as people name it: its phase (with its release, unless the phase's key
    says it), else what it serves (``envsched.serves``: its note, or ``note``, the note
    it had before the change; its request's why), else "your booking": its owner is told."""
    if booking.phase is not None:
        release = booking.phase.release
        named = release is None or booking.phase.key.startswith(release.key)
        return booking.phase.key if named else f"{booking.phase.key} of release {release.key}"
    return serves(booking, note, otherwise="your booking")


def _note_before(entry: AuditEntry) -> str:
    """The booking's note before the change (a release for a no-show adds a line to it)."""
    return str((entry.before or {}).get("note") or "")


def _who(entry: AuditEntry) -> str:
    """What did it, as recorded (a person, the nightly round, the waitlist, a plan a person
    accepted: ``audit.record``). An entry that names none ("system": a script, or from
    before what acted was recorded) says envsched, or the nightly round for a round's move."""
    if entry.actor != actors.SYSTEM_ACTOR:
        return entry.actor
    return actors.NIGHTLY_ROUND if entry.action == "replan_move" else "envsched"


def _place(session: Session, row: dict[str, Any]) -> str:
    """A booking snapshot's environment and days, in words."""
    env = session.get(Environment, row.get("environment_id") or 0)
    return f"{env.name}, {_days(row)}" if env else _days(row)
