"""The planner against first come, first served on contended years, as a Markdown table.

The baseline is first come, first served keeping the plan in force (``envsched plan
--method greedy``: pinned bookings stay, every other booking that still fits stays, then
releases in order of their start, higher priority first on ties, each phase on the
eligible environment where it can start earliest). The planner runs as the issue ran it,
``envsched plan --time-limit T --workers W``, in a child process of its own (so its peak
memory is its own), on a scenario file this script writes. Every plan is checked by the
independent validator. ``--envsched`` runs another checkout's planner on the same files,
which is how the "before" numbers were taken. Examples:

    .venv/bin/python bench/contended_bench.py --sizes 600x120 --seeds 1 --time-limit 20
    .venv/bin/python bench/contended_bench.py --csv bench/results/contended.csv
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from report import git_commit, markdown_table, write_csv

from envsched.generate import HIGH_CONTENTION, generate_scenario
from solver.bounds import tardiness_lower_bound, timing_lower_bound, unplaced_lower_bound
from solver.greedy import greedy_plan
from solver.options import Options
from solver.plan import Plan
from solver.plan_file import load_plan
from solver.scenario import Scenario
from solver.scenario_file import save_scenario
from solver.validate import validate

REPO = Path(__file__).resolve().parents[1]
HEADERS = (
    "size",
    "seed",
    "phases",
    "movable bookings",
    "baseline wu / wt / late / moved",
    "envsched wu / wt / late / moved",
    "bound wu / wt (critical path wt)",
    "gap to bound wu / wt",
    "not worse",
    "first plan s",
    "peak MiB",
    "valid",
)
Criteria = tuple[int, int, int, int]  # weighted unplaced, weighted tardiness, late, moved


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="200x40,300x60,600x120,1000x150",
        help="comma-separated RELEASESxENVIRONMENTS",
    )
    parser.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated generator seeds")
    parser.add_argument(
        "--contention",
        type=float,
        default=HIGH_CONTENTION,
        help="the generator's contention (default: its high setting)",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="planner seconds")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument(
        "--envsched",
        type=Path,
        default=Path(sys.executable).parent / "envsched",
        help="the envsched command to run (default: this checkout's)",
    )
    parser.add_argument("--csv", type=Path, help="also write the rows as CSV here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    commit = git_commit(REPO)
    load = os.getloadavg()[0]
    rows, pairs = [], []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                row, pair = run_one(size, seed, args, Path(folder))
                rows.append(row)
                pairs.append(pair)
                print(markdown_table(HEADERS, [row]).splitlines()[-1], file=sys.stderr)
    print(
        f"Baseline at commit {commit}; planner {args.envsched}, {args.time_limit:g} s, "
        f"{args.workers} workers; contention {args.contention:g}; load average "
        f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.\n"
    )
    print(markdown_table(HEADERS, rows))
    print("\n" + ratios(pairs))
    if args.csv:
        write_csv(args.csv, HEADERS, rows)
    return 0


def run_one(
    size: str, seed: int, args: argparse.Namespace, folder: Path
) -> tuple[list[object], tuple[Criteria, Criteria]]:
    releases, environments = (int(n) for n in size.split("x"))
    scenario = generate_scenario(releases, environments, seed=seed, contention=args.contention)
    baseline = greedy_plan(scenario, Options(method="greedy"))
    planned, first, peak = run_planner(scenario, args, folder / f"{size}-{seed}")
    valid = not validate(scenario, baseline) and not validate(scenario, planned)
    ours, theirs = criteria(planned), criteria(baseline)
    not_worse = lexicographic(ours) <= lexicographic(theirs)
    movable = sum(1 for b in scenario.bookings if not b.pinned)
    row: list[object] = [
        size,
        seed,
        len(scenario.phases),
        movable,
        show(theirs),
        show(ours),
        *bound_columns(scenario, ours),
        "yes" if not_worse else "NO",
        first,
        peak,
        "yes" if valid else "NO",
    ]
    return row, (theirs, ours)


def bound_columns(scenario: Scenario, ours: Criteria) -> list[str]:
    """The capacity-aware bounds (with the critical path's, for comparison) and the plan's
    distance above them. The tardiness bound holds for plans that place every phase."""
    unplaced, tardiness = unplaced_lower_bound(scenario), tardiness_lower_bound(scenario)
    critical = timing_lower_bound(scenario, "tardiness")
    return [
        f"{unplaced:,} / {tardiness:,} ({critical:,})",
        f"{ours[0] - unplaced:,} / {ours[1] - tardiness:,}",
    ]


def run_planner(
    scenario: Scenario, args: argparse.Namespace, stem: Path
) -> tuple[Plan, float | None, float]:
    """``envsched plan`` on the scenario in a child; (plan, first progress s, peak MiB)."""
    scenario_path, plan_path = stem.with_suffix(".scenario.json"), stem.with_suffix(".plan.json")
    save_scenario(scenario, scenario_path)
    command = [
        str(args.envsched),
        "plan",
        str(scenario_path),
        "--out",
        str(plan_path),
        "--time-limit",
        str(args.time_limit),
        "--workers",
        str(args.workers),
    ]
    with tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        _pid, _status, usage = os.wait4(child.pid, 0)
        stderr.seek(0)
        first = first_progress(stderr.read())
    return load_plan(plan_path, scenario), first, round(usage.ru_maxrss / 1024, 1)


def first_progress(stderr: str) -> float | None:
    """The elapsed seconds of the first progress line (``   0.8s  greedy  best ...``)."""
    for line in stderr.splitlines():
        head = line.strip().split("s ", 1)[0]
        try:
            return float(head)
        except ValueError:
            continue
    return None


def criteria(plan: Plan) -> Criteria:
    m = plan.metrics
    return m.weighted_unplaced, m.weighted_tardiness, m.late_releases, m.moved_bookings


def lexicographic(values: Criteria) -> tuple[int, int, int]:
    """The planner's own order: weighted unplaced, then tardiness, then moved bookings."""
    return values[0], values[1], values[3]


def show(values: Criteria) -> str:
    return " / ".join(f"{v:,}" for v in values)


def ratios(pairs: list[tuple[Criteria, Criteria]]) -> str:
    """Median and worst envsched/baseline ratio of weighted unplaced and tardiness."""
    lines = []
    for index, name in ((0, "weighted unplaced"), (1, "weighted tardiness")):
        found = [ours[index] / theirs[index] for theirs, ours in pairs if theirs[index]]
        if found:
            lines.append(
                f"{name}: envsched/baseline median {statistics.median(found):.2f}, "
                f"worst {max(found):.2f} over {len(found)} runs"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
