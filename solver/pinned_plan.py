"""Planning around what the pinned bookings break.

The planners never see a broken rule: ``keeping_pinned`` finds the clashes, hands the
planner the scenario as it can be planned (``plannable``), and adds to its plan every
clash, including the pinned phases whose predecessor then found no room before them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from solver.pinned import in_booking_order, pinned_clashes, stranded_clashes
from solver.plan import Clash, Plan
from solver.scenario import Booking, Phase, Scenario


def keeping_pinned(scenario: Scenario, planner: Callable[[Scenario], Plan]) -> Plan:
    """``planner``'s plan of the scenario, every pinned booking kept and every rule they
    break listed in ``Plan.clashes``."""
    clashes = pinned_clashes(scenario)
    planned = plannable(scenario, clashes)
    result = planner(planned)
    unplaced = {u.phase: u.reason for u in result.unplaced}
    found = [*clashes, *stranded_clashes(planned, unplaced)]
    return replace(result, clashes=tuple(in_booking_order(scenario, found)))


def plannable(scenario: Scenario, clashes: list[Clash]) -> Scenario:
    """The scenario without what its pinned bookings break: a booking of an unknown phase
    is dropped, a pinned one on an unknown environment is no longer pinned, and a pinned
    phase no longer waits for a predecessor it starts before (that predecessor is then
    placed by its other rules). Everything else, pinned days included, stays."""
    if not clashes:
        return scenario
    broken = {(c.phase, c.involves[0]) for c in clashes if c.rule == "order"}
    bookings = tuple(
        _keepable(scenario, b) for b in scenario.bookings if b.phase in scenario.phase_by_id
    )
    releases = tuple(
        replace(rel, phases=tuple(_waiting(scenario, ph, broken) for ph in rel.phases))
        for rel in scenario.releases
    )
    return replace(scenario, bookings=bookings, releases=releases)


def _keepable(scenario: Scenario, booking: Booking) -> Booking:
    if booking.pinned and booking.environment not in scenario.members:
        return replace(booking, pinned=False)
    return booking


def _waiting(scenario: Scenario, phase: Phase, broken: set[tuple[str, str]]) -> Phase:
    """The phase, waiting only for the predecessors whose order rule it does not break."""
    preds = scenario.predecessors[phase.id]
    kept = tuple(pred for pred, _gap in preds if (phase.id, pred) not in broken)
    return phase if len(kept) == len(preds) else replace(phase, after=kept)
