"""Stacks (issue 16): environments booked together. Kept by environment managers and
admins; booking a stack books every member for the same days, or answers 409 naming the
member in the way and its rule."""

from __future__ import annotations

from typing import Any

from envsched import booking, inventory
from envsched.booking import StackBookingIn, StackBookingOut, StackPartOut
from envsched.db import read_transaction
from envsched.inventory import StackIn, StackOut
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


def list_stacks() -> list[dict[str, Any]]:
    with read_transaction(sessions()) as session:
        return [s.model_dump(mode="json") for s in inventory.stacks(session)]


def create_stack(body: StackIn) -> JSON:
    return inventory.create_stack(sessions(), body, actor=actor(), now=now()).model_dump(
        mode="json"
    )


def delete_stack(stack: str) -> None:
    inventory.delete_stack(sessions(), stack, actor=actor(), now=now())


def book_stack(stack: str, body: StackBookingIn) -> JSON:
    done = booking.book_stack(sessions(), stack, body, actor=actor(), now=now())
    return done.model_dump(mode="json")


def cancel_stack_booking(stack: str, stack_booking_id: int) -> list[dict[str, Any]]:
    cancelled = booking.cancel_stack_booking(
        sessions(), stack, stack_booking_id, actor=actor(), now=now()
    )
    return [part.model_dump(mode="json") for part in cancelled]


ROUTES = [
    Route(
        "GET",
        "/stacks",
        list_stacks,
        "stacks:read",
        "Every stack with its environments",
        list[StackOut],
    ),
    Route(
        "POST",
        "/stacks",
        create_stack,
        "stacks:write",
        "Add a stack of environments booked together (each environment in one stack at most)",
        StackOut,
        201,
        body=StackIn,
        errors=(400,),
        example={"name": "UAT-STACK", "members": ["UAT-2", "SIT-1"], "description": "app + db"},
    ),
    Route(
        "DELETE",
        "/stacks/<stack>",
        delete_stack,
        "stacks:write",
        "Remove a stack; its environments and their bookings stay",
        None,
        204,
        errors=(404,),
    ),
    Route(
        "POST",
        "/stacks/<stack>/bookings",
        book_stack,
        "stacks:book",
        "Book every environment of the stack on days [start, end), or none: 201, or 409 "
        "naming the environment in the way and its rule",
        StackBookingOut,
        201,
        body=StackBookingIn,
        errors=(400, 404, 409),
        example={"start": "2027-06-01", "end": "2027-06-08", "note": "end-to-end run"},
    ),
    Route(
        "POST",
        "/stacks/<stack>/bookings/<int:stack_booking_id>/cancel",
        cancel_stack_booking,
        "stacks:book",
        "Cancel every live booking of a stack booking at once; their days go to the waitlist",
        list[StackPartOut],
        errors=(404, 409),
    ),
]
