"""Ruin and recreate from each dispatch order, for a fixed CPU time: where it ends.

The planner starts ruin and recreate from the best dispatch plan by its own criteria
(fewest phases of weight unplaced first). This script starts one chain from each of
several dispatch orders instead and reports where each ends after the same CPU time,
against first come, first served: it shows the trade between placing more and lateness
that the lexicographic criteria decide. CPU time (not wall time) makes runs on a busy
machine comparable. Examples:

    .venv/bin/python bench/ruin_orders.py --sizes 1000x150 --seeds 3,4 --cpu 36
    .venv/bin/python bench/ruin_orders.py --sizes 600x120 --seeds 1 --cpu 10 --orders 0,3
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from report import git_commit, markdown_table

from envsched.generate import HIGH_CONTENTION, generate_scenario
from solver.greedy import dispatch
from solver.metrics import score
from solver.moves import move_budget
from solver.plan import Placement
from solver.ruin import RuinAndRecreate
from solver.scenario import Scenario
from solver.warmstart import dispatch_orders

# the names of solver.warmstart.dispatch_orders' orders, in its order
ORDER_NAMES = (
    "first come, first served",
    "due date, 20 days a priority step",
    "least slack per priority",
    "due date within four-week start windows",
    "due date, 10 days a priority step",
    "earliest due date",
    "due date, 40 days a priority step",
    "due date, 5 days a priority step",
)
REPO = Path(__file__).resolve().parents[1]
HEADERS = ("size", "seed", "start order", "start wu / wt", "after wu / wt", "wu / wt vs FCFS")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000x150", help="comma-separated RxE")
    parser.add_argument("--seeds", default="3,4", help="comma-separated generator seeds")
    parser.add_argument("--orders", default="0,1,2,3", help="dispatch orders to start from")
    parser.add_argument("--cpu", type=float, default=36.0, help="CPU seconds per chain")
    parser.add_argument("--chain-seed", type=int, default=1, help="the chain's random seed")
    return parser.parse_args(argv)


def start_from(scenario: Scenario, order: list[str]) -> Placement:
    assignments, _unplaced = dispatch(scenario, order)
    return {a.phase: (a.environment, a.start) for a in assignments}


def chain(scenario: Scenario, start: Placement, cpu: float, seed: int) -> Placement:
    """One chain for ``cpu`` seconds of this process's CPU time."""
    search = RuinAndRecreate(scenario, start, move_budget(scenario, 0.1), seed)
    return search.run(time.process_time() + cpu, lambda _cost: None, clock=time.process_time)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    for size in args.sizes.split(","):
        releases, environments = (int(n) for n in size.split("x"))
        for seed in (int(s) for s in args.seeds.split(",")):
            scenario = generate_scenario(
                releases, environments, seed=seed, contention=HIGH_CONTENTION
            )
            orders = dispatch_orders(scenario)
            fcfs = score(scenario, "tardiness", start_from(scenario, orders[0]))
            for index in (int(i) for i in args.orders.split(",")):
                start = start_from(scenario, orders[index])
                before = score(scenario, "tardiness", start)
                after = score(
                    scenario, "tardiness", chain(scenario, start, args.cpu, args.chain_seed)
                )
                ratios = " / ".join(
                    f"{mine / theirs:.2f}" if theirs else "–"
                    for mine, theirs in zip(after[:2], fcfs[:2], strict=True)
                )
                rows.append(
                    (
                        size,
                        seed,
                        ORDER_NAMES[index],
                        f"{before[0]} / {before[1]:,}",
                        f"{after[0]} / {after[1]:,}",
                        ratios,
                    )
                )
                print(markdown_table(HEADERS, rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(f"commit {git_commit(REPO)}, {args.cpu:g} CPU s a chain, load {os.getloadavg()[0]:.1f}")
    print(markdown_table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
