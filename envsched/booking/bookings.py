"""The booking workflow: request, approve (or reject, or waitlist), book, start
(cancelling and releasing early: ``giveback``).

Every write locks the environment it books (``lock_environment``) and re-checks the
days under that lock, so concurrent writers cannot both take the last room. On
PostgreSQL the exclusion constraint backs this up for capacity-1 environments; its
violation is translated into ``BookingConflict`` like any other clash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from envsched import audit
from envsched.booking.free_slots import Slot, find_free_slots
from envsched.booking.requests import (
    close_request,
    eligible_slots,
    get_request,
    request_rules,
)
from envsched.booking.rulebook import (
    RuleBreak,
    RuleBroken,
    check_placement,
    is_second_booking,
)
from envsched.booking.rulebook.quota import check_quota, quota_breaks
from envsched.booking.shapes import BookingIn
from envsched.booking.words import booking_words, status_words
from envsched.db import SessionFactory, read_transaction
from envsched.errors import BookingConflict, InvalidInput, InvalidState, NotFound
from envsched.inventory import (
    check_eligible,
    check_fits,
    environment_named,
    lock_environment,
    lock_environment_named,
)
from envsched.models import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    Phase,
    RequestStatus,
    User,
)
from envsched.permissions import require

__all__ = [
    "approve_request",
    "book_direct",
    "reject_request",
    "start_booking",
    "suggest_slots",
    "waitlist_request",
]

EXCLUSION_CONSTRAINT = "ex_booking_no_double_booking"


@contextmanager
def booking_transaction(sessions: SessionFactory) -> Iterator[Session]:
    """A write transaction in which the database's own double-booking guard is a clash."""
    try:
        with sessions.begin() as session:
            yield session
    except IntegrityError as exc:
        if EXCLUSION_CONSTRAINT in str(exc.orig):
            raise BookingConflict("the environment is already booked on these days") from exc
        if is_second_booking(exc):
            raise RuleBroken(
                [
                    RuleBreak(
                        "one_per_phase",
                        "the phase was booked at the same moment by someone else",
                        "phase",
                    )
                ]
            ) from exc
        raise


# -- direct bookings ----------------------------------------------------------------------


def book_direct(
    sessions: SessionFactory, data: BookingIn, *, actor: User | None, now: dt.datetime
) -> Booking:
    """An environment manager books ``data.environment`` on ``[start, end)`` outright;
    with ``force_reason``, even if it breaks a rule of its phase (then it is a clash)."""
    require(actor, "bookings:direct")
    check_days(data.start, data.end)
    if data.status not in LIVE_STATUSES:
        raise InvalidInput("status", "a new booking is tentative, confirmed or in_use")
    forcing(data.force_reason)
    with booking_transaction(sessions) as session:
        env = lock_environment_named(session, data.environment)
        phase = phase_named(session, data.phase)
        return place_locked(
            session,
            env,
            phase,
            data.start,
            data.end,
            actor=actor,
            now=now,
            status=data.status,
            pinned=data.pinned,
            note=data.note,
            force_reason=data.force_reason,
        )


def place_locked(
    session: Session,
    env: Environment,
    phase: Phase | None,
    start: dt.date,
    end: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
    status: BookingStatus = BookingStatus.CONFIRMED,
    pinned: bool = False,
    note: str = "",
    force_reason: str | None = None,
    over_quota: bool = False,
) -> Booking:
    """Book locked ``env`` on ``[start, end)`` in the caller's transaction: the rules of
    ``phase`` (the rulebook), then the environment's own days, then the team quota (past
    it only forced or ``over_quota``: an environment manager's word); what a direct
    booking and each occurrence of a series do."""
    breaks = (
        check_placement(
            session, phase, env, start, end, forced=force_reason is not None, today=now.date()
        )
        if phase
        else []
    )
    check_fits(session, env, start, end, release_id=phase.release_id if phase else None)
    breaks += check_quota(
        session,
        env,
        start,
        end,
        actor.id if actor else None,
        approved=force_reason is not None or over_quota,
        asking="this booking",
    )
    if status == BookingStatus.IN_USE:
        from envsched.lifecycle import check_start  # lifecycle uses booking: at call time

        check_start(session, phase.id if phase else None)
    booking = new_booking(
        env, start, end, now=now, actor=actor, phase=phase, status=status, pinned=pinned, note=note
    )
    booking.forced_reason = forced_reason(force_reason, breaks)
    session.add(booking)
    audit.record(session, actor=actor, now=now, action="book", row=booking)
    return booking


def forcing(reason: str | None) -> bool:
    """Whether a write forces past the rules: a reason given, and not blank."""
    if reason is not None and not reason.strip():
        raise InvalidInput("force_reason", "say why the booking may break the rules")
    return reason is not None


