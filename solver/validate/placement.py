"""Hard rules on where and when phases are placed: each phase on its own, each environment.

Work per environment is a sweep over sorted intervals, never a pairwise comparison.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from solver.plan import Assignment
from solver.scenario import Environment, Phase, Scenario
from solver.validate.assignments import occupied, release_of
from solver.validate.violation import Violation, because, days, names, on, runs

# -- one placed phase ----------------------------------------------------------------


def one_phase(
    scenario: Scenario, phase: Phase, a: Assignment, held: bool = False
) -> list[Violation]:
    """Every rule that concerns one placed phase on its own; for a ``held`` phase (a kept
    pinned booking) only its duration: what else it breaks is its clash."""
    if held:
        return list(_duration(phase, a))
    found = [*_duration(phase, a), *_horizon(scenario, a), *_earliest_start(scenario, phase, a)]
    members = occupied(scenario, a.environment)
    if not members:
        found.append(
            Violation(
                "unknown_environment",
                f"{a.phase} is placed on {a.environment}, which is no environment "
                "or stack of the scenario",
                a.phase,
            )
        )
        return found
    if phase.stacks is not None:
        return [*found, *_stack_eligibility(scenario, phase, a, members)]
    env = scenario.environment_by_id.get(a.environment)
    if env is None:
        return [*found, _needs_one(phase, a)]
    return [*found, *_eligibility(phase, env), *_blocked(scenario, env, a)]


def _needs_one(phase: Phase, a: Assignment) -> Violation:
    return Violation(
        "ineligible",
        f"{phase.id} is placed on the stack {a.environment}, but it needs one environment",
        phase.id,
    )


def _stack_eligibility(
    scenario: Scenario, phase: Phase, a: Assignment, members: tuple[str, ...]
) -> list[Violation]:
    """A stack phase is placed on a whole stack among those it names, one holding an
    environment of its type with its tags; the days are free on every member."""
    envs = {env.id: env for env in scenario.environments}
    if a.environment in envs:
        return [
            Violation(
                "split_stack",
                f"{phase.id} needs a whole stack ({', '.join(phase.stacks or ())}) but is "
                f"placed on the environment {a.environment} alone",
                phase.id,
            )
        ]
    found = []
    if a.environment not in (phase.stacks or ()):
        found.append(
            Violation(
                "ineligible",
                f"{phase.id} is placed on the stack {a.environment}, which is not among "
                f"{', '.join(phase.stacks or ())}",
                phase.id,
            )
        )
    serving = [
        m for m in members if envs[m].type == phase.type and phase.requires_tags <= envs[m].tags
    ]
    if not serving:
        found.append(
            Violation(
                "ineligible",
                f"{phase.id} is placed on the stack {a.environment}, which holds no "
                f"{phase.type} environment with the tags it requires",
                phase.id,
            )
        )
    for member in members:
        found += _blocked(scenario, envs[member], a)
    return found


def _duration(phase: Phase, a: Assignment) -> Iterator[Violation]:
    """A placed phase occupies its environment for exactly ``duration_days`` days."""
    if a.end - a.start != phase.duration:
        yield Violation(
            "duration",
            f"{a.phase} on {a.environment} runs {a.end - a.start} days but lasts {phase.duration}",
            a.phase,
        )


def _horizon(scenario: Scenario, a: Assignment) -> Iterator[Violation]:
    """A placed phase lies inside ``[0, horizon_days)``."""
    if a.start < 0 or a.end > scenario.horizon_days:
        yield Violation(
            "horizon",
            f"{runs(scenario, a)}, outside the {scenario.horizon_days}-day horizon",
            a.phase,
        )


def _earliest_start(scenario: Scenario, phase: Phase, a: Assignment) -> Iterator[Violation]:
    """Nothing starts before its release's ``earliest_start``, nor its own if it has one."""
    release = scenario.release_by_id[phase.release]
    limits = [(release.earliest_start, f"release {release.id}")]
    if phase.earliest_start is not None:
        limits.append((phase.earliest_start, "the phase"))
    for limit, whose in limits:
        if a.start < limit:
            yield Violation(
                "earliest_start",
                f"{a.phase} starts on {on(scenario, a.start)}, "
                f"before {on(scenario, limit)}, the earliest start of {whose}",
                a.phase,
            )


def _eligibility(phase: Phase, env: Environment) -> Iterator[Violation]:
    """The environment has the phase's type and every required tag, and is listed if given."""
    problems = []
    if env.type != phase.type:
        problems.append(f"is of type {env.type}, not {phase.type}")
    if missing := sorted(phase.requires_tags - env.tags):
        problems.append(f"lacks the tag(s) {', '.join(missing)}")
    if phase.environments is not None and env.id not in phase.environments:
        problems.append(f"is not among {', '.join(phase.environments)}")
    for problem in problems:
        yield Violation(
            "ineligible", f"{phase.id} is placed on {env.id}, which {problem}", phase.id
        )


