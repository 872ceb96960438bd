"""What-if changes to the releases: add, delay, reprioritise or drop one, or resize a phase.

Each is a frozen change whose ``apply`` returns a new Scenario or raises ``InvalidInput``
naming the field; ``whatif_changes`` applies a list of them and keeps the bookings
consistent. A booking the change forces to move (a release that slips, a phase that
grows) is kept as the plan in force but no longer pinned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import ClassVar

from envsched.days import day_text, last_day
from envsched.planning.whatif.edits import (
    at_least,
    fail,
    find_release,
    need_text,
    replace_release,
    unpin,
)
from solver import scenario as sc


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
            fail(
                self,
                "earliest_start",
                "must be on or before the scenario's last day, "
                f"{day_text(last_day(scenario.date(scenario.horizon_days)))}",
            )
        release = sc.Release(
            id=self.id,
            phases=phases,
            name=self.name,
            priority=self.priority,
            earliest_start=max(0, earliest),
            due=None if self.due is None else scenario.day(self.due),
        )
        return replace(scenario, releases=(*scenario.releases, release))

    def _phase(self, scenario: sc.Scenario, i: int, new: NewPhase) -> sc.Phase:
        where = f"phases[{i}]"
        if (
            not new.id.strip()
            or new.id in scenario.phase_by_id
            or new.id in {p.id for p in self.phases[:i]}
        ):
            fail(self, f"{where}.id", f"phase id {new.id!r} is empty or already used")
        if new.type not in {e.type for e in scenario.environments}:
            fail(self, f"{where}.type", f"no environment has type {new.type!r}")
        if new.duration_days < 1 or new.gap_days < 0:
            fail(
                self,
                f"{where}.duration_days",
                "duration must be at least 1 day and the gap not negative",
            )
        return sc.Phase(
            id=new.id,
            release=self.id,
            type=new.type,
            duration=new.duration_days,
            gap_days=new.gap_days,
        )

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
        phases = tuple(
            replace(
                p,
                earliest_start=None
                if p.earliest_start is None
                else min(max(0, p.earliest_start + self.days), scenario.horizon_days - 1),
            )
            for p in rel.phases
        )
        moved = replace(
            rel,
            earliest_start=earliest,
            phases=phases,
            due=None if rel.due is None else rel.due + self.days,
        )
        changed = replace_release(scenario, moved)
        own = {p.id for p in rel.phases}
        return replace(
            changed,
            bookings=tuple(
                replace(b, start=b.start + self.days, pinned=False) if b.phase in own else b
                for b in changed.bookings
            ),
        )

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
        return replace(
            scenario, releases=tuple(r for r in scenario.releases if r.id != self.release)
        )

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
        changed = replace_release(
            scenario, replace(rel, phases=tuple(new if p.id == phase.id else p for p in rel.phases))
        )
        return unpin(changed, lambda b: b.phase == phase.id)

    def describe(self) -> str:
        return f"phase {self.phase} takes {self.duration_days} days"
