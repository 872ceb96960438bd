"""Booking a stack: every member for the same days, or none.

One transaction: each member's row is locked (in id order, so two stack bookings never
wait for each other in a circle), each member is checked as a direct booking would be
(its own days: ``check_fits``; with a phase, the rulebook on the member that serves the
phase's type), and only then is every member booked. A refusal names the member and the
rule, and leaves nothing booked. On PostgreSQL the exclusion constraint backs it up, as
for a single booking (``booking_transaction``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking.bookings import (
    booking_transaction,
    check_days,
    new_booking,
    phase_named,
    place_locked,
)
from envsched.booking.giveback import cancel_locked
from envsched.booking.rulebook import RuleBroken
from envsched.booking.shapes import StackBookingIn, StackBookingOut, StackPartOut
from envsched.booking.stack_parts import live_partners, stack_booking_of
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, InvalidState, NotFound
from envsched.inventory import lock_environment, serving_member, stack_members, stack_named
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    Environment,
    Phase,
    StackBooking,
    StackBookingPart,
    User,
)
from envsched.permissions import require


def book_stack(
    sessions: SessionFactory,
    stack_name: str,
    data: StackBookingIn,
    *,
    actor: User | None,
    now: dt.datetime,
) -> StackBookingOut:
    """Book every member of the stack on ``[start, end)`` (confirmed), or refuse naming
    the member in the way and its rule."""
    require(actor, "stacks:book")
    check_days(data.start, data.end)
    with booking_transaction(sessions) as session:
        phase = phase_named(session, data.phase)
        return place_stack(
            session,
            stack_name,
            data.start,
            data.end,
            phase=phase,
            status=BookingStatus.CONFIRMED,
            note=data.note,
            actor=actor,
            now=now,
        )


def place_stack(
    session: Session,
    stack_name: str,
    start: dt.date,
    end: dt.date,
    *,
    phase: Phase | None,
    status: BookingStatus,
    note: str,
    actor: User | None,
    now: dt.datetime,
    field: str = "stack",
    over_quota: bool = False,
) -> StackBookingOut:
    """Inside the caller's write transaction: lock every member, check each, then book
    each (the one serving ``phase`` carries it). Shared by ``book_stack``, a plan
    written back as tentative bookings and a round's proposal (``over_quota``: an
    environment manager let it past the team quota)."""
    stack = stack_named(session, stack_name, field=field)
    members = [lock_environment(session, env.id or 0) for env in stack_members(session, stack)]
    if not members:
        raise InvalidInput(field, f"the stack {stack.name} has no environments")
    serving = _serving(session, stack.name, members, phase) if phase else None
    group = StackBooking(
        stack_id=stack.id or 0,
        phase_id=phase.id if phase else None,
        start=start,
        end=end,
        note=note,
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(group)
    session.flush()
    parts = []
    for env in members:
        with _about_member(env):
            booking = place_locked(
                session,
                env,
                phase if env is serving else None,
                start,
                end,
                actor=actor,
                now=now,
                status=status,
                note=note or f"stack {stack.name}",
                over_quota=over_quota,
            )
        session.flush()
        session.add(StackBookingPart(stack_booking_id=group.id or 0, booking_id=booking.id or 0))
        parts.append(StackPartOut(booking=booking.id or 0, environment=env.name))
    return StackBookingOut(
        id=group.id or 0,
        stack=stack.name,
        start=start,
        end=end,
        phase=phase.key if phase else None,
        note=note,
        bookings=parts,
    )


def cancel_stack_booking(
    sessions: SessionFactory,
    stack_name: str,
    stack_booking_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> list[StackPartOut]:
    """Cancel every live member booking of a stack booking in one transaction; the days
    still ahead go to each environment's waitlist, as a single cancel's do. Returns the
    bookings cancelled, with their environments."""
    require(actor, "stacks:book")
    with booking_transaction(sessions) as session:
        group = session.get(StackBooking, stack_booking_id)
        if group is None or group.stack_id != stack_named(session, stack_name).id:
            raise NotFound("stack booking", stack_booking_id)
        live = [
            b
            for b in session.exec(
                select(Booking)
                .join(StackBookingPart, col(StackBookingPart.booking_id) == Booking.id)
                .where(StackBookingPart.stack_booking_id == stack_booking_id)
                .order_by(col(Booking.environment_id))
            ).all()
            if b.status in LIVE_STATUSES
        ]
        if not live:
            raise InvalidState("nothing of this stack booking is live any more")
        for booking in live:
            cancel_locked(session, booking, reason, actor=actor, now=now)
        return [StackPartOut(booking=b.id or 0, environment=b.environment.name) for b in live]


# A hand move's check of one booking and where it goes, before it goes there.
MemberCheck = Callable[[Booking, Environment], None]


def move_stack_locked(
    session: Session,
    carrier: Booking,
    stack_name: str,
    start: dt.date,
    end: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
    note: str,
    action: str = "replan_move",
    check: MemberCheck | None = None,
) -> list[Booking]:
    """Move the stack booking ``carrier`` is part of to ``stack_name`` on ``[start, end)``,
    whole, in the caller's transaction: the carrier to the member that serves its phase
    (without a phase: its counterpart), each other member's booking to its counterpart
    (on the same environment, else one of the same type: UAT-3-DB's to UAT-4-DB; a member
    no booking moves to is booked, tentatively; a booking no member takes is cancelled).
    A round's accept passes no ``check``: it checks every booking returned (the carrier
    first) with the state complete. A hand move passes one, called on each booking and
    its member before it moves there (a refusal names the member). Each other member's
    move is audited as ``action``; the caller audits the carrier's."""
    group = stack_booking_of(session, carrier.id or 0)
    if group is None:
        raise InvalidState("only a member's booking of a stack booking moves as a stack")
    stack = stack_named(session, stack_name, field="plan")
    members = [lock_environment(session, env.id or 0) for env in stack_members(session, stack)]
    partners = live_partners(session, carrier.id or 0)
    first = _carrier_member(session, stack.name, members, carrier)
    _checked(check, carrier, first)
    _set_days(carrier, first, start, end, now)
    moved, moving = [carrier], _Moving(actor, now, action, check)
    for env in members:
        if env is not first:
            partner = _counterpart(partners, env)
            moved.append(_member_moved(session, group, partner, env, (start, end), moving))
    for gone in partners:
        before = audit.snapshot(gone)
        gone.status, gone.updated_at = BookingStatus.CANCELLED, now
        gone.note = f"{gone.note}\n{note}: the stack {stack.name} has no {gone.environment.name}"
        audit.record(session, actor=actor, now=now, action="cancelled", row=gone, before=before)
    group.stack_id, group.start, group.end = stack.id or 0, start, end
    return moved


