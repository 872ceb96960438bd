"""Plan public job-shop instances as scenarios and compare makespans with the best known.

Instances and bounds come from ``/work/shared/bench`` (``--data``); see
``jobshop_convert`` for how a job shop becomes a scenario. Examples:

    .venv/bin/python bench/jobshop.py --instances ft06,la01-la05 --time-limit 5
    .venv/bin/python bench/jobshop.py --method greedy --csv bench/results/jobshop-greedy.csv
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from jobshop_convert import best_known, expand_selection, load_instance
from report import git_commit, markdown_table, write_csv

from solver.greedy import greedy_plan
from solver.options import Options
from solver.plan import Plan
from solver.scenario import Scenario
from solver.validate import validate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "bench"
DEFAULT_INSTANCES = "ft10,ft20,la16-la25,edata-la16-la20,rdata-la16-la20"
HEADERS = (
    "instance",
    "jobs",
    "machines",
    "operations",
    "status",
    "makespan",
    "best known",
    "gap %",
    "seconds",
    "valid",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with jsp/, fjsp/ and best_known.csv (default: %(default)s)",
    )
    parser.add_argument(
        "--instances",
        default=DEFAULT_INSTANCES,
        help="comma-separated names and ranges (default: %(default)s)",
    )
    parser.add_argument("--method", choices=("cp-sat", "greedy"), default="cp-sat")
    parser.add_argument("--time-limit", type=float, default=8.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--csv", type=Path, help="also write the rows as CSV here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bounds = best_known(args.data)
    options = Options(method=args.method, time_limit=args.time_limit, workers=args.workers)
    commit = git_commit(REPO)  # before the runs: the tree may change while they go on
    rows = [
        run_instance(name, args.data, bounds.get(name), options)
        for name in expand_selection(args.instances)
    ]
    gaps = [row[7] for row in rows if isinstance(row[7], float)]
    print(
        f"Planner `{args.method}` at commit {commit}; time limit "
        f"{args.time_limit:g} s, {args.workers} workers.\n"
    )
    print(markdown_table(HEADERS, rows))
    if gaps:
        print(f"\nMean gap to best known over {len(gaps)} instances: {statistics.mean(gaps):.2f} %")
    if args.csv:
        write_csv(args.csv, HEADERS, rows)
    return 0


def run_instance(name: str, data: Path, bound: int | None, options: Options) -> list[object]:
    scenario = load_instance(name, data)
    started = time.perf_counter()
    plan = solve(scenario, options)
    seconds = round(time.perf_counter() - started, 2)
    violations = validate(scenario, plan)
    for violation in violations[:5]:
        print(f"{name}: {violation}", file=sys.stderr)
    complete = plan.has_plan and not plan.unplaced
    makespan = plan.metrics.makespan_days if complete else None
    gap = round(100 * (makespan - bound) / bound, 2) if makespan and bound else None
    return [
        name,
        len(scenario.releases),
        len(scenario.environments),
        len(scenario.phases),
        plan.status,
        makespan,
        bound,
        gap,
        seconds,
        "yes" if not violations else f"no ({len(violations)})",
    ]


def solve(scenario: Scenario, options: Options) -> Plan:
    if options.method == "greedy":
        return greedy_plan(scenario, options)
    from solver import plan  # the CP-SAT planner; imported here so greedy runs without it

    return plan(scenario, options)


if __name__ == "__main__":
    sys.exit(main())
