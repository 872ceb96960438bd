"""Realistic, contended scenarios for demos, tests and benchmarks.

A generated scenario looks like a bank's year of releases: SIT and UAT environments
are the bulk of the estate, releases start on Monday release trains that bunch up
before quarter ends and the year-end freeze, and due dates leave only 10–60 % slack
over each release's critical path — so first come, first served leaves releases late
and there is something for an optimiser to win. Pure: one ``random.Random(seed)``,
no clock, the same scenario for the same arguments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Sequence

from solver.greedy import greedy_plan
from solver.options import Options
from solver.scenario import Booking, Environment, Freeze, Phase, Release, Scenario, Window

HORIZON_DAYS = 365
BOOKED_WEEKS = 6  # releases starting this early already hold bookings
# a contention at which first come, first served (keeping the plan in force) leaves
# up to 3-4 % of the phases unplaced and half the releases late or more
HIGH_CONTENTION = 1.5
LONGEST_CONTENDED_DAYS = 24

# (type, share of the estate); the four main types always get at least one environment
TYPE_SHARES = (
    ("SIT", 0.36),
    ("UAT", 0.26),
    ("STAGING", 0.14),
    ("PERF", 0.14),
    ("TRAINING", 0.06),
    ("DR", 0.04),
)
MAIN_TYPES = ("SIT", "UAT", "PERF", "STAGING")
# tag -> (share of environments carrying it, types it appears on)
TAGS = {
    "mainframe": (0.35, ("SIT", "UAT", "PERF")),
    "payments": (0.30, ("SIT", "UAT", "STAGING")),
    "cloud": (0.40, ("SIT", "UAT", "PERF", "STAGING")),
    "mobile": (0.25, ("SIT", "UAT")),
}
CHANGEOVER = {
    "SIT": (0, 1),
    "UAT": (1, 1),
    "PERF": (1, 2),
    "STAGING": (1, 2),
    "TRAINING": (0, 1),
    "DR": (2, 2),
}
# (system, tag its releases may need)
SYSTEMS = (
    ("Payments", "payments"),
    ("Mobile App", "mobile"),
    ("Core Banking", "mainframe"),
    ("Cards", "payments"),
    ("Open Banking API", "cloud"),
    ("Loans", "mainframe"),
    ("Mortgages", "mainframe"),
    ("CRM", "cloud"),
    ("Treasury", "mainframe"),
    ("Fraud Engine", "payments"),
    ("Online Banking", "cloud"),
    ("Data Warehouse", "cloud"),
    ("AML Screening", "mainframe"),
    ("Wealth", "cloud"),
    ("Branch Teller", "mainframe"),
    ("ATM Network", "payments"),
    ("Statements", "mainframe"),
    ("Identity", "cloud"),
)
KINDS = (("major", 0.47), ("minor", 0.31), ("patch", 0.14), ("emergency", 0.08))
PRIORITY_WEIGHTS = (40, 25, 17, 11, 7)  # priorities 1..5, skewed to low
# more releases aim at the ends of Q1 and Q3 than at summer or December
MONTH_WEIGHTS = (1.0, 1.4, 1.6, 1.1, 1.0, 0.8, 0.6, 0.8, 1.4, 1.5, 1.0, 0.3)


@dataclasses.dataclass(frozen=True)
class _Step:
    """One phase of a release template: type, duration range, and what it waits for."""

    suffix: str
    type: str
    days: tuple[int, int]
    after: tuple[str, ...] | None = None
    gap: int = 0


def generate_scenario(
    releases: int,
    environments: int,
    seed: int = 0,
    start: dt.date = dt.date(2027, 1, 4),
    contention: float = 1.0,
) -> Scenario:
    """A one-year scenario with ``releases`` releases on ``environments`` environments.

    ``contention`` scales every phase's duration (and so the work each environment must
    carry, and the due dates with the critical paths): 1.0 is a busy but roomy year,
    ``HIGH_CONTENTION`` one where first come, first served leaves phases unplaced."""
    if environments < len(MAIN_TYPES):
        raise ValueError(f"need at least {len(MAIN_TYPES)} environments, one per main type")
    if releases < 1:
        raise ValueError("need at least one release")
    if contention <= 0:
        raise ValueError("contention must be positive")
    rng = random.Random(seed)
    envs = _environments(rng, environments, start)
    name = f"generated-{releases}x{environments}-seed{seed}"
    if contention != 1.0:
        name += f"-contention{contention:g}"
    base = Scenario(
        name=name,
        start=start,
        horizon_days=HORIZON_DAYS,
        environments=envs,
        releases=_releases(rng, releases, envs, start, contention),
        freezes=_freezes(start),
    )
    return _with_bookings(rng, base)


# -- environments ---------------------------------------------------------------------


def _type_counts(total: int) -> dict[str, int]:
    counts = {t: max(1 if t in MAIN_TYPES else 0, round(share * total)) for t, share in TYPE_SHARES}
    counts["SIT"] += total - sum(counts.values())  # SIT absorbs rounding
    return counts


def _environments(rng: random.Random, total: int, start: dt.date) -> tuple[Environment, ...]:
    envs: list[Environment] = []
    for env_type, count in _type_counts(total).items():
        for number in range(1, count + 1):
            envs.append(
                Environment(
                    id=f"{env_type}-{number}",
                    type=env_type,
                    capacity=_capacity(rng, env_type),
                    tags=_tags(rng, env_type),
                    changeover_days=rng.randint(*CHANGEOVER[env_type]),
                    unavailable=_patching(rng, len(envs), start),
                )
            )
    return tuple(envs)


def _capacity(rng: random.Random, env_type: str) -> int:
    """Most environments take one release at a time; some SIT/UAT stacks host two or three."""
    if env_type == "SIT":
        return rng.choices((1, 2, 3), (70, 20, 10))[0]
    if env_type == "UAT":
        return rng.choices((1, 2, 3), (75, 20, 5))[0]
    return 1


def _tags(rng: random.Random, env_type: str) -> frozenset[str]:
    return frozenset(
        tag for tag, (share, types) in TAGS.items() if env_type in types and rng.random() < share
    )


def _patching(rng: random.Random, index: int, start: dt.date) -> tuple[Window, ...]:
    """Monthly patching of 1–2 days, staggered so the estate is never patched all at once."""
    offset = (index * 5 + rng.randint(0, 3)) % 26
    windows = []
    for month in range(13):
        first = _add_months(dt.date(start.year, start.month, 1), month)
        day = (first - start).days + offset
        length = rng.randint(1, 2)
        if day >= 0 and day + length <= HORIZON_DAYS:
            windows.append(Window(day, day + length, "patching"))
    return tuple(windows)


def _add_months(date: dt.date, months: int) -> dt.date:
    year, month = divmod(date.month - 1 + months, 12)
    return date.replace(year=date.year + year, month=month + 1)


def _freezes(start: dt.date) -> tuple[Freeze, ...]:
    """Year-end: STAGING and PERF freeze from mid-December, everything over Christmas."""
    year = start.year if start <= dt.date(start.year, 12, 15) else start.year + 1

    def window(begin: dt.date, end: dt.date) -> tuple[int, int]:
        return (begin - start).days, min(HORIZON_DAYS, (end - start).days)

    wide = window(dt.date(year, 12, 15), dt.date(year + 1, 1, 4))
    short = window(dt.date(year, 12, 23), dt.date(year + 1, 1, 2))
    return (
        Freeze(*wide, "year-end freeze", frozenset({"STAGING", "PERF"})),
        Freeze(*short, "Christmas freeze"),
    )


# -- releases -------------------------------------------------------------------------


def _template(rng: random.Random, kind: str, types: set[str]) -> list[_Step]:
    """Phases of a release kind; majors test UAT and PERF in parallel after SIT."""
    if kind == "emergency":
        return [_Step("STG", "STAGING", (1, 2))]
    if kind == "patch":
        return [_Step("SIT", "SIT", (3, 6)), _Step("STG", "STAGING", (1, 3), gap=rng.randint(0, 1))]
    if kind == "minor":
        return [
            _Step("SIT", "SIT", (7, 14)),
            _Step("UAT", "UAT", (5, 10), gap=rng.randint(0, 1)),
            _Step("STG", "STAGING", (2, 4), gap=rng.randint(0, 2)),
        ]
    return _major(rng, types)


def _major(rng: random.Random, types: set[str]) -> list[_Step]:
    steps = [_Step("SIT", "SIT", (12, 22))]
    if rng.random() < 0.35:
        steps.append(_Step("SIT2", "SIT", (5, 10), gap=rng.randint(0, 1)))  # regression cycle
    last_sit = steps[-1].suffix
    steps += [
        _Step("UAT", "UAT", (10, 18), after=(last_sit,), gap=rng.randint(0, 2)),
        _Step("PERF", "PERF", (5, 10), after=(last_sit,)),
    ]
    if "TRAINING" in types and rng.random() < 0.25:
        steps.append(_Step("TRN", "TRAINING", (3, 5), after=("UAT",)))
    steps.append(_Step("STG", "STAGING", (3, 6), after=("UAT", "PERF"), gap=rng.randint(0, 2)))
    if "DR" in types and rng.random() < 0.15:
        steps.append(_Step("DR", "DR", (2, 3)))
    return steps


def _releases(
    rng: random.Random, count: int, envs: Sequence[Environment], start: dt.date, contention: float
) -> tuple[Release, ...]:
    versions: dict[str, list[int]] = {}
    trains = _train_days(start)
    return tuple(
        _release(rng, f"R{n:04d}", envs, versions, trains, contention) for n in range(1, count + 1)
    )


def _release(
    rng: random.Random,
    rid: str,
    envs: Sequence[Environment],
    versions: dict[str, list[int]],
    trains: list[tuple[int, float]],
    contention: float,
) -> Release:
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    system, tag = rng.choice(SYSTEMS)
    scale = rng.uniform(0.6, 1.25)  # some releases are simply bigger than others
    steps = _template(rng, kind, {env.type for env in envs})
    durations = [_duration(rng.randint(*step.days), scale, contention) for step in steps]
    waits = _phase_waits(rng, steps, durations)
    path = _critical_path(steps, durations, waits)
    earliest = _earliest_start(rng, kind, path, trains)
    phases = tuple(
        _phase(rng, rid, step, days, tag, envs, earliest, waits.get(step.suffix))
        for step, days in zip(steps, durations, strict=True)
    )
    priority = rng.randint(4, 5) if kind == "emergency" else _priority(rng)
    return Release(
        id=rid,
        phases=phases,
        name=_name(system, kind, versions),
        priority=priority,
        earliest_start=earliest,
        due=earliest + math.ceil(path * rng.uniform(1.1, 1.6)),
    )


def _duration(days: int, scale: float, contention: float) -> int:
    """A phase's days; contention lengthens it, but never past ``LONGEST_CONTENDED_DAYS``
    (a longer phase would fit between no two monthly patching windows: unplaceable by
    any planner, which measures nothing)."""
    usual = max(1, round(days * scale))
    return max(usual, min(round(days * scale * contention), LONGEST_CONTENDED_DAYS))


def _phase_waits(
    rng: random.Random, steps: Sequence[_Step], durations: Sequence[int]
) -> dict[str, int]:
    """A few UAT phases wait for the business testers: days after the release may start."""
    begins = _schedule(steps, durations, {})
    return {
        step.suffix: begins[step.suffix][0] + rng.randint(3, 10)
        for step in steps
        if step.type == "UAT" and rng.random() < 0.05
    }


def _critical_path(steps: Sequence[_Step], durations: Sequence[int], waits: dict[str, int]) -> int:
    """Days from the release's start to the end of its last phase with no waiting for others."""
    return max(end for _begin, end in _schedule(steps, durations, waits).values())


