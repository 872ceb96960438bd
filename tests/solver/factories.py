"""Small scenario builders with defaults, so each test states only what it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from solver.scenario import Booking, Environment, Freeze, Phase, Release, Scenario, Window

START = dt.date(2027, 1, 4)


def make_environment(id: str = "SIT-1", type: str = "SIT", **overrides: Any) -> Environment:
    if "tags" in overrides:
        overrides["tags"] = frozenset(overrides["tags"])
    if "unavailable" in overrides:
        overrides["unavailable"] = tuple(Window(*w) for w in overrides["unavailable"])
    return Environment(id=id, type=type, **overrides)


def make_phase(
    id: str, release: str = "R1", type: str = "SIT", duration: int = 5, **overrides: Any
) -> Phase:
    if "requires_tags" in overrides:
        overrides["requires_tags"] = frozenset(overrides["requires_tags"])
    for key in ("after", "environments"):
        if overrides.get(key) is not None:
            overrides[key] = tuple(overrides[key])
    return Phase(id=id, release=release, type=type, duration=duration, **overrides)


def make_release(
    id: str = "R1", phases: list[tuple[str, int]] | None = None, **overrides: Any
) -> Release:
    """``phases`` as (type, duration) pairs, named ``{id}-{type}``, in order."""
    pairs = phases if phases is not None else [("SIT", 5)]
    built = tuple(make_phase(f"{id}-{t}", id, t, d) for t, d in pairs)
    return Release(id=id, phases=overrides.pop("phase_objects", built), **overrides)


def make_freeze(start: int, end: int, types: tuple[str, ...] = (), reason: str = "") -> Freeze:
    return Freeze(start=start, end=end, reason=reason, types=frozenset(types))


def make_scenario(
    environments: list[Environment] | None = None,
    releases: list[Release] | None = None,
    **overrides: Any,
) -> Scenario:
    overrides.setdefault("name", "test")
    overrides.setdefault("start", START)
    overrides.setdefault("horizon_days", 60)
    for key in ("freezes", "bookings"):
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    return Scenario(
        environments=tuple(environments if environments is not None else [make_environment()]),
        releases=tuple(releases if releases is not None else [make_release()]),
        **overrides,
    )


def make_booking(phase: str, environment: str, start: int, pinned: bool = False) -> Booking:
    return Booking(phase=phase, environment=environment, start=start, pinned=pinned)
