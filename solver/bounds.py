"""Lower bounds that need no solver: what each release could do with the environments to
itself. They let the neighbourhood search stop early and report a gap."""

from __future__ import annotations

from solver.pinned import ends_by_order
from solver.scenario import Scenario


def earliest_ends(scenario: Scenario) -> dict[str, int]:
    """Phase id -> its end if every environment were free: a pinned phase's own end, else
    durations, gaps and earliest starts along the order, nothing else."""
    pinned = {b.phase: b.start for b in scenario.bookings if b.pinned}
    return ends_by_order(scenario, pinned)


def timing_lower_bound(scenario: Scenario, objective: str) -> int:
    """A bound on weighted tardiness (or makespan) for plans that place every phase."""
    ends = earliest_ends(scenario)
    release_end: dict[str, int] = {}
    for phase in scenario.phases:
        release_end[phase.release] = max(release_end.get(phase.release, 0), ends[phase.id])
    if objective == "makespan":
        return max(release_end.values(), default=0)
    return sum(r.priority * max(0, release_end[r.id] - r.due)
               for r in scenario.releases if r.due is not None and r.id in release_end)