def forced_reason(reason: str | None, breaks: list[RuleBreak]) -> str:
    """What a forced booking stores: the reason, when it does break a rule ("" if not)."""
    return reason.strip() if breaks and reason is not None else ""


def phase_named(session: Session, key: str | None) -> Phase | None:
    if key is None:
        return None
    phase = session.exec(select(Phase).where(Phase.key == key)).first()
    if phase is None:
        raise InvalidInput("phase", f"no phase {key!r}")
    return phase


def check_days(start: dt.date, end: dt.date) -> None:
    if not start < end:
        raise InvalidInput("end", f"{end} must be after start {start}")


def new_booking(
    env: Environment,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime,
    actor: User | None,
    phase: Phase | None = None,
    request: BookingRequest | None = None,
    status: BookingStatus = BookingStatus.CONFIRMED,
    pinned: bool = False,
    note: str = "",
) -> Booking:
    """A booking of ``env`` for ``[start, end)``, not yet added to a session (the
    caller has checked the rules)."""
    assert env.id is not None
    return Booking(
        environment_id=env.id,
        start=start,
        end=end,
        status=status,
        pinned=pinned,
        note=note,
        exclusive=env.capacity == 1,
        created_at=now,
        updated_at=now,
        phase_id=phase.id if phase else (request.phase_id if request else None),
        request_id=request.id if request else None,
        created_by_id=actor.id if actor else None,
    )


# -- deciding on requests -----------------------------------------------------------------


def suggest_slots(
    sessions: SessionFactory, request_id: int, *, limit: int = 5, today: dt.date | None = None
) -> list[Slot]:
    """The earliest free slots that would satisfy request ``request_id`` (from ``today``, a
    phase not booked yet is done no earlier than its days from then)."""
    with read_transaction(sessions) as session:
        return eligible_slots(session, get_request(session, request_id), limit=limit, today=today)


def approve_request(
    sessions: SessionFactory,
    request_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    environment: str | None = None,
    start: dt.date | None = None,
    force_reason: str | None = None,
    quota_reason: str | None = None,
) -> Booking:
    """Approve to ``environment`` from ``start``, or (without them) to the earliest free slot;
    with ``force_reason``, to the chosen days even if they break a rule of the phase; with
    ``quota_reason`` (or ``force_reason``), even past the requester's team quota."""
    require(actor, "requests:decide")
    forced = forcing(force_reason)
    over_quota = _quota_reason(quota_reason) or (force_reason if forced else None)
    with booking_transaction(sessions) as session:
        request = _open_request(session, request_id)
        if environment is None:
            booking = _book_earliest(session, request, actor=actor, now=now, over_quota=over_quota)
        else:
            booking = _book_chosen(
                session,
                request,
                environment,
                start,
                actor=actor,
                now=now,
                force_reason=force_reason if forced else None,
                over_quota=over_quota,
            )
        close_request(
            session,
            request,
            RequestStatus.APPROVED,
            actor=actor,
            now=now,
            reason=_over_quota_words(session, request, booking, over_quota),
        )
    return booking


def _quota_reason(reason: str | None) -> str | None:
    """An approval past the team quota: the reason given; a blank one is none (an approval
    past the quota without one is refused naming the quota, ``check_quota``)."""
    return reason.strip() if reason is not None and reason.strip() else None


def _over_quota_words(
    session: Session, request: BookingRequest, booking: Booking, reason: str | None
) -> str:
    """What an approval records when it takes the team past its quota ("" when not)."""
    if reason is None:
        return ""
    env = session.get_one(Environment, booking.environment_id)
    over = quota_breaks(
        session, env, booking.start, booking.end, request.requester_id, booking_id=booking.id
    )
    return f"approved over the quota ({over[0].message}): {reason}" if over else ""


def _book_chosen(
    session: Session,
    request: BookingRequest,
    name: str,
    start: dt.date | None,
    *,
    actor: User | None,
    now: dt.datetime,
    force_reason: str | None = None,
    over_quota: str | None = None,
) -> Booking:
    env = environment_named(session, name)
    rules = request_rules(session, request, now.date())
    if force_reason is None:  # forced, the rulebook says what the placement breaks
        check_eligible(env, type_id=rules.type_id, tags=rules.tags, names=rules.environments)
    if start is None:
        slots = find_free_slots(
            session,
            None,
            request.duration_days,
            rules.after,
            environments=[env.name],
            before=rules.before,
            limit=1,
        )
        if not slots:
            raise BookingConflict(
                f"{env.name} has no {request.duration_days} free days "
                "that the request's rules allow"
            )
        start = slots[0].start
    rules.check_start(start)
    return book_locked(
        session,
        env,
        start,
        request,
        actor=actor,
        now=now,
        force_reason=force_reason,
        over_quota=over_quota is not None,
    )


