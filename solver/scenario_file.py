"""The scenario file, ``envsched-scenario/1``: JSON with ISO dates, read into a Scenario.

This is the one place where dates become integer days from the scenario's start. Every
bad input raises ScenarioError naming the file, the JSON path and what is wrong, for the
first problem found (typed reading itself is ``solver.json_reader``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from solver.json_reader import Reader, listing, quote, read_format, read_json, write_json
from solver.scenario import (
    MAX_HORIZON_DAYS,
    MAX_PRIORITY,
    OBJECTIVES,
    Booking,
    Environment,
    Freeze,
    Phase,
    Release,
    Scenario,
    Stack,
    Window,
    is_eligible,
)

FORMAT = "envsched-scenario/1"

_TOP_KEYS = (
    "format",
    "name",
    "start",
    "horizon_days",
    "objective",
    "environments",
    "freezes",
    "releases",
    "bookings",
    "stacks",
)
_STACK_KEYS = ("id", "members")
_ENVIRONMENT_KEYS = ("id", "type", "capacity", "tags", "changeover_days", "unavailable")
_WINDOW_KEYS = ("start", "end", "reason")
_FREEZE_KEYS = ("start", "end", "types", "reason")
_RELEASE_KEYS = ("id", "name", "priority", "earliest_start", "due", "phases")
_PHASE_KEYS = (
    "id",
    "type",
    "duration_days",
    "gap_days",
    "after",
    "requires_tags",
    "environments",
    "earliest_start",
    "stacks",
)
_BOOKING_KEYS = ("phase", "environment", "start", "pinned")
# Days from these dates are counted forward (a horizon, a booking's duration and
# changeover, each at most MAX_HORIZON_DAYS): far from the calendar's ends, that stays a date.
FIRST_START, LAST_START = dt.date(1000, 1, 1), dt.date(9000, 12, 31)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; its name defaults to the file's stem."""
    return parse_scenario(read_json(path), source=str(path), name=Path(path).stem)


def parse_scenario(data: object, source: str = "", name: str | None = None) -> Scenario:
    """A Scenario from decoded JSON; ``name`` is used when the data has none."""
    top = Reader(data, "", source)
    read_format(top, FORMAT)
    top.check_keys(_TOP_KEYS)
    default_name = name or Path(source).stem or "scenario"
    return _ScenarioParser(top, top.text("name", default=default_name)).scenario()


