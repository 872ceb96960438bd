"""Where a phase could run if it had its environments to itself: the runs of days each
environment is open to phases that are not pinned, and the earliest a phase fits in one.

A placed phase that is not pinned runs on one eligible environment over days that are
neither blocked (unavailable windows, freezes) nor filled by pinned bookings, inside the
horizon, after its release's earliest start and its predecessors' ends plus gaps. So the
earliest such fit, along the order, is a lower bound on its start in every plan: the
critical path, aware of each environment's calendar (but not of the other phases).
"""

from __future__ import annotations

from solver.scenario import Scenario, topological_order

Run = tuple[int, int]  # [first day, end day) the environment is open


def free_runs(scenario: Scenario, pinned_load: dict[str, list[int]]) -> dict[str, list[Run]]:
    """Environment id -> its maximal runs of days open to a phase that is not pinned;
    stack id -> the runs of days open on every member."""
    open_days: dict[str, set[int]] = {}
    for env in scenario.environments:
        closed = {day for w in scenario.blocked[env.id] for day in range(w.start, w.end)}
        open_days[env.id] = {
            day
            for day in range(scenario.horizon_days)
            if day not in closed and pinned_load[env.id][day] < env.capacity
        }
    for stack in scenario.stacks:
        open_days[stack.id] = set.intersection(*(open_days[m] for m in stack.members))
    return {choice: _runs(sorted(days)) for choice, days in open_days.items()}


def _runs(days: list[int]) -> list[Run]:
    found: list[Run] = []
    for day in days:
        if found and found[-1][1] == day:
            found[-1] = (found[-1][0], day + 1)
        else:
            found.append((day, day + 1))
    return found


def earliest_fit(runs: list[Run], ready: int, duration: int) -> int | None:
    """The first start from ``ready`` at which ``duration`` days fit inside one run."""
    for first, end in runs:
        start = max(first, ready)
        if start + duration <= end:
            return start
    return None


def fitted_ends(scenario: Scenario, runs: dict[str, list[Run]]) -> dict[str, int | None]:
    """Phase id -> its earliest end in any plan (a pinned phase: its own), or None when it
    fits nowhere, nor then does anything that waits for it."""
    pinned = {b.phase: b.start for b in scenario.bookings if b.pinned}
    ends: dict[str, int | None] = {}
    for phase_id in topological_order(scenario):
        phase = scenario.phase_by_id[phase_id]
        if phase_id in pinned:
            ends[phase_id] = pinned[phase_id] + phase.duration
            continue
        preds = [(ends[pred], gap) for pred, gap in scenario.predecessors[phase_id]]
        if any(end is None for end, _gap in preds):
            ends[phase_id] = None
            continue
        ready = max(
            [scenario.release_start(phase)] + [end + gap for end, gap in preds if end is not None]
        )
        starts = [
            fit
            for env in scenario.eligible[phase_id]
            if (fit := earliest_fit(runs[env], ready, phase.duration)) is not None
        ]
        ends[phase_id] = min(starts) + phase.duration if starts else None
    return ends