def _blocked(scenario: Scenario, env: Environment, a: Assignment) -> Iterator[Violation]:
    """No phase overlaps an unavailable window of its environment, nor a freeze of its type."""
    for window in env.unavailable:
        if _overlaps(window.start, window.end, a.start, a.end):
            yield Violation(
                "unavailable",
                f"{runs(scenario, a)}, overlapping its unavailable "
                f"window on {days(scenario, window.start, window.end)}"
                f"{because(window.reason)}",
                a.phase,
            )
    for freeze in scenario.freezes:
        covers = not freeze.types or env.type in freeze.types
        if covers and _overlaps(freeze.start, freeze.end, a.start, a.end):
            yield Violation(
                "freeze",
                f"{runs(scenario, a)}, overlapping a freeze of "
                f"{env.type} on {days(scenario, freeze.start, freeze.end)}"
                f"{because(freeze.reason)}",
                a.phase,
            )


def _overlaps(start_a: int, end_a: int, start_b: int, end_b: int) -> bool:
    """Two half-open intervals share at least one day."""
    return start_a < end_b and start_b < end_a


# -- one environment -----------------------------------------------------------------


def capacity(
    scenario: Scenario,
    env: Environment,
    assigned: list[Assignment],
    held: frozenset[str] = frozenset(),
) -> Iterator[Violation]:
    """At most ``capacity`` phases on the environment on any day (capacity 1: no overlap).

    Each run of days with the same overload is reported once, unless only ``held`` phases
    (kept pinned bookings) crowd it: that is their clash, not a broken rule of the plan.
    """
    rule = "overlap" if env.capacity == 1 else "capacity"
    for first, until, running in crowded_runs(assigned, env.capacity):
        if not held.issuperset(running):
            yield Violation(
                rule,
                f"{env.id} holds {len(running)} phases on "
                f"{days(scenario, first, until)} ({names(running)}) but its "
                f"capacity is {env.capacity}",
                running[0],
            )


def crowded_runs(assigned: list[Assignment], limit: int) -> Iterator[tuple[int, int, list[str]]]:
    """``(first, until, phases)`` for each run of days ``[first, until)`` on which more than
    ``limit`` of the assignments sit, with those phases.

    A sweep over start and end events; ends sort before starts on the same day, because
    intervals are half-open. An assignment that ends before it starts holds no day (the
    duration rule reports it).
    """
    events = sorted(
        (day, delta, a.phase)
        for a in assigned
        if a.end > a.start
        for day, delta in ((a.start, 1), (a.end, -1))
    )
    running: dict[str, None] = {}  # an insertion-ordered set of the phases on the environment
    for i, (day, delta, phase_id) in enumerate(events):
        if delta > 0:
            running[phase_id] = None
        else:
            running.pop(phase_id, None)
        until = events[i + 1][0] if i + 1 < len(events) else day
        if until > day and len(running) > limit:
            yield day, until, list(running)


def changeover(
    scenario: Scenario,
    env: Environment,
    assigned: list[Assignment],
    held: frozenset[str] = frozenset(),
) -> Iterator[Violation]:
    """On a capacity-1 environment, ``changeover_days`` free days between different releases,
    unless both phases are ``held`` (kept pinned bookings: their clash)."""
    for first, second in close_pairs(scenario, env, assigned):
        if first.phase in held and second.phase in held:
            continue
        free = second.start - first.end
        yield Violation(
            "changeover",
            f"{env.id} has {free} free day(s) between {first.phase} "
            f"(ends {on(scenario, first.end)}) and {second.phase} but needs "
            f"{env.changeover_days} between releases",
            second.phase,
        )


def close_pairs(
    scenario: Scenario, env: Environment, assigned: list[Assignment]
) -> Iterator[tuple[Assignment, Assignment]]:
    """Pairs of phases of different releases, the first ending fewer than the changeover
    days before the second starts (capacity-1 environments only). Overlapping phases are
    left to the capacity rule, so a clash is reported once."""
    gap = env.changeover_days
    if env.capacity != 1 or gap <= 0:
        return
    by_end = sorted(assigned, key=lambda a: (a.end, a.start))
    ends = [a.end for a in by_end]
    for second in sorted(assigned, key=lambda a: (a.start, a.end)):
        lo, hi = bisect_right(ends, second.start - gap), bisect_right(ends, second.start)
        for first in by_end[lo:hi]:
            if first is not second and release_of(scenario, first) != release_of(scenario, second):
                yield first, second
