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
from dataclasses import replace

from sqlmodel import Session, select

from envsched import audit
from envsched.booking.bookings import _phase_named, booking_transaction, check_days, new_booking
from envsched.booking.rulebook import RuleBroken, check_placement
from envsched.booking.shapes import StackBookingIn, StackBookingOut, StackPartOut
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput
from envsched.inventory import check_fits, lock_environment, stack_members, stack_named
from envsched.models import Environment, Phase, StackBooking, StackBookingPart, User
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
        stack = stack_named(session, stack_name)
        members = [lock_environment(session, env.id or 0) for env in stack_members(session, stack)]
        if not members:
            raise InvalidInput("stack", f"the stack {stack.name} has no environments")
        phase = _phase_named(session, data.phase)
        serving = _serving(session, stack.name, members, phase) if phase else None
        for env in members:
            _check_member(session, env, data, phase if env is serving else None, now.date())
        group = StackBooking(
            stack_id=stack.id or 0,
            phase_id=phase.id if phase else None,
            start=data.start,
            end=data.end,
            note=data.note,
            created_at=now,
            created_by_id=actor.id if actor else None,
        )
        session.add(group)
        session.flush()
        parts = []
        for env in members:
            booking = new_booking(
                env,
                data.start,
                data.end,
                now=now,
                actor=actor,
                phase=phase if env is serving else None,
                note=data.note or f"stack {stack.name}",
            )
            session.add(booking)
            audit.record(session, actor=actor, now=now, action="book", row=booking)
            session.add(
                StackBookingPart(stack_booking_id=group.id or 0, booking_id=booking.id or 0)
            )
            parts.append(StackPartOut(booking=booking.id or 0, environment=env.name))
        return StackBookingOut(
            id=group.id or 0,
            stack=stack.name,
            start=data.start,
            end=data.end,
            phase=phase.key if phase else None,
            note=data.note,
            bookings=parts,
        )


def _serving(session: Session, stack: str, members: list[Environment], phase: Phase) -> Environment:
    """The member that serves the phase: of its type, with its tags (the first such)."""
    for env in members:
        if env.type_id == phase.type_id and set(phase.required_tags) <= set(env.tags):
            return env
    raise InvalidInput(
        "phase",
        f"no environment of the stack {stack} is a {phase.type.name} environment "
        f"with the tags {phase.key} needs",
    )


def _check_member(
    session: Session, env: Environment, data: StackBookingIn, phase: Phase | None, today: dt.date
) -> None:
    """A member's own days and, for the member serving the phase, the rulebook; a refusal
    says which member it is about."""
    try:
        if phase is not None:
            check_placement(session, phase, env, data.start, data.end, today=today)
        check_fits(
            session, env, data.start, data.end, release_id=phase.release_id if phase else None
        )
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
