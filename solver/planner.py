"""``plan(scenario, options) -> Plan``: the one entry point of the planning core.

1. Pinned bookings that contradict each other or a hard rule: INFEASIBLE, with why.
2. Dispatch rules (first come first served, earliest due date, least slack) give a
   complete plan at once: the fallback, and CP-SAT's hint.
3. Small scenarios: the whole CP-SAT model, with the best dispatch plan as hint.
   Large ones: large-neighbourhood search, CP-SAT re-optimising a few releases at a time.
4. Compaction moves phases earlier where that is free (the last criterion), and every
   metric is recomputed from the placement, never taken from the solver's objective.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from solver.bounds import timing_lower_bound
from solver.compact import compact
from solver.explain import explain_unplaced
from solver.greedy import explained_outcomes, greedy_plan
from solver.lns import NeighbourhoodSearch, SearchState, score
from solver.metrics import compute_metrics, is_moved
from solver.model import Neighbourhood, PlanModel
from solver.options import Options, Progress
from solver.pinned import pinned_conflicts
from solver.plan import Assignment, Plan, SolverInfo, Unplaced
from solver.scenario import Scenario
from solver.search import Placement, solve
from solver.warmstart import WarmStart, best_dispatch

# The whole model is solved directly up to this many optional intervals.
FULL_MODEL_INTERVALS = 2_500


@dataclass
class _Run:
    scenario: Scenario
    options: Options
    objective: str
    began: float

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    @property
    def deadline(self) -> float:
        return self.began + self.options.time_limit

    def report(self, stage: str, best: tuple[int, int, int], bound: float | None = None) -> None:
        self.options.report(Progress(
            elapsed=self.elapsed, stage=stage, objective=best[1], bound=bound,
            message=f"unplaced weight {best[0]}, moved bookings {best[2]}"))


def plan(scenario: Scenario, options: Options | None = None) -> Plan:
    options = options or Options()
    if options.method == "greedy":
        return greedy_plan(scenario, options)
    run = _Run(scenario, options, options.objective or scenario.objective, time.perf_counter())
    conflicts = pinned_conflicts(scenario)
    if conflicts:
        return _without_plan(run, "INFEASIBLE", "; ".join(conflicts))
    start = best_dispatch(scenario, run.objective)
    run.report("greedy", score(scenario, run.objective, start.placement))
    placement, status, bound = optimise(run, start)
    if status in ("INFEASIBLE", "UNKNOWN"):
        return _without_plan(run, status, "; ".join(start.stranded) or "no plan found in time")
    return build_plan(run, compact(scenario, placement), status, bound)


def optimise(run: _Run, start: WarmStart) -> tuple[Placement, str, float | None]:
    """The whole model when it is small, else the neighbourhood search.

    A warm start that strands a pinned phase is no plan: only the whole model can look
    for room for its predecessors; too large for that, the answer is UNKNOWN."""
    scenario = run.scenario
    pinned = {b.phase for b in scenario.bookings if b.pinned}
    free = frozenset(ph.id for ph in scenario.phases if ph.id not in pinned)
    fixed = {p: w for p, w in start.placement.items() if p in pinned}
    size = sum(len(scenario.eligible[p]) for p in free)
    if size <= FULL_MODEL_INTERVALS:
        hood = Neighbourhood(free, fixed, _must_place(run, start.placement, free))
        return solve_whole(run, start, hood)
    if start.stranded:
        return start.placement, "UNKNOWN", None
    return search_neighbourhoods(run, start.placement)


def _must_place(run: _Run, start: Placement, free: frozenset[str]) -> frozenset[str]:
    """When the dispatch placed everything, nothing is left unplaced: say so to the model."""
    if all(ph.id in start for ph in run.scenario.phases):
        return free
    return frozenset()


def solve_whole(run: _Run, start: WarmStart,
                hood: Neighbourhood) -> tuple[Placement, str, float | None]:
    model = PlanModel(run.scenario, hood, run.objective, run.options.weights)
    scale = model.scale["timing"]

    def progress(_elapsed: float, objective: float, bound: float) -> None:
        best = (0, int(objective // scale), int(objective % scale))
        run.report("cp-sat", best, bound // scale)

    remaining = run.deadline - time.perf_counter()
    result = solve(model, start.placement, remaining, run.options.workers, run.options.seed,
                   progress)
    if result.placement is None:
        fallback = "UNKNOWN" if start.stranded else "FEASIBLE"
        return start.placement, "INFEASIBLE" if result.status == "INFEASIBLE" else fallback, None
    placement = {**hood.fixed, **result.placement}
    worse = score(run.scenario, run.objective, placement) > score(
        run.scenario, run.objective, start.placement)
    if worse and not start.stranded:
        return start.placement, "FEASIBLE", None
    bound = result.bound // scale if result.bound is not None else None
    proved = result.status == "OPTIMAL" and not changeover_restricts(run.scenario)
    return placement, "OPTIMAL" if proved else "FEASIBLE", bound


def changeover_restricts(scenario: Scenario) -> bool:
    """True when two phases of one release may share an environment with changeover days:
    the model then keeps the changeover between them too, so it may miss the optimum."""
    stretched = {e.id for e in scenario.environments if e.capacity == 1 and e.changeover_days}
    for rel in scenario.releases:
        seen: set[str] = set()
        for ph in rel.phases:
            envs = stretched.intersection(scenario.eligible[ph.id])
            if seen & envs:
                return True
            seen |= envs
    return False


def search_neighbourhoods(run: _Run, start: Placement) -> tuple[Placement, str, float | None]:
    bound = timing_lower_bound(run.scenario, run.objective)

    def improved(state: SearchState) -> None:
        run.report(f"lns round {state.rounds}", state.score, bound)

    search = NeighbourhoodSearch(run.scenario, run.objective, run.options.workers,
                                 run.options.seed, improved, target=(0, bound, 0))
    state = search.run(start, run.deadline)
    status = "OPTIMAL" if state.score == (0, bound, 0) else "FEASIBLE"
    return state.placement, status, bound


# -- the Plan ------------------------------------------------------------------------


def build_plan(run: _Run, placement: Placement, status: str, bound: float | None) -> Plan:
    scenario = run.scenario
    assignments = [_assignment(scenario, p, placement[p]) for p in
                   (ph.id for ph in scenario.phases) if p in placement]
    unplaced = [Unplaced(ph.id, ph.release, explain_unplaced(scenario, ph.id, assignments))
                for ph in scenario.phases if ph.id not in placement]
    metrics = compute_metrics(scenario, assignments, unplaced)
    primary = metrics.makespan_days if run.objective == "makespan" else metrics.weighted_tardiness
    terms = {"weighted_unplaced": metrics.weighted_unplaced,
             "weighted_tardiness": metrics.weighted_tardiness,
             "makespan_days": metrics.makespan_days, "moved_bookings": metrics.moved_bookings}
    info = SolverInfo(method="cp-sat", seconds=run.elapsed, objective=primary,
                      bound=_bound(bound, primary, metrics.unplaced_phases),
                      workers=run.options.workers, terms=terms)
    return Plan(scenario=scenario.name, status=status, solver=info,
                assignments=tuple(assignments), unplaced=tuple(unplaced),
                releases=tuple(explained_outcomes(scenario, assignments)), metrics=metrics)


def _bound(bound: float | None, primary: int, unplaced: int) -> float | None:
    """The model's bound on the primary term; meaningless once phases go unplaced."""
    if bound is None or unplaced:
        return None
    return min(bound, primary)


def _assignment(scenario: Scenario, phase_id: str, where: tuple[str, int]) -> Assignment:
    phase = scenario.phase_by_id[phase_id]
    assignment = Assignment(phase_id, phase.release, where[0], where[1],
                            where[1] + phase.duration)
    return replace(assignment, moved=is_moved(scenario, assignment))


def _without_plan(run: _Run, status: str, reason: str) -> Plan:
    info = SolverInfo(method="cp-sat", seconds=run.elapsed, workers=run.options.workers)
    return Plan(scenario=run.scenario.name, status=status, solver=info, reason=reason)
