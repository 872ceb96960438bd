"""Who occupies which environment on which day, and where a phase still fits.

The greedy planner asks ``earliest_fit`` for every (phase, eligible environment) pair,
so the answer must not step day by day. Each environment keeps one ``closed`` byte per
day (blocked by a window or freeze, or full to capacity): ``bytearray.rfind`` then finds
the last closed day inside a candidate interval in C, and the search jumps past it.
Changeover on capacity-1 environments depends on the neighbour's release, so it is
checked against the few neighbouring intervals found by bisection.

A stack (environments booked together) is one more place a phase may go: placed on it,
the phase occupies every member's track, and it fits only where every member is free.
Every question and change below takes an environment or a stack id alike.

The module also holds the day window a phase may use by precedence alone (ready day,
latest start before pinned successors), which the planner and the explanations share.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter
from typing import NamedTuple

from solver.scenario import Environment, Phase, Scenario, topological_order


class Occupancy(NamedTuple):
    """One phase on one environment; sorts by start, as the interval lists need."""

    start: int
    end: int
    release: str
    phase: str


class _Track:
    """The occupancy of one environment."""

    __slots__ = ("blocked", "capacity", "changeover", "closed", "intervals", "load", "longest")

    def __init__(self, env: Environment, blocked: bytearray) -> None:
        self.capacity = env.capacity
        # changeover only separates phases on capacity-1 environments
        self.changeover = env.changeover_days if env.capacity == 1 else 0
        self.blocked = blocked
        self.closed = bytearray(blocked)
        self.load = [0] * len(blocked)
        self.intervals: list[Occupancy] = []
        self.longest = 0


class EnvironmentCalendar:
    """The occupancy of every environment of a scenario within ``[0, horizon_days)``.

    Mutable on purpose: the planners place and remove phases thousands of times.
    Use ``copy()`` to branch.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.horizon = scenario.horizon_days
        self._tracks = {
            env.id: _Track(env, self._blocked_days(scenario, env.id))
            for env in scenario.environments
        }
        self._members = scenario.members
        self._placed: dict[str, tuple[str, Occupancy]] = {}

    @classmethod
    def holding(
        cls, scenario: Scenario, placement: Mapping[str, tuple[str, int]]
    ) -> EnvironmentCalendar:
        """A calendar with every phase of ``placement`` (phase -> environment, start) on it."""
        calendar = cls(scenario)
        for phase_id, (env_id, start) in placement.items():
            phase = scenario.phase_by_id[phase_id]
            calendar.occupy(env_id, start, start + phase.duration, phase.release, phase_id)
        return calendar

    def _blocked_days(self, scenario: Scenario, env_id: str) -> bytearray:
        days = bytearray(self.horizon)
        for window in scenario.blocked[env_id]:
            lo, hi = max(window.start, 0), min(window.end, self.horizon)
            if lo < hi:
                days[lo:hi] = b"\x01" * (hi - lo)
        return days

    def copy(self) -> EnvironmentCalendar:
        twin = object.__new__(EnvironmentCalendar)
        twin.horizon = self.horizon
        twin._tracks = {}
        for env_id, track in self._tracks.items():
            clone = object.__new__(_Track)
            clone.capacity, clone.changeover = track.capacity, track.changeover
            clone.blocked, clone.closed = track.blocked, bytearray(track.closed)
            clone.load, clone.intervals = list(track.load), list(track.intervals)
            clone.longest = track.longest
            twin._tracks[env_id] = clone
        twin._members = self._members
        twin._placed = dict(self._placed)
        return twin

    # -- questions -----------------------------------------------------------------

    def fits(self, env_id: str, start: int, end: int, release: str) -> bool:
        """True when ``[start, end)`` is inside the horizon, free and clear of changeover
        (on every member, for a stack)."""
        if start < 0 or end > self.horizon:
            return False
        for member in self._members[env_id]:
            track = self._tracks[member]
            if track.closed.find(1, start, end) >= 0:
                return False
            if track.changeover and _changeover_push(track, start, end, release) is not None:
                return False
        return True

    def earliest_fit(
        self, env_id: str, earliest: int, duration: int, release: str, latest: int | None = None
    ) -> int | None:
        """First start >= ``earliest`` (and <= ``latest``) where ``duration`` days fit."""
        members = self._members[env_id]
        if len(members) > 1:
            return self._earliest_fit_together(members, earliest, duration, release, latest)
        return self._earliest_fit_on(members[0], earliest, duration, release, latest)

    def earliest_among(
        self,
        env_ids: Iterable[str],
        earliest: int,
        duration: int,
        release: str,
        latest: int | None = None,
    ) -> tuple[str, int] | None:
        """The environment (listed first on ties) where ``duration`` days fit first, and
        that start: ``earliest_fit`` on each, every search bounded by the best so far.

        Every dispatch asks this once per phase over some twenty environments, so the
        plain environments' search runs here without a call per environment."""
        best: tuple[str, int] | None = None
        first = earliest if earliest > 0 else 0
        run = _open_run(duration)
        last = self.horizon - duration
        if latest is not None and latest < last:
            last = latest
        tracks, members_of = self._tracks, self._members
        for env_id in env_ids:
            members = members_of[env_id]
            if len(members) > 1:
                start = self._earliest_fit_together(members, first, duration, release, last)
            else:
                track = tracks[members[0]]
                # the common case inline (no changeover): one search in C, no call
                found = track.closed.find(run, first, last + duration)
                if found < 0 or not track.changeover:
                    start = found if found >= 0 else None
                else:
                    start = _first_open(track, found, last, duration, release)
            if start is not None:
                best, last = (env_id, start), start - 1
                if start == first:
                    break
        return best

    def _earliest_fit_together(
        self,
        members: tuple[str, ...],
        earliest: int,
        duration: int,
        release: str,
        latest: int | None,
    ) -> int | None:
        """The first start every member fits: each member's earliest fit from the latest
        found so far, until they agree."""
        start: int | None = earliest
        while start is not None:
            fits = [self._earliest_fit_on(m, start, duration, release, latest) for m in members]
            if None in fits:
                return None
            later = max(fit for fit in fits if fit is not None)
            if later == start:
                return start
            start = later
        return None

    def _earliest_fit_on(
        self, env_id: str, earliest: int, duration: int, release: str, latest: int | None
    ) -> int | None:
        last = self.horizon - duration
        if latest is not None and latest < last:
            last = latest
        return _first_open(self._tracks[env_id], max(earliest, 0), last, duration, release)

    def occupants(self, env_id: str, day: int) -> list[Occupancy]:
        return self.occupants_between(env_id, day, day + 1)

    def occupants_between(self, env_id: str, start: int, end: int) -> list[Occupancy]:
        """Phases on the environment (any member of a stack) overlapping ``[start, end)``,
        by start."""
        members = self._members[env_id]
        if len(members) == 1:  # an environment: one track, already by start
            return self._occupants_on(members[0], start, end)
        found = {occ for member in members for occ in self._occupants_on(member, start, end)}
        return sorted(found)

    def releases_between(self, env_ids: Iterable[str], start: int, end: int) -> set[str]:
        """The releases with a phase on any of the environments (or stacks' members)
        overlapping ``[start, end)``: ruin and recreate's neighbours, asked every step."""
        tracks = {member for env_id in env_ids for member in self._members[env_id]}
        found: set[str] = set()
        for member in tracks:
            track = self._tracks[member]
            intervals = track.intervals
            lo = bisect_left(intervals, (start - track.longest,))
            mid = bisect_left(intervals, (start,), lo)
            hi = bisect_left(intervals, (end,), mid)
            # those starting before ``start`` may end before it; the rest all overlap
            found.update([occ.release for occ in intervals[lo:mid] if occ.end > start])
            found.update(map(_release_of, intervals[mid:hi]))
        return found

    def _occupants_on(self, env_id: str, start: int, end: int) -> list[Occupancy]:
        track = self._tracks[env_id]
        lo = bisect_left(track.intervals, (start - track.longest,))
        hi = bisect_left(track.intervals, (end,))
        return [occ for occ in track.intervals[lo:hi] if occ.end > start]

    def placement(self, phase_id: str) -> tuple[str, Occupancy] | None:
        """(environment id, occupancy) of a placed phase, or None."""
        return self._placed.get(phase_id)

    def placements(self) -> Iterator[tuple[str, str, Occupancy]]:
        """(phase id, environment id, occupancy) of every placed phase."""
        for phase_id, (env_id, occ) in self._placed.items():
            yield phase_id, env_id, occ

    def load(self, env_id: str, day: int) -> int:
        """Phases on the environment that day (on its busiest member, for a stack)."""
        return max(self._tracks[member].load[day] for member in self._members[env_id])

    # -- changes -------------------------------------------------------------------

    def occupy(self, env_id: str, start: int, end: int, release: str, phase: str) -> None:
        """Place a phase as told, even beyond capacity (pinned bookings are kept as given)."""
        if phase in self._placed:
            raise ValueError(f"phase {phase} is already placed")
        occ = Occupancy(start, end, release, phase)
        for member in self._members[env_id]:
            track = self._tracks[member]
            insort(track.intervals, occ)
            track.longest = max(track.longest, end - start)
            self._add_load(track, start, end, +1)
        self._placed[phase] = (env_id, occ)

    def remove(self, phase: str) -> tuple[str, Occupancy]:
        """Take a placed phase off its environment (every member of a stack); returns
        where it was."""
        env_id, occ = self._placed.pop(phase)
        for member in self._members[env_id]:
            track = self._tracks[member]
            del track.intervals[bisect_left(track.intervals, occ)]
            self._add_load(track, occ.start, occ.end, -1)
        return env_id, occ

    def _add_load(self, track: _Track, start: int, end: int, delta: int) -> None:
        lo, hi = max(start, 0), min(end, self.horizon)
        load, closed, capacity = track.load, track.closed, track.capacity
        if capacity == 1 and lo < hi and _single_use(track, lo, hi, delta):
            return
        for day in range(lo, hi):
            load[day] += delta
            closed[day] = 1 if track.blocked[day] or load[day] >= capacity else 0


