"""Which stack booking a booking is part of, and its partners: the reads every path that
changes one member's booking asks, so that a stack booking changes whole (cancel, hand
back, a round's move)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import LIVE_STATUSES, Booking, Stack, StackBooking, StackBookingPart


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
