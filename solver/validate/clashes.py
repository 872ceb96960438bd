"""What the pinned bookings break, recomputed: the rule breaks a plan may hold because a
kept pinned booking holds them, and the clashes the plan must list for them.

Restated from docs/design.md ("Meaning") without the planner's code: a pinned booking
naming a known phase and environment is kept; each rule it breaks on its own, with other
pinned bookings, or in the order with a predecessor is its clash, and exactly those
breaks are excused where the plan keeps it in place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from solver.plan import Assignment, Plan
from solver.scenario import Booking, Scenario
from solver.validate.assignments import occupied
from solver.validate.placement import close_pairs, crowded_runs, one_phase
from solver.validate.violation import Violation, on

# (phase, environment, start, rule, other phases): what identifies a clash
ClashKey = tuple[str, str, int, str, tuple[str, ...]]

# the validator's own names for the rules a phase breaks on its own -> the clash's rule
_OWN_RULES = {
    "ineligible": "eligibility",
    "split_stack": "eligibility",
    "horizon": "horizon",
    "earliest_start": "earliest_start",
    "unavailable": "unavailable",
    "freeze": "freeze",
}


@dataclass(frozen=True)
class PinnedBreaks:
    """The kept pinned bookings of a scenario and the order rules they break."""

    scenario: Scenario

    @cached_property
    def kept(self) -> dict[str, Booking]:
        """Phase id -> its pinned booking, when both its phase and environment exist."""
        return {
            b.phase: b
            for b in self.scenario.bookings
            if b.pinned
            and b.phase in self.scenario.phase_by_id
            and occupied(self.scenario, b.environment)
        }

    @cached_property
    def broken_order(self) -> frozenset[tuple[str, str]]:
        """(pinned phase, predecessor) pairs where the phase starts before the predecessor
        can end plus the gap, by the order alone."""
        ends = _ends_by_order(self.scenario, self.kept)
        return frozenset(
            (phase_id, pred)
            for phase_id, b in self.kept.items()
            for pred, gap in self.scenario.predecessors[phase_id]
            if b.start < ends[pred] + gap
        )

    def held(self, placed: dict[str, Assignment]) -> frozenset[str]:
        """The phases the plan places exactly on their kept pinned booking."""
        return frozenset(
            p
            for p, b in self.kept.items()
            if p in placed and (placed[p].environment, placed[p].start) == (b.environment, b.start)
        )

    def excuses_order(
        self, held: frozenset[str], unplaced: set[str], phase_id: str, pred: str
    ) -> bool:
        """A held pinned phase need not wait for a predecessor whose order rule it breaks,
        nor for one that found no room before it (that is its clash)."""
        return phase_id in held and ((phase_id, pred) in self.broken_order or pred in unplaced)

    def implied(self, booking: Booking) -> Assignment:
        phase = self.scenario.phase_by_id[booking.phase]
        return Assignment(
            phase.id,
            phase.release,
            booking.environment,
            booking.start,
            booking.start + phase.duration,
        )


def _ends_by_order(scenario: Scenario, pinned: dict[str, Booking]) -> dict[str, int]:
    """Phase id -> its end by the order alone: a pinned phase's own; else the latest of the
    scenario start, its earliest starts and each predecessor's end plus gap, plus duration."""
    ends: dict[str, int] = {}

    def end(phase_id: str) -> int:
        if phase_id not in ends:
            phase = scenario.phase_by_id[phase_id]
            if phase_id in pinned:
                start = pinned[phase_id].start
            else:
                release = scenario.release_by_id[phase.release]
                start = max(
                    0,
                    release.earliest_start,
                    phase.earliest_start or 0,
                    *(end(pred) + gap for pred, gap in scenario.predecessors[phase_id]),
                )
            ends[phase_id] = start + phase.duration
        return ends[phase_id]

    for phase in scenario.phases:
        end(phase.id)
    return ends


# -- the clashes a plan must list ---------------------------------------------------------


def expected(breaks: PinnedBreaks, plan: Plan) -> set[ClashKey]:
    """Every clash of the scenario's pinned bookings, and of the pinned phases the plan keeps
    although a predecessor they wait for is unplaced."""
    scenario = breaks.scenario
    found = {_key(b, rule) for b in scenario.bookings if b.pinned for rule in _unknown(scenario, b)}
    for b in breaks.kept.values():
        found |= {
            _key(b, _OWN_RULES[v.rule])
            for v in one_phase(scenario, scenario.phase_by_id[b.phase], breaks.implied(b))
        }
    found |= _crowding(breaks)
    found |= {_key(breaks.kept[p], "order", (pred,)) for p, pred in breaks.broken_order}
    unplaced = {u.phase for u in plan.unplaced}
    found |= {
        _key(b, "order", (pred,))
        for p, b in breaks.kept.items()
        for pred, _gap in scenario.predecessors[p]
        if pred in unplaced and (p, pred) not in breaks.broken_order
    }
    return found


def _key(booking: Booking, rule: str, others: tuple[str, ...] = ()) -> ClashKey:
    return booking.phase, booking.environment, booking.start, rule, tuple(sorted(others))


def _unknown(scenario: Scenario, booking: Booking) -> Iterator[str]:
    if booking.phase not in scenario.phase_by_id:
        yield "unknown_phase"
    elif not occupied(scenario, booking.environment):
        yield "unknown_environment"


def _crowding(breaks: PinnedBreaks) -> set[ClashKey]:
    """Capacity and changeover clashes among the kept pinned bookings."""
    scenario = breaks.scenario
    by_env: dict[str, list[Assignment]] = defaultdict(list)
    for b in breaks.kept.values():
        for env_id in occupied(scenario, b.environment):  # a stack: each of its members
            by_env[env_id].append(breaks.implied(b))
    partners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for env_id, assigned in by_env.items():
        env = scenario.environment_by_id[env_id]
        for _first, _until, running in crowded_runs(assigned, env.capacity):
            for phase_id in running:
                partners[phase_id, "capacity"].update(p for p in running if p != phase_id)
        for first, second in close_pairs(scenario, env, assigned):
            partners[first.phase, "changeover"].add(second.phase)
            partners[second.phase, "changeover"].add(first.phase)
    return {_key(breaks.kept[p], rule, tuple(others)) for (p, rule), others in partners.items()}


def listed(scenario: Scenario, plan: Plan, breaks: PinnedBreaks) -> Iterator[Violation]:
    """When the plan lists its clashes, it lists exactly the expected ones."""
    if plan.clashes is None:
        return
    given = {
        (c.phase, c.environment, c.start, c.rule, tuple(sorted(c.involves))) for c in plan.clashes
    }
    wanted = expected(breaks, plan)
    for phase, env_id, start, rule, others in sorted(wanted - given):
        yield Violation(
            "clash_missing",
            f"pinned {phase} on {env_id} from {on(scenario, start)} "
            f"breaks the {rule} rule{_with(others)}, but the plan lists no such "
            "clash",
            phase,
        )
    for phase, env_id, start, rule, others in sorted(given - wanted):
        yield Violation(
            "clash_invented",
            f"the plan lists a {rule} clash of {phase} on "
            f"{env_id} from {on(scenario, start)}{_with(others)}, but no pinned "
            "booking breaks that rule",
            phase,
        )


def _with(others: tuple[str, ...]) -> str:
    return f" with {', '.join(others)}" if others else ""
