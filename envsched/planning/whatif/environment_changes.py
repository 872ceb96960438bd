"""What-if changes to the environments: add, remove or change one, or close it for a while.

Each is a frozen change whose ``apply`` returns a new Scenario or raises ``InvalidInput``
naming the field; ``whatif_changes`` applies a list of them and keeps the bookings
consistent. A booking the change forces to move (a maintenance window over it, an
environment that shrinks) is kept as the plan in force but no longer pinned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import ClassVar

from envsched.days import day_text, days_text
from envsched.planning.whatif.edits import (
    at_least,
    check_served,
    fail,
    find_environment,
    need_text,
    replace_environment,
    unpin,
    without_env,
)
from solver import scenario as sc


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
        env = sc.Environment(
            id=self.id,
            type=self.type,
            capacity=self.capacity,
            tags=frozenset(self.tags),
            changeover_days=self.changeover_days,
        )
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
        releases = tuple(
            replace(r, phases=tuple(without_env(p, self.id) for p in r.phases))
            for r in scenario.releases
        )
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
        new = replace(
            env,
            type=env.type if self.type is None else self.type,
            capacity=env.capacity if self.capacity is None else self.capacity,
            tags=env.tags if self.tags is None else frozenset(self.tags),
        )
        changed = replace_environment(scenario, new)
        check_served(self, "id", changed)
        if new.capacity < env.capacity:
            changed = unpin(changed, lambda b: b.environment == env.id)
        return changed

    def describe(self) -> str:
        parts = [
            f"{name} {value if not isinstance(value, tuple) else ','.join(value) or '-'}"
            for name, value in (
                ("type", self.type),
                ("capacity", self.capacity),
                ("tags", self.tags),
            )
            if value is not None
        ]
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
            fail(
                self,
                "end",
                f"must be after the first day ({day_text(self.start)}), got {day_text(self.end)}",
            )
        if end <= 0 or start >= scenario.horizon_days:
            fail(
                self,
                "start",
                f"the window lies outside the scenario's days, "
                f"{days_text(scenario.start, scenario.date(scenario.horizon_days))}",
            )
        window = sc.Window(start, end, self.reason)
        changed = replace_environment(
            scenario, replace(env, unavailable=(*env.unavailable, window))
        )
        return unpin(
            changed,
            lambda b: (
                b.environment == env.id
                and window.overlaps(b.start, b.start + changed.phase_by_id[b.phase].duration)
            ),
        )

    def describe(self) -> str:
        return f"maintenance on {self.environment}, {days_text(self.start, self.end)}"
