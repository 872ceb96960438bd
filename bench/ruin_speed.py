"""Ruin and recreate's steps per CPU second: the speed of the calendar under the search.

Runs a fixed number of steps of one chain from the planner's start plan (the best
dispatch order) and reports the CPU time they took and where the chain ended. CPU time
makes runs on a busy machine comparable; run two trees in turn and take the best of a
few runs each. Examples:

    .venv/bin/python bench/ruin_speed.py --sizes 1000x150 --seeds 3 --steps 2000 --repeat 3
    .venv/bin/python bench/ruin_speed.py --sizes 300x60,600x120 --seeds 1,2
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from report import git_commit, markdown_table

from envsched.generate import HIGH_CONTENTION, generate_scenario
from solver.moves import move_budget
from solver.ruin import RuinAndRecreate
from solver.scenario import Scenario
from solver.warmstart import best_dispatch

REPO = Path(__file__).resolve().parents[1]
HEADERS = ("size", "seed", "phases", "steps", "CPU s", "steps per CPU s", "end wu / wt / moved")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000x150", help="comma-separated RxE")
    parser.add_argument("--seeds", default="3", help="comma-separated generator seeds")
    parser.add_argument("--steps", type=int, default=2000, help="steps per run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario")
    parser.add_argument("--chain-seed", type=int, default=1, help="the chain's random seed")
    return parser.parse_args(argv)


def timed_steps(scenario: Scenario, steps: int, seed: int) -> tuple[float, tuple[int, ...]]:
    """CPU seconds for ``steps`` steps of one chain, and the chain's score after them."""
    start = best_dispatch(scenario, "tardiness").placement
    search = RuinAndRecreate(scenario, start, move_budget(scenario, 0.1), seed)
    began = time.process_time()
    for _ in range(steps):
        target = search.draw()
        if target is None:
            break
        search.step(target)
    return time.process_time() - began, search.current


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    for size in args.sizes.split(","):
        releases, environments = (int(n) for n in size.split("x"))
        for seed in (int(s) for s in args.seeds.split(",")):
            scenario = generate_scenario(
                releases, environments, seed=seed, contention=HIGH_CONTENTION
            )
            for _ in range(args.repeat):
                cpu, end = timed_steps(scenario, args.steps, args.chain_seed)
                rows.append(
                    (
                        size,
                        seed,
                        len(scenario.phases),
                        args.steps,
                        round(cpu, 2),
                        round(args.steps / cpu),
                        " / ".join(f"{n:,}" for n in end),
                    )
                )
                print(markdown_table(HEADERS, rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(f"commit {git_commit(REPO)}, load {os.getloadavg()[0]:.1f}")
    print(markdown_table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
