"""The plan in force, kept: every booking that still follows the rules stays where it is.

First come, first served "keeping the plan in force" puts the pinned bookings on the
calendar, then every other booking that still fits, and only then dispatches the rest.
Reserving the bookings before any release is dispatched is what keeps a plan stable: a
release dispatched earlier in the order never takes the days another one holds.
"""

from __future__ import annotations

from solver.calendar import EnvironmentCalendar, latest_starts
from solver.scenario import Booking, Scenario, topological_order


def keep_bookings_in_force(scenario: Scenario, calendar: EnvironmentCalendar) -> None:
    """Put each unpinned booking on the calendar where it still fits, in phase order.

    A booking is kept when its environment is still eligible, its days are free and
    inside the horizon, it starts no earlier than its phase may, after every
    predecessor (already on the calendar) plus gap, and early enough for pinned
    successors. A booking whose predecessor is not on the calendar yet is left to the
    dispatch, which keeps it in its turn if it still fits then.
    """
    pinned = {b.phase: b.start for b in scenario.bookings if b.pinned}
    latest = latest_starts(scenario, pinned)
    for phase_id in topological_order(scenario):
        booking = scenario.booking_by_phase.get(phase_id)
        if booking is None or booking.pinned or calendar.placement(phase_id) is not None:
            continue
        if _still_fits(scenario, calendar, booking, latest.get(phase_id, booking.start)):
            phase = scenario.phase_by_id[phase_id]
            calendar.occupy(
                booking.environment,
                booking.start,
                booking.start + phase.duration,
                phase.release,
                phase_id,
            )


def _still_fits(
    scenario: Scenario, calendar: EnvironmentCalendar, booking: Booking, latest: int
) -> bool:
    phase = scenario.phase_by_id.get(booking.phase)
    if phase is None or booking.environment not in scenario.eligible[phase.id]:
        return False
    if not scenario.release_start(phase) <= booking.start <= latest:
        return False
    for pred, gap in scenario.predecessors[phase.id]:
        placed = calendar.placement(pred)
        if placed is None or placed[1].end + gap > booking.start:
            return False
    return calendar.fits(
        booking.environment, booking.start, booking.start + phase.duration, phase.release
    )