def _carrier_member(
    session: Session, stack: str, members: list[Environment], carrier: Booking
) -> Environment:
    """Where the carrier goes: the member serving its phase; without a phase, its own
    environment (a move to other days), else one of its type."""
    if carrier.phase is not None:
        return _serving(session, stack, members, carrier.phase)
    for same in (
        lambda env: env.id == carrier.environment_id,
        lambda env: env.type_id == carrier.environment.type_id,
    ):
        found = next((env for env in members if same(env)), None)
        if found is not None:
            return found
    raise InvalidInput(
        "environment", f"the stack {stack} has no {carrier.environment.type.name} environment"
    )


def _checked(check: MemberCheck | None, booking: Booking | None, env: Environment) -> None:
    """Ask a hand move's ``check`` about ``booking`` going to ``env``, naming the member in
    its refusal (a member nothing moves to is only booked by a round, which checks later)."""
    if check is not None and booking is not None:
        with _about_member(env):
            check(booking, env)


def _counterpart(partners: list[Booking], env: Environment) -> Booking | None:
    """Take from ``partners`` the booking that moves to ``env``: on it, else of its type."""
    for same in (
        lambda b: b.environment_id == env.id,
        lambda b: b.environment.type_id == env.type_id,
    ):
        found = next((b for b in partners if same(b)), None)
        if found is not None:
            partners.remove(found)
            return found
    return None


@dataclass(frozen=True)
class _Moving:
    """Who moves a stack booking, when, the audit action, and a hand move's check."""

    actor: User | None
    now: dt.datetime
    action: str
    check: MemberCheck | None


def _member_moved(
    session: Session,
    group: StackBooking,
    partner: Booking | None,
    env: Environment,
    days: tuple[dt.date, dt.date],
    moving: _Moving,
) -> Booking:
    """``partner`` moved to ``env`` on ``days`` (audited); without one, a new tentative
    booking of ``env``, part of ``group``."""
    actor, now = moving.actor, moving.now
    if partner is None:
        partner = new_booking(env, *days, now=now, actor=actor, status=BookingStatus.TENTATIVE)
        partner.note = group.note or f"stack {env.name}"
        session.add(partner)
        session.flush()
        session.add(StackBookingPart(stack_booking_id=group.id or 0, booking_id=partner.id or 0))
        audit.record(session, actor=actor, now=now, action="propose", row=partner)
        return partner
    before = audit.snapshot(partner)
    _checked(moving.check, partner, env)
    _set_days(partner, env, *days, now)
    audit.record(session, actor=actor, now=now, action=moving.action, row=partner, before=before)
    return partner


def _set_days(
    booking: Booking, env: Environment, start: dt.date, end: dt.date, now: dt.datetime
) -> None:
    assert env.id is not None
    booking.environment_id, booking.exclusive = env.id, env.capacity == 1
    booking.start, booking.end, booking.updated_at = start, end, now


def _serving(session: Session, stack: str, members: list[Environment], phase: Phase) -> Environment:
    """The member that serves the phase (``inventory.serving_member``), or a refusal."""
    serving = serving_member(members, phase)
    if serving is not None:
        return serving
    raise InvalidInput(
        "phase",
        f"no environment of the stack {stack} is a {phase.type.name} environment "
        f"with the tags {phase.key} needs",
    )


@contextmanager
def _about_member(env: Environment) -> Iterator[None]:
    """A member's refusal (the rulebook's, its own days', the team quota's) says which
    member it is about; the caller's transaction then books none of them."""
    try:
        yield
    except RuleBroken as exc:
        raise RuleBroken(
            [replace(b, message=f"{env.name}: {b.message}") for b in exc.breaks]
        ) from exc
    except BookingConflict as exc:
        refusal = BookingConflict(
            exc.reason if env.name in exc.reason else f"{env.name}: {exc.reason}",
            exc.clashes,
            field="stack",
            rule=exc.rule,
        )
        raise refusal from exc


def stack_bookings(session: Session, stack_id: int) -> list[StackBooking]:
    """A stack's bookings, newest days first."""
    return list(
        session.exec(
            select(StackBooking)
            .where(StackBooking.stack_id == stack_id)
            .order_by(StackBooking.start.desc())  # type: ignore[attr-defined]
        ).all()
    )
