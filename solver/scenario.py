"""The planning problem: a scenario, fully prepared, in whole days from its start.

Every interval is half-open, ``[start, end)``; day 0 is ``Scenario.start``. The file
format (``envsched-scenario/1``, ISO dates) is read and written in ``scenario_file``;
this module only holds the problem and the derived facts the model code iterates over.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from functools import cached_property

OBJECTIVES = ("tardiness", "makespan")
# The longest horizon a scenario may have: ten years and a few days. The planner keeps
# per-day tables of every environment, so an unbounded horizon (10**12 days) would only
# end in running out of memory; and no lengths of days in a scenario exceed it either.
MAX_HORIZON_DAYS = 3660
# The highest release priority. The objective weighs each criterion above every possible
# sum of those below it in one 64-bit sum (``objective.set_objective``); unbounded
# priorities (10**30) overflow it, and no organisation ranks releases in a thousand steps.
MAX_PRIORITY = 1000


@dataclass(frozen=True)
class Window:
    """Days an environment (or a type, for a freeze) admits no phase."""

    start: int
    end: int
    reason: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Freeze(Window):
    """A change freeze; no ``types`` means it covers every environment type."""

    types: frozenset[str] = frozenset()

    def covers(self, env_type: str) -> bool:
        return not self.types or env_type in self.types


@dataclass(frozen=True)
class Environment:
    id: str
    type: str
    capacity: int = 1
    tags: frozenset[str] = frozenset()
    changeover_days: int = 0
    unavailable: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Stack:
    """Environments booked together (an application and its database): a phase placed on
    the stack occupies every member for its days."""

    id: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Phase:
    """One test phase of a release; ``after`` is None when it follows the phase before it.

    ``stacks`` is None for a phase that needs one environment; a stack phase needs one
    whole stack among those named, one with a member of its type carrying its tags.
    """

    id: str
    release: str
    type: str
    duration: int
    gap_days: int = 0
    after: tuple[str, ...] | None = None
    requires_tags: frozenset[str] = frozenset()
    environments: tuple[str, ...] | None = None
    earliest_start: int | None = None
    stacks: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Release:
    id: str
    phases: tuple[Phase, ...]
    name: str = ""
    priority: int = 1
    earliest_start: int = 0
    due: int | None = None


@dataclass(frozen=True)
class Booking:
    """The plan in force for one phase: a pinned booking never moves."""

    phase: str
    environment: str
    start: int
    pinned: bool = False


@dataclass(frozen=True)
class Scenario:
    name: str
    start: dt.date
    horizon_days: int
    environments: tuple[Environment, ...]
    releases: tuple[Release, ...]
    freezes: tuple[Freeze, ...] = ()
    bookings: tuple[Booking, ...] = ()
    objective: str = "tardiness"
    stacks: tuple[Stack, ...] = ()

    # -- lookups -------------------------------------------------------------------

    @cached_property
    def environment_by_id(self) -> dict[str, Environment]:
        return {env.id: env for env in self.environments}

    @cached_property
    def release_by_id(self) -> dict[str, Release]:
        return {rel.id: rel for rel in self.releases}

    @cached_property
    def phase_by_id(self) -> dict[str, Phase]:
        return {ph.id: ph for rel in self.releases for ph in rel.phases}

    @cached_property
    def members(self) -> dict[str, tuple[str, ...]]:
        """Where a phase may be placed -> the environments it then occupies: each
        environment itself, each stack its members. (Ids are unique across both.)"""
        found: dict[str, tuple[str, ...]] = {env.id: (env.id,) for env in self.environments}
        found.update((stack.id, stack.members) for stack in self.stacks)
        return found

    @cached_property
    def phases(self) -> tuple[Phase, ...]:
        return tuple(ph for rel in self.releases for ph in rel.phases)

    @cached_property
    def booking_by_phase(self) -> dict[str, Booking]:
        return {b.phase: b for b in self.bookings}

    # -- derived facts -------------------------------------------------------------

    @cached_property
    def predecessors(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Phase id -> ((predecessor id, gap days), ...): the phase waits for each."""
        result: dict[str, tuple[tuple[str, int], ...]] = {}
        for rel in self.releases:
            previous: str | None = None
            for ph in rel.phases:
                names = ph.after if ph.after is not None else ((previous,) if previous else ())
                result[ph.id] = tuple((name, ph.gap_days) for name in names)
                previous = ph.id
        return result

    @cached_property
    def successors(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {ph.id: [] for ph in self.phases}
        for phase_id, preds in self.predecessors.items():
            for pred, _gap in preds:
                found[pred].append(phase_id)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def eligible(self) -> dict[str, tuple[str, ...]]:
        """Phase id -> ids of the environments it may run on, in scenario order."""
        of_type: dict[str, list[Environment]] = {}
        for env in self.environments:  # only an environment of the phase's type may qualify
            of_type.setdefault(env.type, []).append(env)
        return {
            ph.id: self._eligible_stacks(ph)
            if ph.stacks is not None
            else tuple(env.id for env in of_type.get(ph.type, ()) if is_eligible(ph, env))
            for ph in self.phases
        }

    def _eligible_stacks(self, phase: Phase) -> tuple[str, ...]:
        """The stacks a stack phase names that hold an environment of its type and tags."""
        named = set(phase.stacks or ())
        return tuple(
            stack.id
            for stack in self.stacks
            if stack.id in named
            and any(is_eligible(phase, self.environment_by_id[m]) for m in stack.members)
        )

    @cached_property
    def phase_order(self) -> tuple[str, ...]:
        """Phase ids with every predecessor before its successors (see topological_order)."""
        return tuple(_topological_order(self))

    def release_start(self, phase: Phase) -> int:
        """Earliest day the phase may start by its own and its release's earliest start."""
        release = self.release_by_id[phase.release]
        own = phase.earliest_start if phase.earliest_start is not None else 0
        return max(0, release.earliest_start, own)

    @cached_property
    def blocked(self) -> dict[str, tuple[Window, ...]]:
        """Environment id -> its unavailable windows and the freezes covering its type;
        stack id -> those of every member."""
        own = {
            env.id: env.unavailable + tuple(f for f in self.freezes if f.covers(env.type))
            for env in self.environments
        }
        for stack in self.stacks:
            own[stack.id] = tuple(dict.fromkeys(w for m in stack.members for w in own[m]))
        return own

    def day(self, date: dt.date) -> int:
        return (date - self.start).days

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)


def is_eligible(phase: Phase, env: Environment) -> bool:
    """Type equal, every required tag carried, and listed when the phase names environments
    (for a stack phase: the member that serves its type)."""
    if env.type != phase.type or not phase.requires_tags <= env.tags:
        return False
    return phase.environments is None or env.id in phase.environments


def topological_order(scenario: Scenario) -> list[str]:
    """Phase ids with every predecessor before its successors (scenario is acyclic)."""
    return list(scenario.phase_order)


def _topological_order(scenario: Scenario) -> list[str]:
    order: list[str] = []
    indegree = {pid: len(preds) for pid, preds in scenario.predecessors.items()}
    ready = deque(pid for pid, deg in indegree.items() if deg == 0)
    while ready:
        pid = ready.popleft()
        order.append(pid)
        for succ in scenario.successors[pid]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                ready.append(succ)
    return order
