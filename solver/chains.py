"""Ruin and recreate on every worker: chains that meet between epochs.

Ruin and recreate is one thread of Python, and CP-SAT waits while it runs, so on two
cores one of them would sit idle. Here each worker runs a chain of its own (its own
random draws) from the same plan; at the end of each epoch every chain continues from
the best plan any of them reached. The chains beyond the first run in child processes
started with ``spawn`` (safe from a threaded web process), which hold the scenario once.

Chains cost a process start each, so the planner only uses them where the search has
seconds to spend (``WORTH_A_PROCESS_SECONDS``); ``tests/solver/test_chains.py`` runs them
on a small scenario directly.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from solver.metrics import score
from solver.plan import Placement
from solver.ruin import Cost, RuinAndRecreate
from solver.scenario import Scenario

# the chains compare their plans and go on from the best this many times
EPOCHS = 3
# below this much search time a second process costs more than it finds
WORTH_A_PROCESS_SECONDS = 6.0


def rearrange(
    scenario: Scenario,
    placement: Placement,
    move_budget: int | None,
    seed: int,
    seconds: float,
    chains: int,
    on_better: Callable[[Cost], None],
) -> Placement:
    """The best plan of ``chains`` ruin-and-recreate chains run for ``seconds`` in all."""
    if chains < 2:
        single = RuinAndRecreate(scenario, placement, move_budget, seed)
        return single.run(time.perf_counter() + seconds, on_better)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        chains - 1,
        mp_context=context,
        initializer=_hold,
        initargs=(scenario, move_budget, os.getpid()),
    ) as pool:
        best = _Best(placement, score(scenario, "tardiness", placement))
        for epoch in range(EPOCHS):
            length = seconds / EPOCHS
            seeds = [seed + 1_000 * epoch + chain for chain in range(chains)]
            others = [pool.submit(_chain, best.placement, s, length) for s in seeds[1:]]
            best.offer(*_run_chain(scenario, best.placement, move_budget, seeds[0], length))
            for future in others:
                best.offer(*future.result())
            on_better(best.cost)
    return best.placement


class _Best:
    """The best plan the chains have reached, by their own score (``metrics.score``,
    which a chain's running total equals)."""

    def __init__(self, placement: Placement, cost: Cost) -> None:
        self.placement, self.cost = placement, cost

    def offer(self, cost: Cost, placement: Placement) -> None:
        if cost < self.cost:
            self.cost, self.placement = cost, placement


def _run_chain(
    scenario: Scenario, placement: Placement, budget: int | None, seed: int, seconds: float
) -> tuple[Cost, Placement]:
    search = RuinAndRecreate(scenario, placement, budget, seed)
    result = search.run(time.perf_counter() + seconds, lambda _cost: None)
    return search.current, result


# -- in a child process --------------------------------------------------------------

_held: tuple[Scenario, int | None] | None = None


def _hold(scenario: Scenario, budget: int | None, parent: int) -> None:
    global _held
    _held = (scenario, budget)
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _end_with(parent: int) -> None:
    """A planner killed mid-search (a cancelled solve) leaves no chain behind: the pool's
    processes would otherwise wait for work that never comes."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _chain(placement: Placement, seed: int, seconds: float) -> tuple[Cost, Placement]:
    assert _held is not None, "the pool's initializer holds the scenario"
    scenario, budget = _held
    return _run_chain(scenario, placement, budget, seed, seconds)
