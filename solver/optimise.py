"""Improving the warm start: ruin and recreate first (lateness objective), then CP-SAT,
the whole model when it is small, else the large-neighbourhood search. The only part of
planning that loads OR-Tools."""

from __future__ import annotations

import time
from dataclasses import replace

from solver.bounds import search_target
from solver.chains import WORTH_A_PROCESS_SECONDS, rearrange
from solver.lns import NeighbourhoodSearch, SearchState
from solver.metrics import held_lateness, score
from solver.model import Neighbourhood, PlanModel
from solver.moves import move_budget, moves_allowed
from solver.plan import Placement
from solver.run import Run
from solver.scenario import Scenario
from solver.search import solve
from solver.warmstart import WarmStart

# The whole model is solved directly up to this many optional intervals.
FULL_MODEL_INTERVALS = 2_500
# ruin and recreate may take this share of the time limit (it stops early when stalled):
# less when the whole model follows, which may prove the optimum; more before the
# neighbourhood search, which on contended years of thousands of phases found less in
# its share than ruin and recreate does (docs/benchmarks.md, sixth and eighth sessions)
RUIN_SHARE = {"whole model": 0.6, "neighbourhoods": 0.95}


def optimise(run: Run, start: WarmStart) -> tuple[Placement, str, float | None]:
    """The whole model when it is small, else the neighbourhood search. Either way the
    warm start is a plan already (a pinned phase's predecessor without room is unplaced),
    so the answer is OPTIMAL or FEASIBLE."""
    scenario = run.scenario
    pinned = {b.phase for b in scenario.bookings if b.pinned}
    free = frozenset(ph.id for ph in scenario.phases if ph.id not in pinned)
    fixed = {p: w for p, w in start.placement.items() if p in pinned}
    size = sum(len(scenario.eligible[p]) for p in free)
    budget = move_budget(scenario, run.options.max_moved_share)
    whole = size <= FULL_MODEL_INTERVALS
    start = ruin_and_recreate(
        run, start, budget, RUIN_SHARE["whole model" if whole else "neighbourhoods"]
    )
    if whole:
        hood = Neighbourhood(
            free,
            fixed,
            _must_place(run, start.placement, free),
            max_moves=moves_allowed(scenario, start.placement, free, budget),
        )
        return solve_whole(run, start, hood)
    return search_neighbourhoods(run, start.placement, budget)


def ruin_and_recreate(run: Run, start: WarmStart, budget: int, share: float) -> WarmStart:
    """The warm start improved by ``solver.ruin`` (lateness objective only), on a chain
    per worker when the search has the time to pay for their processes."""
    if run.objective != "tardiness":
        return start
    seconds = run.began + share * run.options.time_limit - time.perf_counter()
    if seconds <= 0:
        return start
    chains = run.options.workers if seconds >= WORTH_A_PROCESS_SECONDS else 1
    placement = rearrange(
        run.scenario,
        start.placement,
        budget,
        run.options.seed,
        seconds,
        chains,
        lambda best: run.report("rearrange", best),
    )
    return replace(start, placement=placement)


def _must_place(run: Run, start: Placement, free: frozenset[str]) -> frozenset[str]:
    """When the dispatch placed everything, nothing is left unplaced: say so to the model."""
    if all(ph.id in start for ph in run.scenario.phases):
        return free
    return frozenset()


def solve_whole(
    run: Run, start: WarmStart, hood: Neighbourhood
) -> tuple[Placement, str, float | None]:
    model = PlanModel(run.scenario, hood, run.objective, run.options.weights)
    scale = model.scale["timing"]
    held = held_lateness(run.scenario, run.objective, hood.fixed, hood.free)

    def progress(_elapsed: float, objective: float, bound: float) -> None:
        unplaced, rest = divmod(int(objective), model.scale["unplaced"])
        run.report("cp-sat", (unplaced, rest // scale + held, rest % scale), bound // scale + held)

    remaining = run.deadline - time.perf_counter()
    result = solve(
        model, start.placement, remaining, run.options.workers, run.options.seed, progress
    )
    # no solution in time, or none that keeps the model's stricter changeover between
    # phases of one release while placing all: the warm start stands
    if result.placement is None:
        return start.placement, "FEASIBLE", None
    placement = {**hood.fixed, **result.placement}
    if score(run.scenario, run.objective, placement) > score(
        run.scenario, run.objective, start.placement
    ):
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


def search_neighbourhoods(
    run: Run, start: Placement, budget: int
) -> tuple[Placement, str, float | None]:
    target = search_target(run.scenario, run.objective)
    bound = None if target[0] else target[1]

    def improved(state: SearchState) -> None:
        run.report(f"lns round {state.rounds}", state.score, bound)

    search = NeighbourhoodSearch(
        run.scenario,
        run.objective,
        run.options.workers,
        run.options.seed,
        improved,
        target=target,
        weights=run.options.weights,
        move_budget=budget,
    )
    state = search.run(start, run.deadline)
    status = "OPTIMAL" if state.score <= target else "FEASIBLE"
    return state.placement, status, bound
