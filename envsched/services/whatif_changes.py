"""What-if changes: small typed edits of a solver Scenario, each checked as it is applied.

A change never touches the database; ``apply`` takes a Scenario and returns a new one
(``dataclasses.replace`` on the frozen solver types) that still reads back through
``parse_scenario``. A change that makes no sense for the scenario raises
``InvalidInput`` naming the field (``delay_release.release``) and what is wrong.

Bookings follow the change: a booking that can no longer exist (its environment or
release is gone, its environment no longer fits the phase, it leaves the horizon) is
dropped, so the solver places that phase afresh; a booking that the change itself
forces to move (a maintenance window over it, a release that slips, a phase that grows,
an environment that shrinks) is kept as the plan in force but no longer pinned.

Changes are stored as JSON by ``whatif_codec`` (``change_to_dict`` / ``change_from_dict``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

from envsched.errors import InvalidInput
from envsched.services.whatif_edits import (
    at_least,
    check_served,
    drop_impossible_bookings,
    fail,
    find_environment,
    find_release,
    need_text,
    replace_environment,
    replace_release,
    unpin,
    without_env,
)
from solver import scenario as sc
from solver.errors import ScenarioError
from solver.scenario_file import parse_scenario, scenario_to_dict

# -- the change kinds --------------------------------------------------------------------


@dataclass(frozen=True)
class AddEnvironment:
    """A new environment (``UAT-9`` of type ``UAT``)."""

    kind: ClassVar[str] = "add_environment"
    id: str
    type: str
    capacity: int = 1
    tags: tuple[str, ...] = ()
    changeover_days: int = 0

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        need_text(self, "id", "type")
        at_least(self, "capacity", 1)
        at_least(self, "changeover_days", 0)
        if self.id in scenario.environment_by_id:
            fail(self, "id", f"environment {self.id!r} already exists")
        env = sc.Environment(id=self.id, type=self.type, capacity=self.capacity,
                             tags=frozenset(self.tags), changeover_days=self.changeover_days)
        return replace(scenario, environments=(*scenario.environments, env))

    def describe(self) -> str:
        return f"add environment {self.id} ({self.type}, capacity {self.capacity})"


@dataclass(frozen=True)
class RemoveEnvironment:
    """An environment taken away; its bookings go and phases that named it lose it."""

    kind: ClassVar[str] = "remove_environment"
    id: str

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        find_environment(self, "id", scenario, self.id)
        envs = tuple(e for e in scenario.environments if e.id != self.id)
        releases = tuple(replace(r, phases=tuple(without_env(p, self.id) for p in r.phases))
                         for r in scenario.releases)
        changed = replace(scenario, environments=envs, releases=releases)
        check_served(self, "id", changed)
        return changed

    def describe(self) -> str:
        return f"remove environment {self.id}"


@dataclass(frozen=True)
class ChangeEnvironment:
    """A new type, capacity or tag set for an environment (``None``: unchanged)."""

    kind: ClassVar[str] = "change_environment"
    id: str
    type: str | None = None
    capacity: int | None = None
    tags: tuple[str, ...] | None = None

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        env = find_environment(self, "id", scenario, self.id)
        if self.type is None and self.capacity is None and self.tags is None:
            fail(self, "id", "give a new type, capacity or tags")
        if self.type is not None:
            need_text(self, "type")
        if self.capacity is not None:
            at_least(self, "capacity", 1)
        new = replace(env, type=env.type if self.type is None else self.type,
                      capacity=env.capacity if self.capacity is None else self.capacity,
                      tags=env.tags if self.tags is None else frozenset(self.tags))
        changed = replace_environment(scenario, new)
        check_served(self, "id", changed)
        if new.capacity < env.capacity:
            changed = unpin(changed, lambda b: b.environment == env.id)
        return changed

    def describe(self) -> str:
        parts = [f"{name} {value if not isinstance(value, tuple) else ','.join(value) or '-'}"
                 for name, value in (("type", self.type), ("capacity", self.capacity),
                                     ("tags", self.tags)) if value is not None]
        return f"change environment {self.id}: {', '.join(parts)}"


@dataclass(frozen=True)
class AddMaintenance:
    """A maintenance window ``[start, end)`` on an environment."""

    kind: ClassVar[str] = "add_maintenance"
    environment: str
    start: dt.date
    end: dt.date
    reason: str = "maintenance (what-if)"

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        env = find_environment(self, "environment", scenario, self.environment)
        start, end = scenario.day(self.start), scenario.day(self.end)
        if end <= start:
            fail(self, "end", f"must be after start ({self.start}), got {self.end}")
        if end <= 0 or start >= scenario.horizon_days:
            fail(self, "start", f"the window lies outside the scenario's horizon "
                                 f"[{scenario.start}, {scenario.date(scenario.horizon_days)})")
        window = sc.Window(start, end, self.reason)
        changed = replace_environment(scenario, replace(env, unavailable=(*env.unavailable,
                                                                            window)))
        return unpin(changed, lambda b: b.environment == env.id and window.overlaps(
            b.start, b.start + changed.phase_by_id[b.phase].duration))

    def describe(self) -> str:
        return f"maintenance on {self.environment} from {self.start} to {self.end}"


@dataclass(frozen=True)
class NewPhase:
    """A phase of an added release; phases run in the order given."""

    id: str
    type: str
    duration_days: int
    gap_days: int = 0


@dataclass(frozen=True)
class AddRelease:
    """A release that is not in the stored state, with its phases."""

    kind: ClassVar[str] = "add_release"
    id: str
    phases: tuple[NewPhase, ...]
    name: str = ""
    priority: int = 1
    earliest_start: dt.date | None = None
    due: dt.date | None = None

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        need_text(self, "id")
        at_least(self, "priority", 1)
        if self.id in scenario.release_by_id:
            fail(self, "id", f"release {self.id!r} already exists")
        if not self.phases:
            fail(self, "phases", "a release needs at least one phase")
        phases = tuple(self._phase(scenario, i, p) for i, p in enumerate(self.phases))
        earliest = 0 if self.earliest_start is None else scenario.day(self.earliest_start)
        if earliest >= scenario.horizon_days:
            fail(self, "earliest_start", "must be before the end of the horizon "
                                          f"({scenario.date(scenario.horizon_days)})")
        release = sc.Release(id=self.id, phases=phases, name=self.name, priority=self.priority,
                             earliest_start=max(0, earliest),
                             due=None if self.due is None else scenario.day(self.due))
        return replace(scenario, releases=(*scenario.releases, release))

    def _phase(self, scenario: sc.Scenario, i: int, new: NewPhase) -> sc.Phase:
        where = f"phases[{i}]"
        if not new.id.strip() or new.id in scenario.phase_by_id or new.id in {
                p.id for p in self.phases[:i]}:
            fail(self, f"{where}.id", f"phase id {new.id!r} is empty or already used")
        if new.type not in {e.type for e in scenario.environments}:
            fail(self, f"{where}.type", f"no environment has type {new.type!r}")
        if new.duration_days < 1 or new.gap_days < 0:
            fail(self, f"{where}.duration_days", "duration must be at least 1 day and the "
                                                  "gap not negative")
        return sc.Phase(id=new.id, release=self.id, type=new.type,
                        duration=new.duration_days, gap_days=new.gap_days)

    def describe(self) -> str:
        return f"add release {self.id} ({len(self.phases)} phases)"


@dataclass(frozen=True)
class DelayRelease:
    """Slip a release by ``days`` (negative: advance it): its earliest start, its phases'
    own earliest starts, its due date and its bookings all move by that much."""

    kind: ClassVar[str] = "delay_release"
    release: str
    days: int

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        rel = find_release(self, "release", scenario, self.release)
        if self.days == 0:
            fail(self, "days", "must not be 0")
        earliest = max(0, rel.earliest_start + self.days)
        if earliest >= scenario.horizon_days:
            fail(self, "days", f"moves {rel.id}'s earliest start past the end of the horizon")
        phases = tuple(replace(p, earliest_start=None if p.earliest_start is None else min(
            max(0, p.earliest_start + self.days), scenario.horizon_days - 1))
            for p in rel.phases)
        moved = replace(rel, earliest_start=earliest, phases=phases,
                        due=None if rel.due is None else rel.due + self.days)
        changed = replace_release(scenario, moved)
        own = {p.id for p in rel.phases}
        return replace(changed, bookings=tuple(
            replace(b, start=b.start + self.days, pinned=False) if b.phase in own else b
            for b in changed.bookings))

    def describe(self) -> str:
        verb = "delay" if self.days > 0 else "advance"
        return f"{verb} release {self.release} by {abs(self.days)} days"


@dataclass(frozen=True)
class ReprioritiseRelease:
    kind: ClassVar[str] = "reprioritise_release"
    release: str
    priority: int

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        rel = find_release(self, "release", scenario, self.release)
        at_least(self, "priority", 1)
        return replace_release(scenario, replace(rel, priority=self.priority))

    def describe(self) -> str:
        return f"give release {self.release} priority {self.priority}"


@dataclass(frozen=True)
class DropRelease:
    """A release taken out of the plan, with its bookings."""

    kind: ClassVar[str] = "drop_release"
    release: str

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        find_release(self, "release", scenario, self.release)
        return replace(scenario, releases=tuple(
            r for r in scenario.releases if r.id != self.release))

    def describe(self) -> str:
        return f"drop release {self.release}"


@dataclass(frozen=True)
class ChangePhaseDuration:
    kind: ClassVar[str] = "change_phase_duration"
    phase: str
    duration_days: int

    def apply(self, scenario: sc.Scenario) -> sc.Scenario:
        phase = scenario.phase_by_id.get(self.phase)
        if phase is None:
            fail(self, "phase", f"no phase {self.phase!r} in the scenario")
        at_least(self, "duration_days", 1)
        if self.duration_days > scenario.horizon_days:
            fail(self, "duration_days", f"longer than the horizon ({scenario.horizon_days})")
        rel = scenario.release_by_id[phase.release]
        new = replace(phase, duration=self.duration_days)
        changed = replace_release(scenario, replace(rel, phases=tuple(
            new if p.id == phase.id else p for p in rel.phases)))
        return unpin(changed, lambda b: b.phase == phase.id)

    def describe(self) -> str:
        return f"phase {self.phase} takes {self.duration_days} days"


Change = (AddEnvironment | RemoveEnvironment | ChangeEnvironment | AddMaintenance
          | AddRelease | DelayRelease | ReprioritiseRelease | DropRelease | ChangePhaseDuration)
CHANGE_KINDS: tuple[type[Change], ...] = (
    AddEnvironment, RemoveEnvironment, ChangeEnvironment, AddMaintenance, AddRelease,
    DelayRelease, ReprioritiseRelease, DropRelease, ChangePhaseDuration)


# -- applying a list of changes ----------------------------------------------------------

def apply_change(scenario: sc.Scenario, change: Change) -> sc.Scenario:
    """``scenario`` with ``change`` made, its bookings kept consistent, checked readable."""
    changed = drop_impossible_bookings(change.apply(scenario))
    try:
        parse_scenario(scenario_to_dict(changed))
    except ScenarioError as exc:
        raise InvalidInput(change.kind, f"the changed scenario is not valid: {exc}") from None
    return changed


def apply_changes(scenario: sc.Scenario, changes: Iterable[Change]) -> sc.Scenario:
    """Every change in order; an error names the change's place: ``changes[2].days``."""
    for i, change in enumerate(changes):
        try:
            scenario = apply_change(scenario, change)
        except InvalidInput as exc:
            raise InvalidInput(f"changes[{i}].{exc.field}", exc.problem) from None
    return scenario


