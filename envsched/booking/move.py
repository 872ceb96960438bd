"""Moving a booking: the same booking (its id, request and phase) on other days or another
environment, keeping its length, checked as a new booking of its phase would be.

Who moves: an environment manager (they allocate environments). The booking's old days
that are still ahead go to the waitlist, as a cancel's do (``giveback.offer_days``).
``move_choices`` offers the free slots the booking's phase could move to.

A member's booking of a stack booking moves with the whole stack booking, as a round's
move does (``move_stack_locked``): every live member to the same new days, each on its
own environment, each checked as this move checks a single booking, all or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from envsched import audit
from envsched.booking.bookings import booking_transaction, forced_reason, forcing
from envsched.booking.free_slots import Slot, find_free_slots, free_together
from envsched.booking.giveback import offer_days
from envsched.booking.requests import request_rules
from envsched.booking.rulebook import RuleBreak, check_placement, phase_window
from envsched.booking.rulebook.quota import Holding, check_quota, owner_id
from envsched.booking.stack_parts import live_partners, stack_booking_of
from envsched.booking.stacks import move_stack_locked
from envsched.booking.words import booking_words, has_past_days, status_words
from envsched.days import day_text
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, InvalidState, NotFound
from envsched.inventory import (
    check_eligible,
    check_fits,
    environment_named,
    lock_environment,
    natural_key,
    stack_members,
)
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Stack,
    User,
)
from envsched.permissions import require


def move_booking(
    sessions: SessionFactory,
    booking_id: int,
    *,
    environment: str,
    start: dt.date,
    actor: User | None,
    now: dt.datetime,
    force_reason: str | None = None,
) -> Booking:
    """Move live booking ``booking_id`` to ``environment`` from ``start``, as long as it was.

    A member's booking of a stack booking moves the whole stack booking to the new days
    (``environment`` must be its own: each member stays on its own).

    Refused with ``NotFound``, ``PermissionDenied``, ``InvalidState`` (not live, in use,
    started before today: the days it has had cannot move; for a stack booking, any
    member so),
    ``InvalidInput`` naming ``start`` or ``environment``, ``RuleBroken`` when the new
    place breaks a rule of the booking's phase (the rulebook; with ``force_reason`` it is
    stored anyway, as a clash), or ``BookingConflict`` when the new days clash (the
    booking's own old days do not count); a stack member's refusal starts with its name.
    """
    require(actor, "bookings:move")
    if start < now.date():
        raise InvalidInput("start", f"{start} is in the past")
    forcing(force_reason)
    with booking_transaction(sessions) as session:
        booking = _movable(session, booking_id, now.date())
        move = _Move(start, start + (booking.end - booking.start), actor, now, force_reason)
        group = stack_booking_of(session, booking_id)
        if group is None:
            _move_alone(session, booking, environment, move)
        else:
            _move_stack(session, booking, session.get_one(Stack, group.stack_id), environment, move)
    return booking


@dataclass(frozen=True)
class _Move:
    """Where a move goes (the days ``[start, end)``), who moves it, and why it may break a
    rule (``force_reason``)."""

    start: dt.date
    end: dt.date
    actor: User | None
    now: dt.datetime
    force_reason: str | None

    def check(self, session: Session, booking: Booking, target: Environment) -> None:
        """Check ``booking`` going to ``target``; keep the rules a forced move breaks."""
        forced = self.force_reason is not None
        breaks = _check_target(session, booking, target, self.start, self.end, forced=forced)
        booking.forced_reason = forced_reason(self.force_reason, breaks)

    def offer(self, session: Session, old: tuple[int, dt.date, dt.date]) -> None:
        """Offer the old days ``(environment, start, end)`` still ahead to the waitlist."""
        env_id, start, end = old
        offer_days(
            session, env_id, max(start, self.now.date()), end, actor=self.actor, now=self.now
        )


def _move_alone(session: Session, booking: Booking, environment: str, move: _Move) -> None:
    target = _lock_both(session, booking.environment_id, environment)
    before, old = audit.snapshot(booking), _old_place(booking)
    move.check(session, booking, target)
    _place(booking, target, move.start, move.end, move.now)
    audit.record(session, actor=move.actor, now=move.now, action="move", row=booking, before=before)
    move.offer(session, old)


def _move_stack(
    session: Session, booking: Booking, stack: Stack, environment: str, move: _Move
) -> None:
    """Move the stack booking ``booking`` is part of to the new days, whole, as a round's
    move does (``move_stack_locked``): every live member on its own environment, each
    checked as a single move is before it moves; the move of each is audited."""
    if environment != booking.environment.name:
        raise InvalidInput(
            "environment",
            f"{booking_words(booking)} is part of a booking of the stack {stack.name}, whose "
            f"members move together, each on its own environment: move it to other days on "
            f"{booking.environment.name}, or cancel the stack booking and book another stack",
        )
    whole = [booking, *live_partners(session, booking.id or 0)]
    for member in whole[1:]:
        _movable(session, member.id or 0, move.now.date())
    _check_whole(session, stack, whole)
    before, olds = audit.snapshot(booking), [_old_place(b) for b in whole]
    move_stack_locked(
        session,
        booking,
        stack.name,
        move.start,
        move.end,
        actor=move.actor,
        now=move.now,
        note="moved by hand",
        action="move",
        check=lambda member, target: move.check(session, member, target),
    )
    audit.record(session, actor=move.actor, now=move.now, action="move", row=booking, before=before)
    for old in olds:
        move.offer(session, old)


def _check_whole(session: Session, stack: Stack, whole: list[Booking]) -> None:
    """A stack booking moves by hand only while every member of the stack holds a live
    booking of it (one left alone by an older release would be booked anew unchecked)."""
    held = {b.environment_id for b in whole}
    missing = [env.name for env in stack_members(session, stack) if env.id not in held]
    if missing:
        raise InvalidState(
            f"the booking of the stack {stack.name} no longer holds {', '.join(missing)}; "
            "cancel it and book the stack again on the new days"
        )


def _old_place(booking: Booking) -> tuple[int, dt.date, dt.date]:
    return booking.environment_id, booking.start, booking.end


def _movable(session: Session, booking_id: int, today: dt.date) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("booking", booking_id)
    if booking.status not in LIVE_STATUSES:
        raise InvalidState(f"{booking_words(booking)} is {status_words(booking.status)}, not live")
    if booking.status == BookingStatus.IN_USE:
        raise InvalidState(
            f"{booking_words(booking)} is in use; hand it back early instead of moving it"
        )
    if has_past_days(booking.status, booking.start, today):
        raise InvalidState(
            f"{booking_words(booking)} started on {day_text(booking.start)}: the days it has "
            f"had cannot move; hand it back early to shorten it instead"
        )
    return booking


def _lock_both(session: Session, current_id: int, name: str) -> Environment:
    """Lock the booking's environment and the target, lower id first (no deadlock between
    two moves in opposite directions); return the target."""
    target = environment_named(session, name)
    assert target.id is not None
    for env_id in sorted({current_id, target.id}):
        lock_environment(session, env_id)
    return target


def _check_target(
    session: Session,
    booking: Booking,
    target: Environment,
    start: dt.date,
    end: dt.date,
    *,
    forced: bool,
) -> list[RuleBreak]:
    """The target must suit the booking (its phase's rules, else its request, else its
    type) and have the days free of everything but the booking itself; return the rules
    a forced move breaks."""
    phase, breaks = booking.phase, []
    if phase is not None:
        breaks = check_placement(
            session, phase, target, start, end, booking_id=booking.id, forced=forced
        )
    elif booking.request is not None:
        rules = request_rules(session, booking.request)
        check_eligible(target, type_id=rules.type_id, tags=rules.tags, names=rules.environments)
    else:
        check_eligible(target, type_id=booking.environment.type_id, tags=(), names=None)
    check_fits(
        session,
        target,
        start,
        end,
        release_id=phase.release_id if phase else None,
        ignore_booking=booking.id,
    )
    return breaks + check_quota(
        session,
        target,
        start,
        end,
        owner_id(session, booking),
        approved=forced,
        booking_id=booking.id,
        holding=Holding.of(booking),
        asking="this booking",
    )


def _place(
    booking: Booking, target: Environment, start: dt.date, end: dt.date, now: dt.datetime
) -> None:
    assert target.id is not None
    booking.environment_id, booking.start, booking.end = target.id, start, end
    booking.exclusive = target.capacity == 1  # the exclusion constraint reads it
    booking.updated_at = now


@dataclass(frozen=True)
class MoveChoices:
    """Where a booking could go: the environments its phase may use (by name), and the
    earliest free slots of its length on them."""

    environments: list[str]
    slots: list[Slot]


def move_choices(
    sessions: SessionFactory, booking_id: int, *, today: dt.date, limit: int = 5
) -> MoveChoices:
    """The environments and free slots the booking's phase (else its environment's type)
    could move to: from ``today``, inside the days the rulebook leaves the phase."""
    with read_transaction(sessions) as session:
        booking = session.get(Booking, booking_id)
        if booking is None:
            raise NotFound("booking", booking_id)
        if stack_booking_of(session, booking_id) is not None:
            return _stack_choices(session, booking, today)
        phase, length = booking.phase, (booking.end - booking.start).days
        if phase is None:
            kind = booking.environment.type.name
            return MoveChoices(
                _names(session, kind, (), None),
                find_free_slots(session, kind, length, today, limit=limit),
            )
        first, last = phase_window(session, phase)  # the rulebook's days for the phase
        return MoveChoices(
            _names(session, phase.type.name, phase.required_tags, phase.environments),
            find_free_slots(
                session,
                phase.type.name,
                length,
                max(today, first),
                tags=phase.required_tags,
                environments=phase.environments,
                before=last,
                limit=limit,
            ),
        )


def _stack_choices(session: Session, booking: Booking, today: dt.date) -> MoveChoices:
    """A member's booking of a stack booking moves with every member, each on its own
    environment: its own environment, and the first days free on all of them (inside the
    days the rulebook leaves the phase the stack booking serves, if any)."""
    whole = [booking, *live_partners(session, booking.id or 0)]
    phase = next((b.phase for b in whole if b.phase is not None), None)
    first, last = phase_window(session, phase) if phase else (today, None)
    length = booking.end - booking.start
    start = free_together(
        session, [b.environment for b in whole], length.days, max(today, first), before=last
    )
    env = booking.environment
    slots = [Slot(env.name, env.id or 0, start, start + length)] if start else []
    return MoveChoices([env.name], slots)


def _names(
    session: Session, type_name: str, tags: Sequence[str], names: Sequence[str] | None
) -> list[str]:
    """Environments of ``type_name`` in service carrying ``tags`` (and among ``names``)."""
    query = (
        select(Environment)
        .join(EnvironmentType)
        .where(EnvironmentType.name == type_name, Environment.status != EnvironmentStatus.RETIRED)
    )
    found = [
        env.name
        for env in session.exec(query).all()
        if set(tags) <= set(env.tags) and (names is None or env.name in names)
    ]
    return sorted(found, key=natural_key)