class _ScenarioParser:
    """Reads the sections in order, indexing ids so later sections can refer to them."""

    def __init__(self, top: Reader, name: str) -> None:
        self.top, self.name = top, name
        self.start = top.date_between("start", FIRST_START, LAST_START)
        self.horizon = _days(top, "horizon_days", minimum=1)
        self.objective = top.text("objective", default="tardiness")
        if self.objective not in OBJECTIVES:
            top.fail(
                "objective", f"must be one of {', '.join(OBJECTIVES)}, got {quote(self.objective)}"
            )
        self.environments: dict[str, Environment] = {}
        self.stacks: dict[str, Stack] = {}
        self.phases: dict[str, Phase] = {}
        self.phase_readers: dict[str, list[Reader]] = {}  # release id -> its phases' readers
        self.seen: dict[str, str] = {}  # "kind id" -> path where that id was first given

    def scenario(self) -> Scenario:
        environments = tuple(
            self.environment(r) for r in self.top.objects("environments", _ENVIRONMENT_KEYS)
        )
        stacks = tuple(self.stack(r) for r in self.top.optional_objects("stacks", _STACK_KEYS))
        freezes = tuple(self.freeze(r) for r in self.top.optional_objects("freezes", _FREEZE_KEYS))
        releases = tuple(self.release(r) for r in self.top.objects("releases", _RELEASE_KEYS))
        for release in releases:  # once all are read, so "after" can name any phase
            _check_order(self.phase_readers[release.id], release.phases, self.phases)
        bookings: dict[str, Booking] = {}
        for reader in self.top.optional_objects("bookings", _BOOKING_KEYS):
            booking = self.booking(reader, bookings)
            bookings[booking.phase] = booking
        return Scenario(
            name=self.name,
            start=self.start,
            horizon_days=self.horizon,
            environments=environments,
            releases=releases,
            freezes=freezes,
            bookings=tuple(bookings.values()),
            objective=self.objective,
            stacks=stacks,
        )

    def day(self, r: Reader, key: str) -> int:
        return (r.date(key) - self.start).days

    def unique_id(self, r: Reader, kind: str) -> str:
        """Ids are unique per kind; phase ids across the whole scenario."""
        ident = r.text("id", nonempty=True)
        first = self.seen.setdefault(f"{kind} {ident}", r.at("id"))
        if first != r.at("id"):
            r.fail("id", f"duplicate {kind} id {quote(ident)} (first at {first})")
        return ident

    def before_horizon_end(self, r: Reader, key: str) -> int:
        day = self.day(r, key)
        if day >= self.horizon:
            end = self.start + dt.timedelta(days=self.horizon)
            r.fail(key, f"must be before the end of the horizon ({end}), got {r.data[key]}")
        return day

    # -- sections ---------------------------------------------------------------------

    def environment(self, r: Reader) -> Environment:
        env = Environment(
            id=self.unique_id(r, "environment"),
            type=r.text("type", nonempty=True),
            capacity=r.integer("capacity", minimum=1, default=1),
            tags=frozenset(r.texts("tags")),
            changeover_days=_days(r, "changeover_days", minimum=0, default=0),
            unavailable=tuple(
                Window(*self.window(w)) for w in r.optional_objects("unavailable", _WINDOW_KEYS)
            ),
        )
        self.environments[env.id] = env
        return env

    def stack(self, r: Reader) -> Stack:
        """Members are known environments, at least one, each once; a stack's id is no
        environment's (a placement names either)."""
        ident = self.unique_id(r, "stack")
        if ident in self.environments:
            r.fail("id", f"stack id {quote(ident)} is also an environment's id")
        members = r.texts("members")
        if not members:
            r.fail("members", "a stack needs at least one member environment")
        for i, member in enumerate(members):
            if member not in self.environments:
                r.fail(f"members[{i}]", f"unknown environment {quote(member)}")
            if member in members[:i]:
                r.fail(f"members[{i}]", f"environment {quote(member)} is listed twice")
        stack = Stack(id=ident, members=tuple(members))
        self.stacks[ident] = stack
        return stack

    def window(self, r: Reader) -> tuple[int, int, str]:
        start, end = self.day(r, "start"), self.day(r, "end")
        if end <= start:
            r.fail("end", f"must be after start ({r.data['start']}), got {r.data['end']}")
        return start, end, r.text("reason", default="")

    def freeze(self, r: Reader) -> Freeze:
        start, end, reason = self.window(r)
        return Freeze(start=start, end=end, reason=reason, types=frozenset(r.texts("types")))

    def release(self, r: Reader) -> Release:
        ident = self.unique_id(r, "release")
        name = r.text("name", default="")
        priority = r.integer("priority", minimum=1, default=1, maximum=MAX_PRIORITY)
        earliest = self.before_horizon_end(r, "earliest_start") if r.has("earliest_start") else 0
        due = self.day(r, "due") if r.has("due") else None
        self.phase_readers[ident] = r.objects("phases", _PHASE_KEYS)
        phases = tuple(self.phase(p, ident) for p in self.phase_readers[ident])
        return Release(
            id=ident, phases=phases, name=name, priority=priority, earliest_start=earliest, due=due
        )

    def phase(self, r: Reader, release: str) -> Phase:
        phase = Phase(
            id=self.unique_id(r, "phase"),
            release=release,
            type=self.phase_type(r),
            duration=_days(r, "duration_days", minimum=1),
            gap_days=_days(r, "gap_days", minimum=0, default=0),
            after=tuple(r.texts("after")) if r.has("after") else None,
            requires_tags=frozenset(self.required_tags(r)),
            environments=tuple(self.named_environments(r)) if r.has("environments") else None,
            earliest_start=(
                self.before_horizon_end(r, "earliest_start") if r.has("earliest_start") else None
            ),
            stacks=tuple(self.named_stacks(r)) if r.has("stacks") else None,
        )
        self.phases[phase.id] = phase
        return phase

    def phase_type(self, r: Reader) -> str:
        kind = r.text("type", nonempty=True)
        types = {env.type for env in self.environments.values()}
        if kind not in types:
            r.fail("type", f"no environment has type {quote(kind)} (types: {listing(types)})")
        return kind

    def required_tags(self, r: Reader) -> list[str]:
        tags = {tag for env in self.environments.values() for tag in env.tags}
        for i, tag in enumerate(wanted := r.texts("requires_tags")):
            if tag not in tags:
                r.fail(
                    f"requires_tags[{i}]",
                    f"no environment has tag {quote(tag)} (tags: {listing(tags)})",
                )
        return wanted

    def named_environments(self, r: Reader) -> list[str]:
        for i, ident in enumerate(names := r.texts("environments")):
            if ident not in self.environments:
                r.fail(f"environments[{i}]", f"unknown environment {quote(ident)}")
        return names

    def named_stacks(self, r: Reader) -> list[str]:
        """A stack phase names its stacks; each holds an environment the phase may use."""
        if r.has("environments"):
            r.fail("stacks", "a phase names either its environments or its stacks, not both")
        names = r.texts("stacks")
        if not names:
            r.fail("stacks", "a stack phase names at least one stack")
        for i, ident in enumerate(names):
            if ident not in self.stacks:
                r.fail(f"stacks[{i}]", f"unknown stack {quote(ident)}")
        return names

    def booking(self, r: Reader, earlier: dict[str, Booking]) -> Booking:
        """A booking of a known phase on a known environment, once per phase. A pinned one
        is kept even where it breaks a rule (it is then a clash of the plan); one that is
        not pinned must be eligible and inside the horizon."""
        phase_id, env_id = r.text("phase"), r.text("environment")
        phase = self.phases.get(phase_id)
        if phase is None:
            r.fail("phase", f"unknown phase {quote(phase_id)}")
        if phase_id in earlier:
            r.fail("phase", f"phase {quote(phase_id)} is booked twice")
        if env_id not in self.environments and env_id not in self.stacks:
            r.fail("environment", f"unknown environment {quote(env_id)}")
        start = (r.date_between("start", FIRST_START, LAST_START) - self.start).days
        pinned = r.boolean("pinned", default=False)
        if not pinned:
            self.check_movable(r, phase, env_id, start)
        return Booking(phase=phase_id, environment=env_id, start=start, pinned=pinned)

    def eligible(self, phase: Phase) -> list[str]:
        """Where the phase may be placed: environments, or for a stack phase stacks."""
        if phase.stacks is None:
            return [e.id for e in self.environments.values() if is_eligible(phase, e)]
        return [
            ident
            for ident in phase.stacks
            if any(is_eligible(phase, self.environments[m]) for m in self.stacks[ident].members)
        ]

    def check_movable(self, r: Reader, phase: Phase, env_id: str, start: int) -> None:
        eligible = self.eligible(phase)
        if env_id not in eligible:
            kind = "environment" if phase.stacks is None else "stack"
            r.fail(
                "environment",
                f"{kind} {quote(env_id)} is not eligible for phase "
                f"{quote(phase.id)} (eligible: {listing(eligible)})",
            )
        if start < 0 or start + phase.duration > self.horizon:
            end = self.start + dt.timedelta(days=self.horizon)
            r.fail(
                "start",
                f"the booking's {phase.duration} days from {r.data['start']} do not "
                f"fit the horizon [{self.start}, {end})",
            )


