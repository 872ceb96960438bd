"""Dispatch-rule plans: the planner's first answer, its fallback and CP-SAT's hint."""

from __future__ import annotations

from dataclasses import dataclass

from solver.greedy import dispatch, stranded_pinned
from solver.metrics import score
from solver.plan import Placement
from solver.scenario import Scenario


@dataclass(frozen=True)
class WarmStart:
    placement: Placement
    # pinned phases whose predecessor found no room before them: no valid plan yet
    stranded: tuple[str, ...] = ()


def best_dispatch(scenario: Scenario, objective: str) -> WarmStart:
    """The best plan of a few release orders: fewest stranded pinned phases, then score."""
    best: tuple[tuple[int, tuple[int, int, int]], WarmStart] | None = None
    for order in dispatch_orders(scenario):
        assignments, unplaced = dispatch(scenario, order)
        placement = {a.phase: (a.environment, a.start) for a in assignments}
        start = WarmStart(placement, tuple(stranded_pinned(scenario, unplaced)))
        rank = (len(start.stranded), score(scenario, objective, placement))
        if best is None or rank < best[0]:
            best = (rank, start)
    assert best is not None  # dispatch_orders always gives at least one order
    return best[1]


def dispatch_orders(scenario: Scenario) -> list[list[str]]:
    """Release orders: first come first served, earliest due date, least slack per priority."""
    def work(rid: str) -> int:
        return sum(ph.duration + ph.gap_days for ph in scenario.release_by_id[rid].phases)

    releases = scenario.releases
    priority = {r.id: r.priority for r in releases}
    horizon = scenario.horizon_days
    due = {r.id: r.due if r.due is not None else horizon + r.earliest_start for r in releases}
    fcfs = [r.id for r in sorted(releases, key=lambda r: (r.earliest_start, -r.priority))]
    edd = sorted(due, key=lambda rid: (due[rid], -priority[rid]))
    slack = sorted(due, key=lambda rid: (due[rid] - work(rid)) / priority[rid])
    return [fcfs, edd, slack]
