"""Which stack booking a booking is part of, and its partners: the reads every path that
changes one member's booking asks, so that a stack booking changes whole (cancel, hand
back, a round's move, a hand move, a check-in, a no-show's release)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    Environment,
    Stack,
    StackBooking,
    StackBookingPart,
)


def stack_booking_of(session: Session, booking_id: int) -> StackBooking | None:
    """The stack booking ``booking_id`` is one member's part of (None: a lone booking)."""
    return session.exec(
        select(StackBooking)
        .join(StackBookingPart, col(StackBookingPart.stack_booking_id) == StackBooking.id)
        .where(StackBookingPart.booking_id == booking_id)
    ).first()


def stack_partners(session: Session, booking_id: int) -> list[Booking]:
    """The other member bookings of the stack booking ``booking_id`` is part of."""
    group = select(StackBookingPart.stack_booking_id).where(
        StackBookingPart.booking_id == booking_id
    )
    return list(
        session.exec(
            select(Booking)
            .join(StackBookingPart, col(StackBookingPart.booking_id) == Booking.id)
            .where(
                col(StackBookingPart.stack_booking_id).in_(group),
                Booking.id != booking_id,
            )
            .order_by(col(Booking.environment_id))
        ).all()
    )


def with_partners(session: Session, booking_ids: Collection[int]) -> dict[int, list[Booking]]:
    """Each booking (that exists) with the other live member bookings of the stack
    booking it is part of, by environment, itself first: what is checked in and released
    as one. Two statements whatever the number of bookings (a page reads many), their
    environments and types loaded with them."""
    loaded = (selectinload(Booking.environment).selectinload(Environment.type),)  # type: ignore[arg-type]
    own = session.exec(
        select(Booking).where(col(Booking.id).in_(list(booking_ids))).options(*loaded)
    ).all()
    asked = aliased(StackBookingPart)
    rows = session.exec(
        select(asked.booking_id, Booking)
        .join(StackBookingPart, col(StackBookingPart.stack_booking_id) == asked.stack_booking_id)
        .join(Booking, col(Booking.id) == StackBookingPart.booking_id)
        .where(col(asked.booking_id).in_(list(booking_ids)), col(Booking.id) != asked.booking_id)
        .order_by(col(Booking.environment_id))
        .options(*loaded)
    ).all()
    found = {b.id or 0: [b] for b in own}
    for booking_id, partner in rows:
        if partner.status in LIVE_STATUSES:
            found[booking_id].append(partner)
    return found


def live_partners(session: Session, booking_id: int) -> list[Booking]:
    """The partners still live (tentative, confirmed, in use), by environment."""
    return [b for b in stack_partners(session, booking_id) if b.status in LIVE_STATUSES]


def stacked_with(sessions: SessionFactory, booking_id: int) -> tuple[str, list[str]] | None:
    """For a member's booking of a stack booking still live: the stack's name and the
    environments its live member bookings hold (what cancelling one member gives back);
    None for a lone booking."""
    with read_transaction(sessions) as session:
        group = stack_booking_of(session, booking_id)
        booking = session.get(Booking, booking_id)
        if group is None or booking is None:
            return None
        members = [booking, *live_partners(session, booking_id)]
        stack = session.get_one(Stack, group.stack_id)
        return stack.name, sorted(b.environment.name for b in members)
