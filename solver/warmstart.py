"""Dispatch-rule plans: the planner's first answer, its fallback and CP-SAT's hint.

Every rule keeps the plan in force (see ``in_force``) and differs only in the order it
dispatches releases. First come, first served goes first: it is the baseline the
planner must never be worse than, so it is always a candidate. On contended years the
order matters most: earliest due date with priority counted in days (``due - k x
priority``) placed up to three times as many phases of weight as first come, first
served in the measurements of ``docs/benchmarks.md``, so several ``k`` are tried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from solver.greedy import dispatch, fcfs_order, stranded_pinned
from solver.metrics import Score, score
from solver.plan import Placement
from solver.scenario import Scenario

# days of due date one step of priority is worth, one dispatch order each; the orders
# that did best on contended years first, as the time for trying them may run out
PRIORITY_DAYS = (20, 10, 40, 5)
START_WINDOW_DAYS = 28


@dataclass(frozen=True)
class WarmStart:
    placement: Placement
    # pinned phases whose predecessor found no room before them: no valid plan yet
    stranded: tuple[str, ...] = ()


def best_dispatch(
    scenario: Scenario,
    objective: str,
    until: float | None = None,
    on_better: Callable[[Score], None] | None = None,
) -> WarmStart:
    """The best plan of several release orders: fewest stranded pinned phases, then score.

    First come, first served always runs; the other orders only until ``until``
    (a ``time.perf_counter`` value). ``on_better`` hears each better score."""
    best: tuple[tuple[int, Score], WarmStart] | None = None
    for order in dispatch_orders(scenario):
        if best is not None and until is not None and time.perf_counter() > until:
            break
        assignments, unplaced = dispatch(scenario, order)
        placement = {a.phase: (a.environment, a.start) for a in assignments}
        start = WarmStart(placement, tuple(stranded_pinned(scenario, unplaced)))
        rank = (len(start.stranded), score(scenario, objective, placement))
        if best is None or rank < best[0]:
            best = (rank, start)
            if on_better is not None:
                on_better(rank[1])
    assert best is not None  # dispatch_orders always gives at least one order
    return best[1]


def dispatch_orders(scenario: Scenario) -> list[list[str]]:
    """Release orders: first come first served, then earliest due date less ``k`` days
    per step of priority (also within windows of start), least slack per priority and
    plain earliest due date."""

    def work(rid: str) -> int:
        return sum(ph.duration + ph.gap_days for ph in scenario.release_by_id[rid].phases)

    releases = scenario.releases
    priority = {r.id: r.priority for r in releases}
    horizon = scenario.horizon_days
    due = {r.id: r.due if r.due is not None else horizon + r.earliest_start for r in releases}
    edd = sorted(due, key=lambda rid: (due[rid], -priority[rid]))
    slack = sorted(due, key=lambda rid: (due[rid] - work(rid)) / priority[rid])
    first, second, *others = [_weighted_due_order(due, priority, k) for k in PRIORITY_DAYS]
    by_month = _by_start_window(scenario, first)
    return [fcfs_order(scenario), first, slack, by_month, second, edd, *others]


def _by_start_window(scenario: Scenario, order: list[str]) -> list[str]:
    """``order`` within four-week windows of earliest start, the windows in time order:
    close to first come, first served (which leaves the horizon's end least crowded)
    while letting urgent releases of the same weeks go first."""
    rank = {rid: index for index, rid in enumerate(order)}
    start = {r.id: r.earliest_start for r in scenario.releases}
    return sorted(order, key=lambda rid: (start[rid] // START_WINDOW_DAYS, rank[rid]))


def _weighted_due_order(due: dict[str, int], priority: dict[str, int], days: int) -> list[str]:
    """Earliest due date, each step of priority counting as ``days`` days earlier."""
    return sorted(due, key=lambda rid: (due[rid] - days * priority[rid], due[rid]))