def _first_open(track: _Track, start: int, last: int, duration: int, release: str) -> int | None:
    """The first start in ``[start, last]`` of ``duration`` open days clear of changeover.

    The hot loop of every planner: one search in C for a run of open days (``bytes.find``
    of that many zero bytes), then the changeover check, which may push it later."""
    run = _open_run(duration)
    find = track.closed.find
    while start <= last:
        start = find(run, start, last + duration)
        if start < 0:
            return None
        if not track.changeover:
            return start
        push = _changeover_push(track, start, start + duration, release)
        if push is None:
            return start
        start = push
    return None


def _single_use(track: _Track, lo: int, hi: int, delta: int) -> bool:
    """The common change on a capacity-1 environment in slices, without a step per day:
    a phase placed on open days, or taken off days only it held. False (nothing changed)
    for anything else, such as pinned bookings over one another."""
    load, closed, days = track.load, track.closed, hi - lo
    if delta > 0 and closed.find(1, lo, hi) < 0:
        load[lo:hi] = [1] * days
        closed[lo:hi] = _ones(days)
        return True
    # the phase taken off counts on each of its days, so a maximum of 1 is its alone
    if delta < 0 and max(load[lo:hi]) == 1:
        load[lo:hi] = [0] * days
        closed[lo:hi] = track.blocked[lo:hi]
        return True
    return False


