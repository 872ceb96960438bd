"""Booking requests: a test manager asks, an environment manager decides."""

from __future__ import annotations

from envsched import booking
from envsched.booking import (
    ApproveIn,
    BookingOut,
    BookingRequestIn,
    BookingRequestOut,
    ReasonIn,
    RejectIn,
    SlotOut,
    withdraw_request,
)
from envsched.db import read_transaction
from web.api import present, queries
from web.api.bookings import get_booking
from web.api.routing import JSON, Route, actor
from web.api.schemas import Page, RequestQuery
from web.context import now, sessions


def list_requests(query: RequestQuery) -> JSON:
    with read_transaction(sessions()) as session:
        return queries.page(
            session,
            queries.requests(query),
            query,
            lambda row: present.booking_request(session, row),
        )


def get_request(request_id: int) -> JSON:
    with read_transaction(sessions()) as session:
        return present.booking_request(session, queries.request(session, request_id))


def create_request(body: BookingRequestIn) -> JSON:
    row = booking.request_booking(sessions(), body, actor=actor(), now=now())
    return get_request(row.id or 0)


def suggested_slots(request_id: int) -> list[JSON]:
    return [
        present.slot(s) for s in booking.suggest_slots(sessions(), request_id, today=now().date())
    ]


def approve_request(request_id: int, body: ApproveIn) -> JSON:
    row = booking.approve_request(
        sessions(),
        request_id,
        actor=actor(),
        now=now(),
        environment=body.environment,
        start=body.start,
        force_reason=body.force_reason,
        quota_reason=body.quota_reason,
    )
    return get_booking(row.id or 0)


def reject_request(request_id: int, body: RejectIn) -> JSON:
    booking.reject_request(sessions(), request_id, body.reason, actor=actor(), now=now())
    return get_request(request_id)


def waitlist_request(request_id: int, body: ReasonIn) -> JSON:
    booking.waitlist_request(sessions(), request_id, actor=actor(), now=now(), reason=body.reason)
    return get_request(request_id)


def cancel_request(request_id: int) -> JSON:
    withdraw_request(sessions(), request_id, actor=actor(), now=now())
    return get_request(request_id)


ROUTES = [
    Route(
        "GET",
        "/requests",
        list_requests,
        "requests:read",
        "List booking requests, filtered by status, requester and phase",
        Page[BookingRequestOut],
        query=RequestQuery,
        errors=(400,),
    ),
    Route(
        "POST",
        "/requests",
        create_request,
        "requests:create",
        "Ask for an environment: a phase, a type or named environments, and days",
        BookingRequestOut,
        201,
        body=BookingRequestIn,
        errors=(400, 409),
        example={
            "phase": "R1-UAT",
            "duration_days": 5,
            "earliest_start": "2027-03-01",
            "justification": "regression pack",
        },
        idempotent=True,
    ),
    Route(
        "GET",
        "/requests/<int:request_id>",
        get_request,
        "requests:read",
        "One booking request",
        BookingRequestOut,
        errors=(404,),
    ),
    Route(
        "GET",
        "/requests/<int:request_id>/slots",
        suggested_slots,
        "requests:read",
        "The earliest free slots that would satisfy the request",
        list[SlotOut],
        errors=(404,),
    ),
    Route(
        "POST",
        "/requests/<int:request_id>/approve",
        approve_request,
        "requests:decide",
        "Approve to the earliest suggested slot, or to a chosen environment (and start); "
        "answers with the booking made",
        BookingOut,
        201,
        body=ApproveIn,
        errors=(400, 404, 409),
        example={},
    ),
    Route(
        "POST",
        "/requests/<int:request_id>/reject",
        reject_request,
        "requests:decide",
        "Reject, saying why",
        BookingRequestOut,
        body=RejectIn,
        errors=(400, 404, 409),
        example={"reason": "no UAT capacity before the freeze"},
    ),
    Route(
        "POST",
        "/requests/<int:request_id>/waitlist",
        waitlist_request,
        "requests:decide",
        "Waitlist: the request is offered the next freed days that fit it",
        BookingRequestOut,
        body=ReasonIn,
        errors=(400, 404, 409),
        example={"reason": "UAT full until March"},
    ),
    Route(
        "POST",
        "/requests/<int:request_id>/cancel",
        cancel_request,
        "requests:cancel",
        "The requester (or an environment manager) withdraws an open request, or an "
        "approved one whose booking has not started (the booking is cancelled with it)",
        BookingRequestOut,
        errors=(404, 409),
    ),
]