def _schedule(
    steps: Sequence[_Step], durations: Sequence[int], waits: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """Each phase's (begin, end) in days from the release's start, as early as its order allows."""
    spans: dict[str, tuple[int, int]] = {}
    previous: str | None = None
    for step, days in zip(steps, durations, strict=True):
        preds = step.after if step.after is not None else ((previous,) if previous else ())
        begin = max([spans[p][1] + step.gap for p in preds] + [waits.get(step.suffix, 0)])
        spans[step.suffix] = (begin, begin + days)
        previous = step.suffix
    return spans


def _train_days(start: dt.date) -> list[tuple[int, float]]:
    """Weekly release trains on the scenario's weekday, weighted by month."""
    return [
        (day, MONTH_WEIGHTS[(start + dt.timedelta(days=day)).month - 1])
        for day in range(0, HORIZON_DAYS, 7)
    ]


def _earliest_start(
    rng: random.Random, kind: str, path: int, trains: list[tuple[int, float]]
) -> int:
    """A train day late enough to spread the year, early enough to finish before year end."""
    latest = HORIZON_DAYS - 40 - math.ceil(path * 1.6)
    if kind == "emergency":
        return rng.randint(0, max(0, latest))
    fitting = [(day, weight) for day, weight in trains if day <= latest] or trains[:1]
    day = rng.choices([d for d, _ in fitting], [w for _, w in fitting])[0]
    return day + rng.choice((0, 0, 0, 1, 2))


def _priority(rng: random.Random) -> int:
    return rng.choices(range(1, 6), PRIORITY_WEIGHTS)[0]


def _name(system: str, kind: str, versions: dict[str, list[int]]) -> str:
    """Version numbers that move on per system: 4.2 → 4.3 → 5.0, patches as 4.3.1."""
    major, minor, patch = versions.setdefault(system, [3, 0, 0])
    if kind == "major":
        major, minor, patch = major + 1, 0, 0
    elif kind == "minor":
        minor, patch = minor + 1, 0
    else:
        patch += 1
    versions[system] = [major, minor, patch]
    hotfix = " hotfix" if kind == "emergency" else ""
    return f"{system} {major}.{minor}" + (f".{patch}" if patch else "") + hotfix


def _phase(
    rng: random.Random,
    rid: str,
    step: _Step,
    days: int,
    tag: str,
    envs: Sequence[Environment],
    earliest: int,
    wait: int | None,
) -> Phase:
    candidates = [env for env in envs if env.type == step.type]
    tagged = [env for env in candidates if tag in env.tags]
    needs_tag = len(tagged) >= 2 and step.type != "STAGING" and rng.random() < 0.4
    pool = tagged if needs_tag else candidates
    named = None
    if len(pool) >= 3 and rng.random() < 0.03:  # a team that insists on its usual stacks
        named = tuple(env.id for env in rng.sample(pool, 2))
    return Phase(
        id=f"{rid}-{step.suffix}",
        release=rid,
        type=step.type,
        duration=days,
        gap_days=step.gap,
        after=None if step.after is None else tuple(f"{rid}-{a}" for a in step.after),
        requires_tags=frozenset({tag}) if needs_tag else frozenset(),
        environments=named,
        earliest_start=None if wait is None else earliest + wait,
    )


# -- bookings -------------------------------------------------------------------------


def _with_bookings(rng: random.Random, scenario: Scenario) -> Scenario:
    """Releases starting in the first weeks hold bookings already: greedy's, a third pinned."""
    early = tuple(rel for rel in scenario.releases if rel.earliest_start < BOOKED_WEEKS * 7)
    # placed on their own, the early releases fit the empty estate; the rest come later
    plan = greedy_plan(dataclasses.replace(scenario, releases=early), Options(method="greedy"))
    placed = list(plan.assignments)
    pinned = set(rng.sample(range(len(placed)), len(placed) // 3))
    bookings = tuple(
        Booking(a.phase, a.environment, a.start, pinned=i in pinned) for i, a in enumerate(placed)
    )
    return dataclasses.replace(scenario, bookings=bookings)
