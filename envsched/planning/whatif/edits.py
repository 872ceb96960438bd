"""Small edits of a frozen solver Scenario that the what-if changes are made of.

Every lookup that fails raises ``InvalidInput`` named ``<kind>.<field>`` of the change
asking, so the message says which input was wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, NoReturn

from envsched.errors import InvalidInput
from solver import scenario as sc


def fail(change: Any, field: str, problem: str) -> NoReturn:
    raise InvalidInput(f"{change.kind}.{field}", problem)


def need_text(change: Any, *names: str) -> None:
    for name in names:
        value = getattr(change, name)
        if not value.strip() or any(c.isspace() for c in value):
            fail(change, name, f"must be a non-empty name without spaces, got {value!r}")


def at_least(change: Any, name: str, minimum: int) -> None:
    if getattr(change, name) < minimum:
        fail(change, name, f"must be at least {minimum}, got {getattr(change, name)}")


def find_environment(change: Any, field: str, scenario: sc.Scenario, ident: str) -> sc.Environment:
    env = scenario.environment_by_id.get(ident)
    if env is None:
        fail(change, field, f"no environment {ident!r} in the scenario")
    return env


def find_release(change: Any, field: str, scenario: sc.Scenario, ident: str) -> sc.Release:
    rel = scenario.release_by_id.get(ident)
    if rel is None:
        fail(change, field, f"no release {ident!r} in the scenario")
    return rel


def replace_environment(scenario: sc.Scenario, env: sc.Environment) -> sc.Scenario:
    return replace(
        scenario, environments=tuple(env if e.id == env.id else e for e in scenario.environments)
    )


def replace_release(scenario: sc.Scenario, release: sc.Release) -> sc.Scenario:
    return replace(
        scenario, releases=tuple(release if r.id == release.id else r for r in scenario.releases)
    )


def without_env(phase: sc.Phase, env_id: str) -> sc.Phase:
    if phase.environments is None or env_id not in phase.environments:
        return phase
    return replace(phase, environments=tuple(e for e in phase.environments if e != env_id))


def check_served(change: Any, field: str, scenario: sc.Scenario) -> None:
    """Every phase's type and required tags still exist on some environment."""
    types = {e.type for e in scenario.environments}
    tags = {t for e in scenario.environments for t in e.tags}
    for phase in scenario.phases:
        if phase.type not in types:
            fail(
                change,
                field,
                f"phase {phase.id} needs type {phase.type}, which no environment would have",
            )
        if missing := sorted(phase.requires_tags - tags):
            fail(
                change,
                field,
                f"phase {phase.id} needs tag {missing[0]}, which no environment would carry",
            )


def unpin(scenario: sc.Scenario, which: Callable[[sc.Booking], bool]) -> sc.Scenario:
    return replace(
        scenario,
        bookings=tuple(replace(b, pinned=False) if which(b) else b for b in scenario.bookings),
    )


def drop_impossible_bookings(scenario: sc.Scenario) -> sc.Scenario:
    """Bookings whose phase or environment is gone, no longer eligible, or off the horizon."""

    def possible(b: sc.Booking) -> bool:
        phase = scenario.phase_by_id.get(b.phase)
        return (
            phase is not None
            and b.environment in scenario.eligible[phase.id]  # an environment or a stack
            and b.start >= 0
            and b.start + phase.duration <= scenario.horizon_days
        )

    return replace(scenario, bookings=tuple(b for b in scenario.bookings if possible(b)))