def _days(r: Reader, key: str, minimum: int, default: int | None = None) -> int:
    """A number of days: none is longer than the longest horizon (which keeps the
    planner's per-day tables, and the dates it computes, within bounds)."""
    return r.integer(key, minimum=minimum, default=default, maximum=MAX_HORIZON_DAYS)


def _check_order(readers: list[Reader], phases: tuple[Phase, ...], known: dict[str, Phase]) -> None:
    """``after`` names phases of the same release, and no phases wait for each other."""
    own = {ph.id for ph in phases}
    for reader, phase in zip(readers, phases, strict=True):
        for i, name in enumerate(phase.after or ()):
            if name not in known:
                reader.fail(f"after[{i}]", f"unknown phase {quote(name)}")
            if name not in own:
                reader.fail(
                    f"after[{i}]",
                    f"phase {quote(name)} belongs to release "
                    f"{quote(known[name].release)}; phases never wait "
                    "across releases",
                )
    waits = _waits_for(phases)
    for reader, phase in zip(readers, phases, strict=True):
        cycle = _cycle_from(phase.id, waits)
        if cycle and phase.after is not None:
            reader.fail(
                "after", "phases wait for each other in a cycle: " + " waits for ".join(cycle)
            )


def _waits_for(phases: tuple[Phase, ...]) -> dict[str, tuple[str, ...]]:
    """Phase id -> the phases it waits for: ``after``, or else the phase listed before it."""
    previous = [None, *(ph.id for ph in phases)]
    return {
        ph.id: ph.after if ph.after is not None else (() if prev is None else (prev,))
        for ph, prev in zip(phases, previous, strict=False)
    }


