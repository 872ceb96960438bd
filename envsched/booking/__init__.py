"""Booking: requests, approvals, bookings, free slots, give-back, withdraw, move, and the
rulebook every path that writes a booking obeys; clashes are what breaks it as stored.

``requests`` (what a test manager asks for), ``bookings`` (approve, book, start, finish),
``approvals`` (the queue decided together), ``free_slots`` (the earliest room),
``giveback``, ``withdraw``, ``move``, ``rulebook/`` (the rules of a placement),
``clashes`` (what is wrong with the bookings as they stand) and ``words`` (a booking as
people know it). Other packages and ``web`` call what this face exports
(docs/design.md, "Feature packages").
"""

from envsched.booking.approvals import Choice, Refusal, approve_many, competing_groups, free_days
from envsched.booking.bookings import (
    EXCLUSION_CONSTRAINT,
    approve_request,
    book_direct,
    booking_transaction,
    new_booking,
    reject_request,
    start_booking,
    suggest_slots,
    waitlist_request,
)
from envsched.booking.clashes import (
    ClashKind,
    StateClash,
    clashes_in,
    current_clashes,
    find_clashes,
)
from envsched.booking.free_slots import Slot, find_free_slots
from envsched.booking.giveback import cancel_booking, offer_days, release_early
from envsched.booking.move import move_booking, move_choices
from envsched.booking.requests import (
    PhaseSlots,
    close_request,
    get_request,
    phase_slots,
    request_booking,
)
from envsched.booking.rulebook.checks import check_placement, is_second_booking
from envsched.booking.rulebook.rules import ReleasePlan, Rule, RuleBreak, RuleBroken
from envsched.booking.shapes import (
    ApproveIn,
    BookingIn,
    BookingOut,
    BookingRequestIn,
    BookingRequestOut,
    ClashOut,
    MoveIn,
    ReasonIn,
    RejectIn,
    ReleaseEarlyIn,
    SlotOut,
    StackBookingIn,
    StackBookingOut,
    StackPartOut,
)
from envsched.booking.stacks import (
    book_stack,
    cancel_stack_booking,
    place_stack,
    stack_bookings,
    stack_partners,
)
from envsched.booking.withdraw import may_withdraw, withdraw_request
from envsched.booking.words import booking_words

__all__ = [
    "EXCLUSION_CONSTRAINT",
    "ApproveIn",
    "BookingIn",
    "BookingOut",
    "BookingRequestIn",
    "BookingRequestOut",
    "Choice",
    "ClashKind",
    "ClashOut",
    "MoveIn",
    "PhaseSlots",
    "ReasonIn",
    "Refusal",
    "RejectIn",
    "ReleaseEarlyIn",
    "ReleasePlan",
    "Rule",
    "RuleBreak",
    "RuleBroken",
    "Slot",
    "SlotOut",
    # stack bookings (issue 16)
    "StackBookingIn",
    "StackBookingOut",
    "StackPartOut",
    "StateClash",
    "approve_many",
    "approve_request",
    "book_direct",
    "book_stack",
    "booking_transaction",
    "booking_words",
    "cancel_booking",
    "cancel_stack_booking",
    "check_placement",
    "clashes_in",
    "close_request",
    "competing_groups",
    "current_clashes",
    "find_clashes",
    "find_free_slots",
    "free_days",
    "get_request",
    "is_second_booking",
    "may_withdraw",
    "move_booking",
    "move_choices",
    "new_booking",
    "offer_days",
    "phase_slots",
    "place_stack",
    "reject_request",
    "release_early",
    "request_booking",
    "stack_bookings",
    "stack_partners",
    "start_booking",
    "suggest_slots",
    "waitlist_request",
    "withdraw_request",
]
