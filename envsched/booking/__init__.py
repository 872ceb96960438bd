"""Booking: requests, approvals, bookings, free slots, give-back, withdraw, move, and the
rulebook every path that writes a booking obeys; clashes are what breaks it as stored.

``requests`` (what a test manager asks for), ``bookings`` (approve, book, start, finish),
``approvals`` (the queue decided together), ``free_slots`` (the earliest room),
``giveback``, ``withdraw``, ``move``, ``checkin`` (check-in and no-shows),
``rulebook/`` (the rules of a placement, team quotas among them), ``clashes`` (what is
wrong with the bookings as they stand), ``words`` (a booking as people know it) and
``series`` (a booking that repeats, each run booked as one is). Other packages and
``web`` call what this face exports (docs/design.md, "Feature packages").
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
from envsched.booking.checkin import check_in, checkin_due, release_no_shows
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
from envsched.booking.quotas import my_team_usage, quota_notes, quota_usage, set_quota
from envsched.booking.requests import (
    PhaseSlots,
    close_request,
    get_request,
    phase_slots,
    request_booking,
)
from envsched.booking.rulebook.checks import check_placement, is_second_booking, not_booked_yet
from envsched.booking.rulebook.quota import Month, Usage, month_of, parse_month
from envsched.booking.rulebook.rules import ReleasePlan, Rule, RuleBreak, RuleBroken

# booking series (issue 16)
from envsched.booking.series import (
    DAY_NAMES,
    WEEKDAYS,
    Run,
    cancel_runs,
    create_series,
    preview_series,
    repeat_text,
    rrule,
    series_days,
    series_of,
    series_out,
)
from envsched.booking.shapes import (
    MAX_RUNS,
    ApproveIn,
    BookingIn,
    BookingOut,
    BookingRequestIn,
    BookingRequestOut,
    ClashOut,
    MoveIn,
    OccurrenceOut,
    QuotaIn,
    QuotaOut,
    QuotaQuery,
    ReasonIn,
    RejectIn,
    ReleaseEarlyIn,
    RunOut,
    SeriesCancelIn,
    SeriesIn,
    SeriesOut,
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
from envsched.booking.words import booking_words, has_past_days, shown_status, state_words

__all__ = [
    "DAY_NAMES",
    "EXCLUSION_CONSTRAINT",
    "MAX_RUNS",
    "WEEKDAYS",
    "ApproveIn",
    "BookingIn",
    "BookingOut",
    "BookingRequestIn",
    "BookingRequestOut",
    "Choice",
    "ClashKind",
    "ClashOut",
    "Month",
    "MoveIn",
    "OccurrenceOut",
    "PhaseSlots",
    "QuotaIn",
    "QuotaOut",
    "QuotaQuery",
    "ReasonIn",
    "Refusal",
    "RejectIn",
    "ReleaseEarlyIn",
    "ReleasePlan",
    "Rule",
    "RuleBreak",
    "RuleBroken",
    "Run",
    "RunOut",
    "SeriesCancelIn",
    "SeriesIn",
    "SeriesOut",
    "Slot",
    "SlotOut",
    # stack bookings (issue 16)
    "StackBookingIn",
    "StackBookingOut",
    "StackPartOut",
    "StateClash",
    "Usage",
    "approve_many",
    "approve_request",
    "book_direct",
    "book_stack",
    "booking_transaction",
    "booking_words",
    "cancel_booking",
    "cancel_runs",
    "cancel_stack_booking",
    "check_in",
    "check_placement",
    "checkin_due",
    "clashes_in",
    "close_request",
    "competing_groups",
    "create_series",
    "current_clashes",
    "find_clashes",
    "find_free_slots",
    "free_days",
    "get_request",
    "has_past_days",
    "is_second_booking",
    "may_withdraw",
    "month_of",
    "move_booking",
    "move_choices",
    "my_team_usage",
    "new_booking",
    "not_booked_yet",
    "offer_days",
    "parse_month",
    "phase_slots",
    "place_stack",
    "preview_series",
    "quota_notes",
    "quota_usage",
    "reject_request",
    "release_early",
    "release_no_shows",
    "repeat_text",
    "request_booking",
    "rrule",
    "series_days",
    "series_of",
    "series_out",
    "set_quota",
    "shown_status",
    "stack_bookings",
    "stack_partners",
    "start_booking",
    "state_words",
    "suggest_slots",
    "waitlist_request",
    "withdraw_request",
]