def _cycle_from(start: str, waits: dict[str, tuple[str, ...]]) -> list[str]:
    """A path start -> ... -> start along "waits for", or [] when start is on no cycle."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        for pred in waits.get(node, ()):
            if pred == start:
                return [*path, start]
            if pred not in visited:
                visited.add(pred)
                stack.append((pred, [*path, pred]))
    return []


# -- writing a scenario ----------------------------------------------------------------


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    write_json(scenario_to_dict(scenario), path)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The file's JSON; optional keys at their default are left out, ``after`` kept when set."""

    def iso(day: int) -> str:
        return scenario.date(day).isoformat()

    return {
        "format": FORMAT,
        "name": scenario.name,
        "start": scenario.start.isoformat(),
        "horizon_days": scenario.horizon_days,
        "objective": scenario.objective,
        "environments": [_environment_dict(env, iso) for env in scenario.environments],
        **(
            {"stacks": [{"id": s.id, "members": list(s.members)} for s in scenario.stacks]}
            if scenario.stacks
            else {}
        ),
        "freezes": [_freeze_dict(f, iso) for f in scenario.freezes],
        "releases": [_release_dict(rel, iso) for rel in scenario.releases],
        "bookings": [
            {
                "phase": b.phase,
                "environment": b.environment,
                "start": iso(b.start),
                "pinned": b.pinned,
            }
            for b in scenario.bookings
        ],
    }


def _compact(data: dict[str, Any], **defaults: object) -> dict[str, Any]:
    """Drops None values and values equal to their default."""
    return {
        key: value
        for key, value in data.items()
        if value is not None and (key not in defaults or value != defaults[key])
    }


def _window_dict(window: Window, iso: Callable[[int], str]) -> dict[str, Any]:
    return _compact(
        {"start": iso(window.start), "end": iso(window.end), "reason": window.reason}, reason=""
    )


def _freeze_dict(freeze: Freeze, iso: Callable[[int], str]) -> dict[str, Any]:
    return _compact(
        {
            "start": iso(freeze.start),
            "end": iso(freeze.end),
            "types": sorted(freeze.types),
            "reason": freeze.reason,
        },
        types=[],
        reason="",
    )


def _environment_dict(env: Environment, iso: Callable[[int], str]) -> dict[str, Any]:
    return _compact(
        {
            "id": env.id,
            "type": env.type,
            "capacity": env.capacity,
            "tags": sorted(env.tags),
            "changeover_days": env.changeover_days,
            "unavailable": [_window_dict(w, iso) for w in env.unavailable],
        },
        capacity=1,
        tags=[],
        changeover_days=0,
        unavailable=[],
    )


def _release_dict(rel: Release, iso: Callable[[int], str]) -> dict[str, Any]:
    return _compact(
        {
            "id": rel.id,
            "name": rel.name,
            "priority": rel.priority,
            "earliest_start": iso(rel.earliest_start),
            "due": None if rel.due is None else iso(rel.due),
            "phases": [_phase_dict(ph, iso) for ph in rel.phases],
        },
        name="",
        priority=1,
        earliest_start=iso(0),
    )


def _phase_dict(phase: Phase, iso: Callable[[int], str]) -> dict[str, Any]:
    return _compact(
        {
            "id": phase.id,
            "type": phase.type,
            "duration_days": phase.duration,
            "gap_days": phase.gap_days,
            "after": None if phase.after is None else list(phase.after),
            "requires_tags": sorted(phase.requires_tags),
            "environments": None if phase.environments is None else list(phase.environments),
            "earliest_start": None if phase.earliest_start is None else iso(phase.earliest_start),
            "stacks": None if phase.stacks is None else list(phase.stacks),
        },
        gap_days=0,
        requires_tags=[],
    )