def _book_earliest(
    session: Session,
    request: BookingRequest,
    *,
    actor: User | None,
    now: dt.datetime,
    over_quota: str | None = None,
) -> Booking:
    """Try the suggested slots in order; a slot taken meanwhile falls through to the next."""
    slots = eligible_slots(session, request, limit=20, today=now.date())
    for slot in slots:
        env = session.get_one(Environment, slot.environment_id)
        try:
            with session.begin_nested():
                return book_locked(
                    session,
                    env,
                    slot.start,
                    request,
                    actor=actor,
                    now=now,
                    over_quota=over_quota is not None,
                )
        except RuleBroken:
            raise  # the same for every slot: the phase is booked, its days are wrong, the quota
        except BookingConflict:
            continue
    raise BookingConflict(
        f"no eligible environment has {request.duration_days} free days "
        "that the request's rules allow"
    )


def book_locked(
    session: Session,
    env: Environment,
    start: dt.date,
    request: BookingRequest,
    *,
    actor: User | None,
    now: dt.datetime,
    force_reason: str | None = None,
    over_quota: bool = False,
) -> Booking:
    """Book ``request`` on ``env`` from ``start`` (the caller's transaction), by the rules;
    past the requester's team quota only ``over_quota`` (an environment manager's word)."""
    end = start + dt.timedelta(days=request.duration_days)
    assert env.id is not None
    env = lock_environment(session, env.id)
    phase = session.get(Phase, request.phase_id) if request.phase_id else None
    breaks = (
        check_placement(
            session, phase, env, start, end, today=now.date(), forced=force_reason is not None
        )
        if phase
        else []
    )
    check_fits(session, env, start, end, release_id=phase.release_id if phase else None)
    check_quota(session, env, start, end, request.requester_id, approved=over_quota)
    booking = new_booking(env, start, end, now=now, actor=actor, request=request)
    booking.forced_reason = forced_reason(force_reason, breaks)
    session.add(booking)
    audit.record(session, actor=actor, now=now, action="book", row=booking)
    return booking


def reject_request(
    sessions: SessionFactory, request_id: int, reason: str, *, actor: User | None, now: dt.datetime
) -> BookingRequest:
    require(actor, "requests:decide")
    if not reason.strip():
        raise InvalidInput("reason", "say why the request is rejected")
    return _decide(sessions, request_id, RequestStatus.REJECTED, reason, actor=actor, now=now)


def waitlist_request(
    sessions: SessionFactory,
    request_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> BookingRequest:
    """Park a request: it is offered the next freed days that fit it, by priority."""
    require(actor, "requests:decide")
    return _decide(sessions, request_id, RequestStatus.WAITLISTED, reason, actor=actor, now=now)


def _decide(
    sessions: SessionFactory,
    request_id: int,
    status: RequestStatus,
    reason: str,
    *,
    actor: User | None,
    now: dt.datetime,
) -> BookingRequest:
    with sessions.begin() as session:
        request = _open_request(session, request_id)
        close_request(session, request, status, actor=actor, now=now, reason=reason)
    return request


def _open_request(session: Session, request_id: int) -> BookingRequest:
    request = get_request(session, request_id)
    if request.status not in OPEN_REQUEST_STATUSES:
        raise InvalidState(f"request {request_id} is {request.status.value}, not open")
    return request


# -- starting -------------------------------------------------------------------------------


def start_booking(
    sessions: SessionFactory, booking_id: int, *, actor: User | None, now: dt.datetime
) -> Booking:
    """Hand a confirmed booking's environment over: it is in use from now on.

    The gates its phase's start needs must be signed or waived (``gate_rules``: the
    phase's entry gate and the exit gates of the phases it waits for).
    """
    require(actor, "bookings:start")
    with sessions.begin() as session:
        booking = session.get(Booking, booking_id)
        if booking is None:
            raise NotFound("booking", booking_id)
        if booking.status != BookingStatus.CONFIRMED:
            raise InvalidState(
                f"{booking_words(booking)} is {status_words(booking.status)}; "
                f"only a confirmed booking starts"
            )
        from envsched.lifecycle import check_start  # lifecycle uses booking: at call time

        check_start(session, booking.phase_id)
        before = audit.snapshot(booking)
        booking.status, booking.updated_at = BookingStatus.IN_USE, now
        audit.record(session, actor=actor, now=now, action="start", row=booking, before=before)
    return booking
