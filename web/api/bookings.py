"""Bookings: the direct booking of docs/design.md (201 or 409 with the clash), move, cancel,
release."""

from __future__ import annotations

from envsched import booking
from envsched.booking import BookingIn, BookingOut, MoveIn, ReasonIn, ReleaseEarlyIn
from envsched.db import read_transaction
from web.api import present, queries
from web.api.routing import JSON, Route, actor
from web.api.schemas import BookingQuery, Page
from web.context import now, sessions


def list_bookings(query: BookingQuery) -> JSON:
    with read_transaction(sessions()) as session:
        return queries.page(session, queries.bookings(query), query, present.booking)


def get_booking(booking_id: int) -> JSON:
    with read_transaction(sessions()) as session:
        return present.booking(queries.booking(session, booking_id))


def book_direct(body: BookingIn) -> JSON:
    row = booking.book_direct(sessions(), body, actor=actor(), now=now())
    if body.phase is not None:
        return get_booking(row.id or 0)  # the release key takes a read
    # The hot path (bench/load_bench.py): the names are known, so no second round trip.
    return present.new_booking(row, environment=body.environment)


def move_booking(booking_id: int, body: MoveIn) -> JSON:
    booking.move_booking(
        sessions(),
        booking_id,
        environment=body.environment,
        start=body.start,
        actor=actor(),
        now=now(),
        force_reason=body.force_reason,
    )
    return get_booking(booking_id)


def cancel_booking(booking_id: int, body: ReasonIn) -> JSON:
    booking.cancel_booking(sessions(), booking_id, actor=actor(), now=now(), reason=body.reason)
    return get_booking(booking_id)


def check_in(booking_id: int) -> JSON:
    booking.check_in(sessions(), booking_id, actor=actor(), now=now())
    return get_booking(booking_id)


def release_early(booking_id: int, body: ReleaseEarlyIn) -> JSON:
    booking.release_early(sessions(), booking_id, actor=actor(), now=now(), on=body.on)
    return get_booking(booking_id)


ROUTES = [
    Route(
        "GET",
        "/bookings",
        list_bookings,
        "bookings:read",
        "List bookings, filtered by environment, release, phase, status and days",
        Page[BookingOut],
        query=BookingQuery,
        errors=(400,),
    ),
    Route(
        "POST",
        "/bookings",
        book_direct,
        "bookings:direct",
        "Book an environment on days [start, end) outright: 201, or 409 with the clash",
        BookingOut,
        201,
        body=BookingIn,
        errors=(400, 409),
        example={
            "environment": "UAT-1",
            "start": "2027-03-01",
            "end": "2027-03-08",
            "phase": "R1-UAT",
            "note": "regression pack",
        },
        idempotent=True,
    ),
    Route(
        "GET",
        "/bookings/<int:booking_id>",
        get_booking,
        "bookings:read",
        "One booking",
        BookingOut,
        errors=(404,),
    ),
    Route(
        "POST",
        "/bookings/<int:booking_id>/move",
        move_booking,
        "bookings:move",
        "Move a live booking (not in use) to an environment and first day, keeping its "
        "length and id: 409 with the clash, 400 naming a field the phase cannot use. A "
        "member's booking of a stack booking moves the whole stack booking to the new days, "
        "each member on its own environment (a refusal starts with the member's name)",
        BookingOut,
        body=MoveIn,
        errors=(400, 404, 409),
        example={"environment": "UAT-1", "start": "2027-03-01"},
    ),
    Route(
        "POST",
        "/bookings/<int:booking_id>/cancel",
        cancel_booking,
        "bookings:cancel",
        "Cancel a live booking; its days go to the waitlist",
        BookingOut,
        body=ReasonIn,
        errors=(400, 404, 409),
        example={"reason": "release slipped"},
    ),
    Route(
        "POST",
        "/bookings/<int:booking_id>/release",
        release_early,
        "bookings:cancel",
        "End a live booking early on a day inside it; the rest goes to the waitlist",
        BookingOut,
        body=ReleaseEarlyIn,
        errors=(400, 404, 409),
        example={"on": "2027-02-04"},
    ),
    Route(
        "POST",
        "/bookings/<int:booking_id>/checkin",
        check_in,
        "bookings:checkin",
        "Check in one's own live booking (an environment manager: anyone's), from its first "
        "day; a booking of a type that requires check-in, not checked in within "
        "ENVSCHED_CHECKIN_HOURS of its start, is released to the waitlist. A stack booking "
        "is checked in, and released, as one: checking in a member checks in every member",
        BookingOut,
        errors=(404, 409),
    ),
]
