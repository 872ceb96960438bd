"""Release outcomes and plan metrics, computed from assignments alone.

Used by every planning method to build its Plan; ``validate`` recomputes all of this
on its own and never calls this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from solver.plan import Assignment, Metrics, Placement, ReleaseOutcome, Unplaced
from solver.scenario import Scenario


def release_outcomes(scenario: Scenario, assignments: Iterable[Assignment]) -> list[ReleaseOutcome]:
    ends: dict[str, int] = {}
    for a in assignments:  # a pinned booking may end before day 0 (a horizon clash)
        ends[a.release] = max(ends.get(a.release, a.end), a.end)
    outcomes = []
    for rel in scenario.releases:
        end = ends.get(rel.id)
        late = max(0, end - rel.due) if end is not None and rel.due is not None else 0
        outcomes.append(ReleaseOutcome(id=rel.id, end=end, due=rel.due, late_days=late))
    return outcomes


def is_moved(scenario: Scenario, assignment: Assignment) -> bool:
    """True when a phase with a booking in force runs elsewhere or at another start."""
    booking = scenario.booking_by_phase.get(assignment.phase)
    if booking is None:
        return False
    return (booking.environment, booking.start) != (assignment.environment, assignment.start)


def compute_metrics(
    scenario: Scenario, assignments: Iterable[Assignment], unplaced: Iterable[Unplaced]
) -> Metrics:
    placed = list(assignments)
    missing = list(unplaced)
    priority = {rel.id: rel.priority for rel in scenario.releases}
    outcomes = release_outcomes(scenario, placed)
    unplaced_bookings = sum(1 for u in missing if u.phase in scenario.booking_by_phase)
    return Metrics(
        placed_phases=len(placed),
        unplaced_phases=len(missing),
        weighted_unplaced=sum(priority[u.release] for u in missing),
        weighted_tardiness=sum(priority[o.id] * o.late_days for o in outcomes),
        late_releases=sum(1 for o in outcomes if o.late_days > 0),
        makespan_days=max((a.end for a in placed), default=0),
        moved_bookings=sum(1 for a in placed if is_moved(scenario, a)) + unplaced_bookings,
    )


# (weighted unplaced, lateness or makespan, moved bookings)
Score = tuple[int, int, int]


def score(scenario: Scenario, objective: str, placement: Placement) -> Score:
    """The objective's first three criteria, in their strict order, for a placement."""
    unplaced = sum(
        scenario.release_by_id[ph.release].priority
        for ph in scenario.phases
        if ph.id not in placement
    )
    ends: dict[str, int] = defaultdict(int)
    for phase_id, (_env, start) in placement.items():
        ph = scenario.phase_by_id[phase_id]
        ends[ph.release] = max(ends[ph.release], start + ph.duration)
    if objective == "makespan":
        timing = max(ends.values(), default=0)
    else:
        timing = sum(
            r.priority * max(0, ends[r.id] - r.due)
            for r in scenario.releases
            if r.due is not None and r.id in ends
        )
    moved = sum(
        1
        for b in scenario.bookings
        if not b.pinned and placement.get(b.phase) != (b.environment, b.start)
    )
    return unplaced, timing, moved


def held_lateness(
    scenario: Scenario, objective: str, fixed: Placement, free: frozenset[str]
) -> int:
    """The lateness of the releases with no free phase: the model leaves it out of its
    objective (no choice changes it), so a progress report adds it back to say the whole
    plan's figure, as the greedy start and the summary do."""
    if objective == "makespan":
        return 0
    moving = {scenario.phase_by_id[p].release for p in free}
    held = {p: place for p, place in fixed.items() if scenario.phase_by_id[p].release not in moving}
    return score(scenario, objective, held)[1]
