"""``plan(scenario, options) -> Plan``: the one entry point of the planning core.

1. Pinned bookings are kept as they are; each rule they break is a clash of the plan,
   and the rest is planned around them (``pinned_plan``): never INFEASIBLE for that.
2. Dispatch rules (first come first served, earliest due date, least slack), each
   keeping the plan in force, give a complete plan at once: the fallback, and CP-SAT's
   hint. First come, first served is the baseline the answer is never worse than.
3. Small scenarios: the whole CP-SAT model, with the best dispatch plan as hint.
   Large ones: large-neighbourhood search, CP-SAT re-optimising a few releases at a time.
4. Moved bookings that can go back to their place in force at no cost go back.
5. Compaction moves phases earlier where that is free (the last criterion), and every
   metric is recomputed from the placement, never taken from the solver's objective.
"""

from __future__ import annotations

import time
from dataclasses import replace

from solver.bounds import tardiness_lower_bound, unplaced_lower_bound
from solver.compact import compact
from solver.explain import explain_all_unplaced
from solver.greedy import explained_outcomes, greedy_plan
from solver.metrics import compute_metrics, is_moved
from solver.options import Options
from solver.pinned_plan import keeping_pinned
from solver.plan import Assignment, Placement, Plan, SolverInfo, Unplaced
from solver.restore import restore_bookings
from solver.run import Run
from solver.scenario import Scenario
from solver.warmstart import best_dispatch


def plan(scenario: Scenario, options: Options | None = None) -> Plan:
    options = options or Options()
    if options.method == "greedy":
        result = greedy_plan(scenario, options)
    else:
        result = keeping_pinned(scenario, lambda planned: _cp_sat(planned, options))
    return with_capacity_bounds(scenario, options.objective or scenario.objective, result)


def with_capacity_bounds(scenario: Scenario, objective: str, result: Plan) -> Plan:
    """The plan with the capacity-aware bounds in ``solver.bounds``; under the tardiness
    objective, a plan that places every phase takes the better of them and its own bound
    (both bound the best such plan, and the best plan is one when this one is)."""
    bounds = {
        "weighted_unplaced": unplaced_lower_bound(scenario),
        "weighted_tardiness": tardiness_lower_bound(scenario),
    }
    info = replace(result.solver, bounds=bounds)
    if objective == "tardiness" and result.has_plan and not result.metrics.unplaced_phases:
        known = max(info.bound or 0, bounds["weighted_tardiness"])
        info = replace(info, bound=min(known, result.metrics.weighted_tardiness))
    return replace(result, solver=info)


def _cp_sat(scenario: Scenario, options: Options) -> Plan:
    run = Run(scenario, options, options.objective or scenario.objective, time.perf_counter())
    start = best_dispatch(
        scenario,
        run.objective,
        until=run.began + options.time_limit / 3,
        on_better=lambda best: run.report("greedy", best),
    )
    # imported here so that reading, writing and checking plans never loads OR-Tools
    from solver.optimise import optimise

    placement, status, bound = optimise(run, start)
    placement = restore_bookings(scenario, run.objective, placement)
    return build_plan(run, compact(scenario, placement), status, bound)


# -- the Plan ------------------------------------------------------------------------


def build_plan(run: Run, placement: Placement, status: str, bound: float | None) -> Plan:
    scenario = run.scenario
    assignments = [
        _assignment(scenario, p, placement[p])
        for p in (ph.id for ph in scenario.phases)
        if p in placement
    ]
    missing = [ph for ph in scenario.phases if ph.id not in placement]
    reasons = explain_all_unplaced(scenario, [ph.id for ph in missing], assignments)
    unplaced = [Unplaced(ph.id, ph.release, reasons[ph.id]) for ph in missing]
    metrics = compute_metrics(scenario, assignments, unplaced)
    primary = metrics.makespan_days if run.objective == "makespan" else metrics.weighted_tardiness
    terms = {
        "weighted_unplaced": metrics.weighted_unplaced,
        "weighted_tardiness": metrics.weighted_tardiness,
        "makespan_days": metrics.makespan_days,
        "moved_bookings": metrics.moved_bookings,
    }
    info = SolverInfo(
        method="cp-sat",
        seconds=run.elapsed,
        objective=primary,
        bound=_bound(bound, primary, metrics.unplaced_phases),
        workers=run.options.workers,
        terms=terms,
    )
    return Plan(
        scenario=scenario.name,
        status=status,
        solver=info,
        assignments=tuple(assignments),
        unplaced=tuple(unplaced),
        releases=tuple(explained_outcomes(scenario, assignments)),
        metrics=metrics,
    )


def _bound(bound: float | None, primary: int, unplaced: int) -> float | None:
    """The model's bound on the primary term; meaningless once phases go unplaced."""
    if bound is None or unplaced:
        return None
    return min(bound, primary)


def _assignment(scenario: Scenario, phase_id: str, where: tuple[str, int]) -> Assignment:
    phase = scenario.phase_by_id[phase_id]
    assignment = Assignment(phase_id, phase.release, where[0], where[1], where[1] + phase.duration)
    return replace(assignment, moved=is_moved(scenario, assignment))
