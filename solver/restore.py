"""Moves that buy nothing go back: a moved booking returns to its place in force.

After the search, each unpinned booking the plan moves (or leaves unplaced) is tried at
its own place again. It goes back when the place is free and follows every rule, and
neither the weighted unplaced phases nor the lateness (or makespan) get worse: a move
left in the plan is one that pays for itself. One return can free the days another
booking needs, so the pass repeats while something goes back.
"""

from __future__ import annotations

from solver.calendar import EnvironmentCalendar
from solver.plan import Placement
from solver.scenario import Booking, Phase, Scenario

PASSES = 3


def restore_bookings(scenario: Scenario, objective: str, placement: Placement) -> Placement:
    """The placement with every moved booking that may go back, back in place."""
    result = dict(placement)
    calendar = EnvironmentCalendar.holding(scenario, result)
    for _pass in range(PASSES):
        returned = [
            b
            for b in _moved(scenario, result)
            if _try_return(scenario, objective, calendar, result, b)
        ]
        if not returned:
            break
    return result


def _moved(scenario: Scenario, placement: Placement) -> list[Booking]:
    return [
        b
        for b in scenario.bookings
        if not b.pinned
        and b.phase in scenario.phase_by_id
        and placement.get(b.phase) != (b.environment, b.start)
    ]


def _try_return(
    scenario: Scenario,
    objective: str,
    calendar: EnvironmentCalendar,
    placement: Placement,
    booking: Booking,
) -> bool:
    """Put the booking's phase back in its place if that is allowed and costs nothing."""
    phase = scenario.phase_by_id[booking.phase]
    if not _order_allows(scenario, placement, phase, booking.start):
        return False
    if not _costs_nothing(scenario, objective, placement, phase, booking):
        return False
    left = calendar.remove(phase.id) if calendar.placement(phase.id) else None
    end = booking.start + phase.duration
    if calendar.fits(booking.environment, booking.start, end, phase.release):
        calendar.occupy(booking.environment, booking.start, end, phase.release, phase.id)
        placement[phase.id] = (booking.environment, booking.start)
        return True
    if left is not None:
        env_id, occ = left
        calendar.occupy(env_id, occ.start, occ.end, occ.release, occ.phase)
    return False


def _order_allows(scenario: Scenario, placement: Placement, phase: Phase, start: int) -> bool:
    """Eligible, not before its earliest start, after its predecessors, before its successors."""
    if start < scenario.release_start(phase):
        return False
    for pred, gap in scenario.predecessors[phase.id]:
        if pred not in placement:
            return False
        if placement[pred][1] + scenario.phase_by_id[pred].duration + gap > start:
            return False
    end = start + phase.duration
    for succ in scenario.successors[phase.id]:
        gap = dict(scenario.predecessors[succ])[phase.id]
        if succ in placement and placement[succ][1] < end + gap:
            return False
    return True


def _costs_nothing(
    scenario: Scenario, objective: str, placement: Placement, phase: Phase, booking: Booking
) -> bool:
    """Placing an unplaced phase only helps; a placed one must not end its release (or the
    plan, for makespan) later than now, nor any later than its due date allows."""
    if booking.environment not in scenario.eligible[phase.id]:
        return False
    if phase.id not in placement:
        return True
    end = booking.start + phase.duration
    if objective == "makespan":
        return end <= max(s + scenario.phase_by_id[p].duration for p, (_e, s) in placement.items())
    release = scenario.release_by_id[phase.release]
    if release.due is None:
        return True
    ends = [
        placement[p.id][1] + p.duration
        for p in release.phases
        if p.id in placement and p.id != phase.id
    ]
    now = max([*ends, placement[phase.id][1] + phase.duration])
    return max(0, max([*ends, end]) - release.due) <= max(0, now - release.due)
