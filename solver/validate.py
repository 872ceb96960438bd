"""The independent plan validator: every hard rule of DESIGN.md, restated in plain Python.

It trusts nothing a planner says. Placements are checked against the scenario, and
release outcomes and metrics are recomputed from the assignments alone; on purpose this
module does not import ``solver.metrics``, so a bug there cannot vouch for itself.
Work per environment is a sweep over sorted intervals, never a pairwise comparison.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import pairwise

from solver.plan import Assignment, Metrics, Plan, ReleaseOutcome
from solver.scenario import Environment, Phase, Scenario


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a short stable code, ``message`` one readable sentence."""

    rule: str
    message: str
    phase: str | None = None


def validate(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every rule ``plan`` breaks against ``scenario``; an empty list means the plan is valid."""
    placed = placements(scenario, plan)
    by_env: dict[str, list[Assignment]] = defaultdict(list)
    for a in placed.values():
        by_env[a.environment].append(a)
    found = [*_status(plan), *_accounting(scenario, plan), *_unplaced_reasons(plan)]
    for a in placed.values():
        found += _placement(scenario, scenario.phase_by_id[a.phase], a)
    for env in scenario.environments:
        found += [*_capacity(scenario, env, by_env[env.id]),
                  *_changeover(scenario, env, by_env[env.id])]
    found += [*_order(scenario, plan, placed), *_pinned(scenario, plan, placed),
              *_moved_flags(scenario, placed), *_release_outcomes(scenario, plan),
              *_metrics(scenario, plan)]
    return found


def placements(scenario: Scenario, plan: Plan) -> dict[str, Assignment]:
    """Phase id -> its assignment, for phases the scenario knows (first one if duplicated)."""
    placed: dict[str, Assignment] = {}
    for a in plan.assignments:
        if a.phase in scenario.phase_by_id:
            placed.setdefault(a.phase, a)
    return placed


# -- the plan as a whole -------------------------------------------------------------


def _status(plan: Plan) -> Iterator[Violation]:
    """An INFEASIBLE plan says which rule contradicts itself, in its reason."""
    if plan.status == "INFEASIBLE" and not plan.reason.strip():
        yield Violation("status", "the plan is INFEASIBLE but gives no reason saying why")


def _accounting(scenario: Scenario, plan: Plan) -> Iterator[Violation]:
    """Every phase appears exactly once, placed or unplaced, under its own release.

    A plan without a solution (INFEASIBLE, UNKNOWN) may leave phases out.
    """
    entries = [(a.phase, a.release) for a in plan.assignments]
    entries += [(u.phase, u.release) for u in plan.unplaced]
    seen = Counter(phase_id for phase_id, _release in entries)
    for phase_id, release in entries:
        phase = scenario.phase_by_id.get(phase_id)
        if phase is None:
            yield Violation("unknown_phase", f"the plan lists {phase_id}, which is no phase "
                            "of the scenario", phase_id)
        elif release != phase.release:
            yield Violation("wrong_release", f"the plan lists {phase_id} under release "
                            f"{release} but it belongs to {phase.release}", phase_id)
    for phase_id, count in seen.items():
        if count > 1 and phase_id in scenario.phase_by_id:
            yield Violation("duplicate_phase", f"{phase_id} appears {count} times in the plan; "
                            "it must be placed or unplaced exactly once", phase_id)
    if plan.has_plan:
        for phase in scenario.phases:
            if phase.id not in seen:
                yield Violation("missing_phase", f"{phase.id} is neither placed nor "
                                "reported unplaced", phase.id)


def _unplaced_reasons(plan: Plan) -> Iterator[Violation]:
    """A phase that cannot be placed is reported with a reason."""
    for u in plan.unplaced:
        if not u.reason.strip():
            yield Violation("unplaced_reason", f"{u.phase} is unplaced without a reason", u.phase)


# -- one placed phase ----------------------------------------------------------------


def _placement(scenario: Scenario, phase: Phase, a: Assignment) -> list[Violation]:
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
        yield Violation("horizon", f"{_runs(scenario, a)}, outside the "
                        f"{scenario.horizon_days}-day horizon", a.phase)


def _earliest_start(scenario: Scenario, phase: Phase, a: Assignment) -> Iterator[Violation]:
    """Nothing starts before its release's ``earliest_start``, nor its own if it has one."""
    release = scenario.release_by_id[phase.release]
    limits = [(release.earliest_start, f"release {release.id}")]
    if phase.earliest_start is not None:
        limits.append((phase.earliest_start, "the phase"))
    for limit, whose in limits:
        if a.start < limit:
            yield Violation("earliest_start", f"{a.phase} starts on {_on(scenario, a.start)}, "
                            f"before {_on(scenario, limit)}, the earliest start of {whose}",
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
            yield Violation("unavailable", f"{_runs(scenario, a)}, overlapping its unavailable "
                            f"window on {_days(scenario, window.start, window.end)}"
                            f"{_because(window.reason)}", a.phase)
    for freeze in scenario.freezes:
        covers = not freeze.types or env.type in freeze.types
        if covers and _overlaps(freeze.start, freeze.end, a.start, a.end):
            yield Violation("freeze", f"{_runs(scenario, a)}, overlapping a freeze of "
                            f"{env.type} on {_days(scenario, freeze.start, freeze.end)}"
                            f"{_because(freeze.reason)}", a.phase)


# -- one environment -----------------------------------------------------------------


def _capacity(scenario: Scenario, env: Environment,
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
                            f"{_days(scenario, day, until)} ({_names(running)}) but its "
                            f"capacity is {env.capacity}", next(iter(running)))


def _changeover(scenario: Scenario, env: Environment,
                assigned: list[Assignment]) -> Iterator[Violation]:
    """On a capacity-1 environment, ``changeover_days`` free days between different releases.

    Overlapping neighbours are left to the capacity rule, so a clash is reported once.
    """
    if env.capacity != 1 or env.changeover_days <= 0:
        return
    ordered = sorted(assigned, key=lambda a: (a.start, a.end))
    for first, second in pairwise(ordered):
        free = second.start - first.end
        different = _release_of(scenario, first) != _release_of(scenario, second)
        if different and 0 <= free < env.changeover_days:
            yield Violation("changeover", f"{env.id} has {free} free day(s) between {first.phase} "
                            f"(ends {_on(scenario, first.end)}) and {second.phase} but needs "
                            f"{env.changeover_days} between releases", second.phase)


# -- between phases ------------------------------------------------------------------


def _order(scenario: Scenario, plan: Plan, placed: dict[str, Assignment]) -> Iterator[Violation]:
    """Each phase starts no earlier than each predecessor's end plus its gap.

    A placed phase never waits for an unplaced one: successors of unplaced phases are
    unplaced too.
    """
    unplaced = {u.phase for u in plan.unplaced}
    for phase_id, a in placed.items():
        for pred, gap in scenario.predecessors[phase_id]:
            if pred in unplaced:
                yield Violation("successor_of_unplaced", f"{phase_id} is placed but its "
                                f"predecessor {pred} is unplaced", phase_id)
            elif pred in placed and a.start < placed[pred].end + gap:
                ready = placed[pred].end + gap
                yield Violation("order", f"{phase_id} starts on {_on(scenario, a.start)} but "
                                f"must wait for {pred} (ends {_on(scenario, placed[pred].end)}) "
                                f"plus {gap} gap day(s), until {_on(scenario, ready)}", phase_id)


def _pinned(scenario: Scenario, plan: Plan, placed: dict[str, Assignment]) -> Iterator[Violation]:
    """A pinned booking is kept exactly as it is: placed, same environment, same start."""
    for booking in scenario.bookings:
        if not booking.pinned or booking.phase not in scenario.phase_by_id:
            continue
        pinned_at = f"{booking.environment} from {_on(scenario, booking.start)}"
        a = placed.get(booking.phase)
        if a is None and plan.has_plan:
            yield Violation("pinned_moved", f"{booking.phase} is pinned on {pinned_at} but "
                            "is not placed", booking.phase)
        elif a is not None and (a.environment, a.start) != (booking.environment, booking.start):
            yield Violation("pinned_moved", f"{booking.phase} is pinned on {pinned_at} but is "
                            f"placed on {a.environment} from {_on(scenario, a.start)}",
                            booking.phase)


# -- what the plan reports about itself ----------------------------------------------


def _moved_flags(scenario: Scenario, placed: dict[str, Assignment]) -> Iterator[Violation]:
    """``moved`` is true exactly when a booked phase runs elsewhere or at another start."""
    for a in placed.values():
        if a.moved != _is_moved(scenario, a):
            yield Violation("moved_flag", f"{a.phase} is marked moved={a.moved} but its "
                            f"booking says moved={not a.moved}", a.phase)


def _release_outcomes(scenario: Scenario, plan: Plan) -> Iterator[Violation]:
    """Each release's end, due date and days late match what its placed phases give."""
    if not plan.has_plan and not plan.releases:
        return
    reported = {o.id: o for o in plan.releases}
    for expected in recompute_release_outcomes(scenario, plan):
        got = reported.pop(expected.id, None)
        if got is None:
            yield Violation("release_outcome", f"release {expected.id} has no outcome in the plan")
            continue
        for name in ("end", "due", "late_days"):
            if getattr(got, name) != getattr(expected, name):
                yield Violation("release_outcome", f"release {expected.id} reports {name}="
                                f"{getattr(got, name)} but its phases give "
                                f"{getattr(expected, name)}")
    for unknown in reported:
        yield Violation("release_outcome", f"the plan reports release {unknown}, which is no "
                        "release of the scenario")


def _metrics(scenario: Scenario, plan: Plan) -> Iterator[Violation]:
    """Every metric matches its value recomputed from the assignments."""
    expected = recompute_metrics(scenario, plan)
    for field in fields(Metrics):
        got, want = getattr(plan.metrics, field.name), getattr(expected, field.name)
        if got != want:
            yield Violation("metrics", f"metrics.{field.name} is {got} but the plan gives {want}")


# -- recomputed outcomes and metrics -------------------------------------------------


def recompute_release_outcomes(scenario: Scenario, plan: Plan) -> list[ReleaseOutcome]:
    """Per release, in scenario order: end of its last placed phase, due, days late."""
    ends: dict[str, int] = {}
    for a in placements(scenario, plan).values():
        release = _release_of(scenario, a)
        ends[release] = max(ends.get(release, a.end), a.end)
    outcomes = []
    for rel in scenario.releases:
        end = ends.get(rel.id)
        late = max(0, end - rel.due) if end is not None and rel.due is not None else 0
        outcomes.append(ReleaseOutcome(id=rel.id, end=end, due=rel.due, late_days=late))
    return outcomes


def recompute_metrics(scenario: Scenario, plan: Plan) -> Metrics:
    """The plan's metrics, from its assignments and unplaced phases alone."""
    placed = placements(scenario, plan)
    unplaced = {u.phase for u in plan.unplaced if u.phase in scenario.phase_by_id}
    outcomes = recompute_release_outcomes(scenario, plan)
    priority = {rel.id: rel.priority for rel in scenario.releases}
    return Metrics(
        placed_phases=len(placed),
        unplaced_phases=len(unplaced),
        weighted_unplaced=sum(priority[scenario.phase_by_id[p].release] for p in unplaced),
        weighted_tardiness=sum(priority[o.id] * o.late_days for o in outcomes),
        late_releases=sum(1 for o in outcomes if o.late_days > 0),
        makespan_days=max((a.end for a in placed.values()), default=0),
        moved_bookings=sum(1 for a in placed.values() if _is_moved(scenario, a))
        + sum(1 for p in unplaced if p in scenario.booking_by_phase),
    )


# -- small helpers -------------------------------------------------------------------


def _is_moved(scenario: Scenario, a: Assignment) -> bool:
    booking = scenario.booking_by_phase.get(a.phase)
    return booking is not None and (booking.environment, booking.start) != (a.environment,
                                                                             a.start)


def _release_of(scenario: Scenario, a: Assignment) -> str:
    """The release the scenario says a placed phase belongs to (not what the plan claims)."""
    return scenario.phase_by_id[a.phase].release


def _overlaps(start_a: int, end_a: int, start_b: int, end_b: int) -> bool:
    """Two half-open intervals share at least one day."""
    return start_a < end_b and start_b < end_a


def _on(scenario: Scenario, day: int) -> str:
    return f"{scenario.date(day).isoformat()} (day {day})"


def _runs(scenario: Scenario, a: Assignment) -> str:
    return f"{a.phase} on {a.environment} runs on {_days(scenario, a.start, a.end)}"


def _days(scenario: Scenario, first: int, end: int) -> str:
    """The half-open ``[first, end)`` as one day or an inclusive range, for a person to read."""
    if end - first <= 1:
        return f"day {first} ({scenario.date(first).isoformat()})"
    return (f"days {first}-{end - 1} ({scenario.date(first).isoformat()} to "
            f"{scenario.date(end - 1).isoformat()})")


def _names(phase_ids: Iterable[str], shown: int = 5) -> str:
    """Phase ids for a message, the first few only: an overload may hold thousands."""
    ids = list(phase_ids)
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _because(reason: str) -> str:
    return f" ({reason})" if reason else ""
