"""Plan generated scenarios of growing size with greedy and CP-SAT, as a Markdown table.

Each (size, method) runs in its own subprocess, so the peak memory reported is that
run's alone. Examples:

    .venv/bin/python bench/plan_bench.py --sizes 100,1k --methods greedy
    .venv/bin/python bench/plan_bench.py --time-limit 60 --workers 2 --csv bench/results/plan.csv
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from report import git_commit, markdown_table, write_csv

from envsched.generate import generate_scenario
from solver.greedy import greedy_plan
from solver.options import Options, Progress
from solver.plan import Plan
from solver.scenario import Scenario
from solver.validate import validate

REPO = Path(__file__).resolve().parents[1]
# size label -> (releases, environments), tuned for about 100, 1,000 and 5,000 phases;
# "target" is the issue's: 1,000 releases and about 3,500 phases on 150 environments
SIZES = {"100": (30, 10), "1k": (290, 45), "5k": (1430, 200), "target": (1000, 150)}
HEADERS = (
    "size",
    "releases",
    "envs",
    "phases",
    "method",
    "status",
    "placed",
    "placed (prio-weighted) %",
    "weighted tardiness",
    "late releases",
    "first plan s",
    "total s",
    "peak MiB",
    "valid",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="100,1k,5k,target",
        help=f"comma-separated, of {', '.join(SIZES)} (default: all)",
    )
    parser.add_argument("--methods", default="greedy,cp-sat", help="greedy, cp-sat or both")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per CP-SAT run")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--csv", type=Path, help="also write the rows as CSV here")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [s for s in args.sizes.split(",") if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        size, method = args.child
        print(json.dumps(run_one(size, method, args)))
        return 0
    commit = git_commit(REPO)  # before the runs: the tree may change while they go on
    rows = [
        run_in_child(size, method, args)
        for size in args.sizes.split(",")
        for method in args.methods.split(",")
    ]
    print(
        f"Planner at commit {commit}; seed {args.seed}, CP-SAT time limit "
        f"{args.time_limit:g} s, {args.workers} workers.\n"
    )
    print(markdown_table(HEADERS, rows))
    if args.csv:
        write_csv(args.csv, HEADERS, rows)
    return 0


def run_in_child(size: str, method: str, args: argparse.Namespace) -> list[object]:
    """One run in a fresh interpreter; a crash or a hang becomes an ERROR row."""
    command = [
        sys.executable,
        __file__,
        "--child",
        size,
        method,
        "--seed",
        str(args.seed),
        "--time-limit",
        str(args.time_limit),
        "--workers",
        str(args.workers),
    ]
    releases, environments = SIZES[size]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=args.time_limit * 3 + 600
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as error:
        stderr = getattr(error, "stderr", None) or ""
        print(f"{size} {method} failed: {error}\n{stderr[-2000:]}", file=sys.stderr)
        return [size, releases, environments, None, method, "ERROR", *[None] * 8]
    return [
        result[key]
        for key in (
            "size",
            "releases",
            "environments",
            "phases",
            "method",
            "status",
            "placed",
            "weighted_placed_pct",
            "weighted_tardiness",
            "late_releases",
            "first_plan_s",
            "total_s",
            "peak_mib",
            "valid",
        )
    ]


def run_one(size: str, method: str, args: argparse.Namespace) -> dict[str, Any]:
    releases, environments = SIZES[size]
    scenario = generate_scenario(releases, environments, seed=args.seed)
    first: list[float] = []

    def on_progress(progress: Progress) -> None:
        first.append(progress.elapsed)

    options = Options(
        method=method,
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        progress=on_progress,
    )
    started = time.perf_counter()
    plan = solve(scenario, options)
    total = time.perf_counter() - started
    return {
        "size": size,
        "releases": releases,
        "environments": environments,
        "phases": len(scenario.phases),
        "method": method,
        **outcome(scenario, plan),
        "first_plan_s": round(first[0], 2) if first else None,
        "total_s": round(total, 2),
        "peak_mib": peak_mib(),
    }


def solve(scenario: Scenario, options: Options) -> Plan:
    if options.method == "greedy":
        return greedy_plan(scenario, options)
    from solver import plan  # the CP-SAT planner; imported here so greedy runs without it

    return plan(scenario, options)


def outcome(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    priority = {rel.id: rel.priority for rel in scenario.releases}
    wanted = sum(priority[ph.release] for ph in scenario.phases)
    got = sum(priority[a.release] for a in plan.assignments)
    violations = validate(scenario, plan)
    for violation in violations[:5]:
        print(violation, file=sys.stderr)
    return {
        "status": plan.status,
        "placed": plan.metrics.placed_phases,
        "weighted_placed_pct": round(100 * got / wanted, 1),
        "weighted_tardiness": plan.metrics.weighted_tardiness,
        "late_releases": plan.metrics.late_releases,
        "valid": "yes" if not violations else f"no ({len(violations)})",
    }


def peak_mib() -> float:
    """This process's peak resident memory; ``ru_maxrss`` is in KiB on Linux."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


if __name__ == "__main__":
    sys.exit(main())
