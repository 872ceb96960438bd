"""The capacity forecast (``forecast``) of a what-if's scenario, baseline or changed.

A scenario read as the forecast's ``Outlook``: its bookings on the days the planner
gives them (start plus the phase's duration; a live booking still where it was, its
phase as long as in the base, on its own days, as the capacity page counts it), its
phases in precedence order, its environments closed by their windows and the freezes of
their type; plus, from the snapshot, the live bookings outside the scenario and the
open requests for no phase. A booking outside the scenario takes its days as demand, as
on the capacity page, so the window the mapping put on its environment (for the
planner) is not counted again as closed. The forecast runs from the week the copy was
taken to the horizon's end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

from envsched.planning.forecast import (
    Held,
    Outlook,
    Step,
    Usable,
    demand,
    monday,
    supply,
    week_days,
)
from envsched.planning.whatif.snapshot import Snapshot
from solver.scenario import Booking, Environment, Scenario, topological_order


def shortfalls(
    scenario: Scenario, snapshot: Snapshot, base: Scenario | None = None
) -> dict[str, dict[str, Any]]:
    """Type -> {"days_short", "weeks": [Monday ISO dates]} for the types that fall short;
    ``base`` is the scenario the copy was taken as (default: ``scenario`` itself)."""
    first = monday(snapshot.taken_at.date())
    weeks = max(1, math.ceil((scenario.date(scenario.horizon_days) - first).days / 7))
    days = week_days(first, weeks)
    outlook = scenario_outlook(scenario, snapshot, base)
    wanted, given = demand(outlook, days), supply(outlook, days)
    short: dict[str, dict[str, Any]] = {}
    for (env_type, week), days_wanted in sorted(wanted.items()):
        missing = days_wanted - given[env_type, week]
        if missing > 0:
            entry = short.setdefault(env_type, {"days_short": 0, "weeks": []})
            entry["days_short"] += missing
            entry["weeks"].append(week.isoformat())
    return short


def scenario_outlook(
    scenario: Scenario, snapshot: Snapshot, base: Scenario | None = None
) -> Outlook:
    live = {h.phase: h for h in snapshot.booked}
    held = tuple(_held(scenario, base or scenario, b, live.get(b.phase)) for b in scenario.bookings)
    steps = tuple(_step(scenario, key) for key in topological_order(scenario))
    usable = tuple(_usable(scenario, env, snapshot.outside) for env in scenario.environments)
    return Outlook(usable, held + snapshot.outside, steps, snapshot.asked)


def _held(scenario: Scenario, base: Scenario, booking: Booking, live: Held | None) -> Held:
    phase = scenario.phase_by_id[booking.phase]
    start = scenario.date(booking.start)
    end = scenario.date(booking.start + phase.duration)
    was = base.phase_by_id.get(booking.phase)
    if (
        live is not None
        and (live.environment, live.start) == (booking.environment, start)
        and was is not None
        and was.duration == phase.duration
    ):
        end = live.end
    env = scenario.environment_by_id.get(booking.environment)
    return Held(
        env.type if env else phase.type,  # a stack: the phase's own type is its demand
        start,
        end,
        booking.phase,
        booking.environment,
    )


def _step(scenario: Scenario, phase_id: str) -> Step:
    phase = scenario.phase_by_id[phase_id]
    return Step(
        phase_id,
        phase.type,
        phase.duration,
        scenario.date(scenario.release_start(phase)),
        scenario.predecessors[phase_id],
    )


def _usable(scenario: Scenario, env: Environment, outside: tuple[Held, ...]) -> Usable:
    """``env`` closed by its windows, less one per outside booking on it (the mapping's
    window for that booking); a window over the whole horizon (a status) closes it for
    good, before the scenario's start too."""
    taken = Counter(
        (scenario.day(h.start), scenario.day(h.end)) for h in outside if h.environment == env.id
    )
    closed = []
    for window in scenario.blocked[env.id]:
        if taken[window.start, window.end] > 0:
            taken[window.start, window.end] -= 1
        elif window.start <= 0 and window.end >= scenario.horizon_days:
            closed.append((dt.date.min, dt.date.max))
        else:
            closed.append((scenario.date(window.start), scenario.date(window.end)))
    return Usable(env.type, env.capacity, tuple(closed))
