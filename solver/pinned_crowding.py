"""Pinned bookings that crowd an environment among themselves: over its capacity on some
day, or closer than its changeover days. Each booking of such a group is a clash naming
the others; nothing else goes on the environment on those days (the planners' calendars
and the CP-SAT model treat the pinned days as taken, however full)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from solver.scenario import Booking, Environment, Scenario


class Crowding(NamedTuple):
    """One pinned booking crowding an environment with the pinned ``partners``."""

    booking: Booking
    rule: str  # "capacity" or "changeover"
    partners: list[str]
    message: str


def crowding(scenario: Scenario, kept: Sequence[Booking]) -> list[Crowding]:
    """Capacity and changeover clashes of the kept pinned bookings, environment by
    environment (a booking of a stack on each member); one per booking and rule, naming
    every partner it crowds any environment with."""
    by_env: dict[str, list[Booking]] = defaultdict(list)
    for booking in kept:
        for member in scenario.members[booking.environment]:
            by_env[member].append(booking)
    found: dict[tuple[str, str], Crowding] = {}
    for env_id, bookings in by_env.items():
        env = scenario.environment_by_id[env_id]
        for rule, partners in (
            ("capacity", _over_capacity(scenario, env, bookings)),
            ("changeover", _too_close(scenario, env, bookings)),
        ):
            for b in bookings:
                if not partners.get(b.phase):
                    continue
                earlier = found.get((b.phase, rule))
                names = set(partners[b.phase]) | set(earlier.partners if earlier else ())
                message = earlier.message if earlier else _message(rule, b, env, names)
                found[b.phase, rule] = Crowding(b, rule, sorted(names), message)
    return list(found.values())


def _end(scenario: Scenario, booking: Booking) -> int:
    return booking.start + scenario.phase_by_id[booking.phase].duration


def _over_capacity(
    scenario: Scenario, env: Environment, bookings: Sequence[Booking]
) -> dict[str, set[str]]:
    """Phase -> the other pinned phases it shares a day with while the environment holds
    more than its capacity. A sweep: ends sort before starts on the same day."""
    events = sorted(
        (day, delta, b.phase)
        for b in bookings
        for day, delta in ((b.start, 1), (_end(scenario, b), -1))
    )
    running: dict[str, None] = {}
    partners: dict[str, set[str]] = defaultdict(set)
    for i, (day, delta, phase_id) in enumerate(events):
        if delta > 0:
            running[phase_id] = None
        else:
            running.pop(phase_id, None)
        until = events[i + 1][0] if i + 1 < len(events) else day
        if until > day and len(running) > env.capacity:
            for member in running:
                partners[member].update(p for p in running if p != member)
    return partners


def _too_close(
    scenario: Scenario, env: Environment, bookings: Sequence[Booking]
) -> dict[str, set[str]]:
    """Phase -> the pinned phases of other releases that end fewer than the changeover days
    before it starts, or start so soon after it ends (capacity-1 environments only)."""
    partners: dict[str, set[str]] = defaultdict(set)
    gap = env.changeover_days
    if env.capacity != 1 or gap <= 0:
        return partners
    by_end = sorted(bookings, key=lambda b: _end(scenario, b))
    ends = [_end(scenario, b) for b in by_end]
    release = {b.phase: scenario.phase_by_id[b.phase].release for b in bookings}
    for later in bookings:
        lo, hi = bisect_right(ends, later.start - gap), bisect_right(ends, later.start)
        for earlier in by_end[lo:hi]:
            if release[earlier.phase] != release[later.phase]:
                partners[earlier.phase].add(later.phase)
                partners[later.phase].add(earlier.phase)
    return partners


def _message(rule: str, booking: Booking, env: Environment, partners: set[str]) -> str:
    others = ", ".join(sorted(partners))
    if rule == "capacity":
        return (
            f"pinned {booking.phase} and pinned {others} together hold {env.id} beyond "
            f"its capacity {env.capacity}"
        )
    return (
        f"pinned {booking.phase} and pinned {others} (another release) on {env.id} leave "
        f"fewer than its {env.changeover_days} changeover days between them"
    )
