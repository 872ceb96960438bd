"""``envsched plan``, ``check`` and ``generate``: the solver on files, no database.

Errors are not caught here: ``errors.TranslatingGroup`` turns bad input into exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from envsched.cli.errors import EXIT_PROBLEMS
from envsched.cli.summary import format_progress, format_summary
from envsched.generate import HIGH_CONTENTION, MAIN_TYPES, generate_scenario
from solver import plan as solve
from solver.options import METHODS, Options, Progress
from solver.plan_file import load_plan, save_plan
from solver.scenario import OBJECTIVES
from solver.scenario_file import load_scenario, save_scenario, scenario_to_dict
from solver.validate import validate

FILE = click.Path(dir_okay=False, path_type=Path)


def print_progress(progress: Progress) -> None:
    click.echo(format_progress(progress), err=True)


@click.command()
@click.argument("scenario_path", metavar="SCENARIO", type=FILE)
@click.option("--out", type=FILE, help="Write the plan file here.")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds the solver may search.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Parallel CP-SAT search workers.",
)
@click.option(
    "--objective", type=click.Choice(OBJECTIVES), help="Override the scenario's objective."
)
@click.option("--method", type=click.Choice(METHODS), default="cp-sat", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Solver random seed.")
@click.option(
    "--max-moved",
    type=click.IntRange(min=0, max=100),
    default=10,
    show_default=True,
    metavar="PERCENT",
    help="At most this share of the unpinned bookings in force may move.",
)
def plan(
    scenario_path: Path,
    out: Path | None,
    time_limit: float,
    workers: int,
    objective: str | None,
    method: str,
    seed: int,
    max_moved: int,
) -> None:
    """Solve a scenario file.

    Progress goes to stderr, one line per improvement; the summary to stdout, with each
    rule a pinned booking breaks (it is kept all the same). Exits 1 when no plan was
    found (status INFEASIBLE or UNKNOWN).
    """
    scenario = load_scenario(scenario_path)
    options = Options(
        time_limit=time_limit,
        workers=workers,
        objective=objective,
        seed=seed,
        method=method,
        max_moved_share=max_moved / 100,
        progress=print_progress,
    )
    result = solve(scenario, options)  # CP-SAT or the greedy baseline, by options.method
    if out is not None:
        save_plan(result, scenario, out)
        click.echo(f"plan written to {out}", err=True)
    click.echo(format_summary(result, scenario))
    if not result.has_plan:
        raise SystemExit(EXIT_PROBLEMS)


@click.command()
@click.argument("scenario_path", metavar="SCENARIO", type=FILE)
@click.argument("plan_path", metavar="PLAN", type=FILE)
def check(scenario_path: Path, plan_path: Path) -> None:
    """Validate a plan file against its scenario.

    Every rule of the scenario is checked, and the plan's clashes (pinned bookings kept
    though they break a rule) are recomputed; exits 1 and lists the violations if any.
    """
    scenario = load_scenario(scenario_path)
    loaded = load_plan(plan_path, scenario)
    violations = validate(scenario, loaded)
    if violations:
        click.echo(f"plan is NOT valid: {len(violations)} violations")
        for violation in violations:
            click.echo(f"  {violation.rule}: {violation.message}")
        raise SystemExit(EXIT_PROBLEMS)
    late = sum(1 for r in loaded.releases if r.late_days > 0)
    clashes = "" if loaded.clashes is None else f", {len(loaded.clashes)} pinned clashes"
    click.echo(
        f"plan is valid: {len(loaded.assignments)} phases placed, "
        f"{len(loaded.unplaced)} unplaced, {late} late releases{clashes}"
    )


@click.command()
@click.option("--releases", type=click.IntRange(min=1), required=True)
@click.option(
    "--environments",
    type=click.IntRange(min=len(MAIN_TYPES)),
    required=True,
    help="At least one per main type (SIT, UAT, PERF, STAGING).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--contention",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help=f"Scales every phase's duration: 1 is a busy year, {HIGH_CONTENTION:g} one "
    "where first come, first served leaves phases unplaced.",
)
@click.option("--out", type=FILE, help="Write the scenario here instead of stdout.")
def generate(
    releases: int, environments: int, seed: int, contention: float, out: Path | None
) -> None:
    """Write a realistic, contended scenario.

    The same seed gives the same scenario; it goes to stdout unless --out is given.
    """
    scenario = generate_scenario(releases, environments, seed=seed, contention=contention)
    if out is None:
        click.echo(json.dumps(scenario_to_dict(scenario), indent=2))
    else:
        save_scenario(scenario, out)


COMMANDS = (plan, check, generate)
