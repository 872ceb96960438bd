"""Hard rules on where and when phases are placed: each phase on its own, each environment.

Work per environment is a sweep over sorted intervals, never a pairwise comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from solver.plan import Assignment
from solver.scenario import Environment, Phase, Scenario
from solver.validate.assignments import release_of
from solver.validate.violation import Violation, because, days, names, on, runs

# -- one placed phase ----------------------------------------------------------------


def one_phase(scenario: Scenario, phase: Phase, a: Assignment) -> list[Violation]:
    """Every rule that concerns one placed phase on its own."""
    found = [*_duration(phase, a), *_horizon(scenario, a), *_earliest_start(scenario, phase, a)]
    env = scenario.environment_by_id.get(a.environment)
    if env is None:
        found.append(Violation("unknown_environment", f"{a.phase} is placed on "
                               f"{a.environment}, which is no environment of the scenario",
                               a.phase))
        return found
    return [*found, *_eligibility(phase, env), *_blocked(scenario, env, a)]


def _duration(phase: Phase, a: Assignment) -> Iterator[Violation]:
    """A placed phase occupies its environment for exactly ``duration_days`` days."""
    if a.end - a.start != phase.duration:
        yield Violation("duration", f"{a.phase} on {a.environment} runs {a.end - a.start} "
                        f"days but lasts {phase.duration}", a.phase)


def _horizon(scenario: Scenario, a: Assignment) -> Iterator[Violation]:
    """A placed phase lies inside ``[0, horizon_days)``."""
    if a.start < 0 or a.end > scenario.horizon_days:
        yield Violation("horizon", f"{runs(scenario, a)}, outside the "
                        f"{scenario.horizon_days}-day horizon", a.phase)


def _earliest_start(scenario: Scenario, phase: Phase, a: Assignment) -> Iterator[Violation]:
    """Nothing starts before its release's ``earliest_start``, nor its own if it has one."""
    release = scenario.release_by_id[phase.release]
    limits = [(release.earliest_start, f"release {release.id}")]
    if phase.earliest_start is not None:
        limits.append((phase.earliest_start, "the phase"))
    for limit, whose in limits:
        if a.start < limit:
            yield Violation("earliest_start", f"{a.phase} starts on {on(scenario, a.start)}, "
                            f"before {on(scenario, limit)}, the earliest start of {whose}",
                            a.phase)


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
        yield Violation("ineligible", f"{phase.id} is placed on {env.id}, which {problem}",
                        phase.id)


def _blocked(scenario: Scenario, env: Environment, a: Assignment) -> Iterator[Violation]:
    """No phase overlaps an unavailable window of its environment, nor a freeze of its type."""
    for window in env.unavailable:
        if _overlaps(window.start, window.end, a.start, a.end):
            yield Violation("unavailable", f"{runs(scenario, a)}, overlapping its unavailable "
                            f"window on {days(scenario, window.start, window.end)}"
                            f"{because(window.reason)}", a.phase)
    for freeze in scenario.freezes:
        covers = not freeze.types or env.type in freeze.types
        if covers and _overlaps(freeze.start, freeze.end, a.start, a.end):
            yield Violation("freeze", f"{runs(scenario, a)}, overlapping a freeze of "
                            f"{env.type} on {days(scenario, freeze.start, freeze.end)}"
                            f"{because(freeze.reason)}", a.phase)


def _overlaps(start_a: int, end_a: int, start_b: int, end_b: int) -> bool:
    """Two half-open intervals share at least one day."""
    return start_a < end_b and start_b < end_a


# -- one environment -----------------------------------------------------------------


def capacity(scenario: Scenario, env: Environment,
             assigned: list[Assignment]) -> Iterator[Violation]:
    """At most ``capacity`` phases on the environment on any day (capacity 1: no overlap).

    A sweep over start and end events; ends sort before starts on the same day, because
    intervals are half-open. Each run of days with the same overload is reported once.
    An assignment that ends before it starts holds no day (the duration rule reports it).
    """
    rule = "overlap" if env.capacity == 1 else "capacity"
    events = sorted((day, delta, a.phase) for a in assigned if a.end > a.start
                    for day, delta in ((a.start, 1), (a.end, -1)))
    running: dict[str, None] = {}  # an insertion-ordered set of the phases on the environment
    for i, (day, delta, phase_id) in enumerate(events):
        if delta > 0:
            running[phase_id] = None
        else:
            running.pop(phase_id, None)
        until = events[i + 1][0] if i + 1 < len(events) else day
        if until > day and len(running) > env.capacity:
            yield Violation(rule, f"{env.id} holds {len(running)} phases on "
                            f"{days(scenario, day, until)} ({names(running)}) but its "
                            f"capacity is {env.capacity}", next(iter(running)))


def changeover(scenario: Scenario, env: Environment,
               assigned: list[Assignment]) -> Iterator[Violation]:
    """On a capacity-1 environment, ``changeover_days`` free days between different releases.

    Overlapping neighbours are left to the capacity rule, so a clash is reported once.
    """
    if env.capacity != 1 or env.changeover_days <= 0:
        return
    ordered = sorted(assigned, key=lambda a: (a.start, a.end))
    for first, second in pairwise(ordered):
        free = second.start - first.end
        different = release_of(scenario, first) != release_of(scenario, second)
        if different and 0 <= free < env.changeover_days:
            yield Violation("changeover", f"{env.id} has {free} free day(s) between {first.phase} "
                            f"(ends {on(scenario, first.end)}) and {second.phase} but needs "
                            f"{env.changeover_days} between releases", second.phase)