_release_of = attrgetter("release")

# duration -> that many closed days
_CLOSED_RUNS: dict[int, bytes] = {}


def _ones(days: int) -> bytes:
    run = _CLOSED_RUNS.get(days)
    if run is None:
        run = _CLOSED_RUNS[days] = b"\x01" * days
    return run


# duration -> that many open (zero) days, the pattern ``_first_open`` looks for
_OPEN_RUNS: dict[int, bytes] = {}


def _open_run(duration: int) -> bytes:
    run = _OPEN_RUNS.get(duration)
    if run is None:
        run = _OPEN_RUNS[duration] = bytes(duration)
    return run


def _changeover_push(track: _Track, start: int, end: int, release: str) -> int | None:
    """None when no phase of another release is within changeover of ``[start, end)``;
    else the first start after the latest such neighbour's changeover."""
    gap, intervals = track.changeover, track.intervals
    lo = bisect_left(intervals, (start - gap - track.longest,))
    hi = bisect_left(intervals, (end + gap,))
    push: int | None = None
    for index in range(lo, hi):
        occ = intervals[index]
        if occ.release != release and occ.end + gap > start:
            push = max(push or 0, occ.end + gap)
    return push


# -- the day window precedence leaves a phase -------------------------------------------


def ready_day(scenario: Scenario, phase: Phase, ends: Mapping[str, int]) -> int:
    """First day the phase may start: its release's earliest start and every placed
    predecessor's end plus gap (``ends`` maps placed phase ids to their end)."""
    ready = scenario.release_start(phase)
    for pred, gap in scenario.predecessors[phase.id]:
        if pred in ends:
            ready = max(ready, ends[pred] + gap)
    return ready


def latest_starts(scenario: Scenario, fixed: Mapping[str, int]) -> dict[str, int]:
    """Phase id -> last start that still lets every fixed (pinned) successor keep its start.

    Only phases upstream of a fixed phase appear; ``fixed`` maps phase ids to starts.
    """
    duration = {ph.id: ph.duration for ph in scenario.phases}
    bound: dict[str, int] = {}
    for phase_id in reversed(topological_order(scenario)):
        limit = fixed.get(phase_id, bound.get(phase_id))
        if limit is None:
            continue
        for pred, gap in scenario.predecessors[phase_id]:
            candidate = limit - gap - duration[pred]
            bound[pred] = min(bound.get(pred, candidate), candidate)
    return bound
