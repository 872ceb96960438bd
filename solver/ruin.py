"""Ruin and recreate: a search without CP-SAT for years where environments are short.

On a contended year most of the lateness comes from who goes first on the bottleneck
environments, and CP-SAT's rounds (a second each, a few releases each) see too little of
the year in a minute to change that. Each step here draws one release that is late or has
unplaced phases (with a weight of what it costs), removes its movable phases and those of
a few releases holding environments it may use (half the time those holding the days its
longest-waiting phase waited for, else any of its environments in its span; half the time
a run of them in a row on one environment), and puts them back phase by phase at their
earliest fit, the drawn release first (a booking in force stays where it still fits, as
in dispatch). The step stays when the removed releases together cost no more than before
(weighted unplaced, then lateness, then moved bookings) and the stability budget holds;
otherwise everything goes back where it was, as soon as those put back already cost
more. A step takes a millisecond or less, so thousands run where CP-SAT runs tens of
rounds.

Lateness objective only: a release's cost is its own, so a step is judged on the releases
it touched. A makespan is one maximum over all releases.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable

from solver.calendar import EnvironmentCalendar, Occupancy, latest_starts, ready_day
from solver.greedy import Dispatch, phases_by_release
from solver.plan import Placement
from solver.scenario import Phase, Release, Scenario

# weighted unplaced, weighted lateness, moved bookings: one release's, or a sum of them
Cost = tuple[int, int, int]

# at most this many releases are removed with the drawn one
MOST_RUINED = 8
# steps in a row without an improvement after which the search gives up
STALL_STEPS = 3_000
# the share of steps in which the drawn release may leave its bookings in force
UNBOOK_SHARE = 0.3
# the share of steps whose neighbours are a run of releases on one environment (string
# removal, as in SISR for vehicle routing): better on every contended year measured in
# the seventh session (docs/benchmarks.md)
STRING_SHARE = 0.5
# the share of steps whose neighbours hold the days that the drawn release's longest-
# waiting phase waited for, where the others hold any of its environments in its span
FOCUS_SHARE = 0.5
# the share of steps that put the others back in the order they began (as a queue that
# the drawn release joins ahead of them); the rest are shuffled or by due date, half each
QUEUE_SHARE = 1 / 3
# seconds between two progress reports
REPORT_EVERY = 1.0


class RuinAndRecreate:
    def __init__(
        self, scenario: Scenario, placement: Placement, move_budget: int | None, seed: int
    ) -> None:
        """``move_budget`` caps the bookings in force the plan may move (``solver.moves``);
        a start that already moves more may keep its moves but not add to them."""
        self.scenario = scenario
        self.rng = random.Random(seed)
        self.calendar = EnvironmentCalendar.holding(scenario, placement)
        pinned = {b.phase for b in scenario.bookings if b.pinned}
        self.latest = latest_starts(
            scenario, {p: w[1] for p, w in placement.items() if p in pinned}
        )
        self.movable = {
            rid: [ph for ph in phases if ph.id not in pinned]
            for rid, phases in phases_by_release(scenario).items()
        }
        # the environments each release's movable phases may use
        self.envs = {
            rid: {env for ph in phases for env in scenario.eligible[ph.id]}
            for rid, phases in self.movable.items()
        }
        self.cost: dict[str, Cost] = {}
        # what each release that costs something weighs in the draw, kept as costs change
        self.weight: dict[str, int] = {}
        self._update({rel.id: self._cost(rel) for rel in scenario.releases})
        self.moved = sum(c[2] for c in self.cost.values())
        self.budget = move_budget

    @property
    def placement(self) -> Placement:
        return {phase: (env, occ.start) for phase, env, occ in self.calendar.placements()}

    @property
    def current(self) -> Cost:
        """The plan's score now, as ``metrics.score`` would compute it."""
        return _sum(self.cost.values())

    def run(
        self,
        until: float,
        on_better: Callable[[Cost], None],
        clock: Callable[[], float] = time.perf_counter,
    ) -> Placement:
        """Steps until ``until`` (a ``clock`` value: ``bench/ruin_orders.py`` gives CPU
        time), nothing left to improve or a long stall; ``on_better`` hears the total now
        and then while it improves."""
        stalled, reported = 0, clock()
        while stalled < STALL_STEPS and clock() < until:
            target = self.draw()
            if target is None:
                break
            stalled = 0 if self.step(target) else stalled + 1
            if not stalled and clock() - reported > REPORT_EVERY:
                on_better(self.current)
                reported = clock()
        return self.placement

    def step(self, target: str) -> bool:
        """One ruin and recreate around ``target``; True when the plan got better."""
        ruined = [target, *self._neighbours(target)]
        before = _sum(self.cost[r] for r in ruined)
        taken = self._remove(ruined)
        after = self._recreate(ruined, taken, before)
        if after is None:
            return self._undo(ruined, taken)
        cost = _sum(after.values())
        moved = self.moved - before[2] + cost[2]
        if cost > before or (self.budget is not None and moved > max(self.budget, self.moved)):
            return self._undo(ruined, taken)
        self._update(after)
        self.moved = moved
        return cost < before

    def _undo(self, ruined: list[str], taken: dict[str, tuple[str, Occupancy]]) -> bool:
        """Everything the step touched back where it was; False, the step's answer."""
        self._remove(ruined)
        self._put_back(taken)
        return False

    # -- the steps' parts ----------------------------------------------------------------

    def draw(self) -> str | None:
        """A release that costs something, drawn with its weight (``_update``)."""
        if not self.weight:
            return None
        return self.rng.choices(list(self.weight), weights=list(self.weight.values()))[0]

    def _update(self, costs: dict[str, Cost]) -> None:
        """New costs of some releases, and their weights in the draw: an unplaced phase of
        weight 1 as a year of lateness, as the search's neighbourhoods weigh it."""
        self.cost.update(costs)
        year = self.scenario.horizon_days
        for rid, (unplaced, late, _moved) in costs.items():
            if (unplaced or late) and self.movable[rid]:
                self.weight[rid] = unplaced * year + late
            else:
                self.weight.pop(rid, None)

    def _neighbours(self, target: str) -> list[str]:
        """A few releases with movable phases on the environments ``target`` may use: on
        those its longest-waiting phase may use in the days it waited (``FOCUS_SHARE`` of
        the steps, when a phase waited), else on any of them between its earliest start
        and its due date (or its end, when later)."""
        release = self.scenario.release_by_id[target]
        most = self.rng.randint(1, MOST_RUINED)
        wait = self._longest_wait(release) if self.rng.random() < FOCUS_SHARE else None
        if wait is not None:
            envs, first, last = wait
        else:
            envs, first, last = None, release.earliest_start, self._span_end(release)
        if self.rng.random() < STRING_SHARE:
            string = self._string(target, envs, first, last, most)
            if string:
                return string
        # asked only here: the holders of all its environments cost a fifth of a step
        holders = self.calendar.releases_between(envs or self.envs[target], first, last)
        holders.discard(target)
        choice = sorted(rid for rid in holders if self.movable[rid])
        return self.rng.sample(choice, min(len(choice), most))

    def _longest_wait(self, release: Release) -> tuple[list[str], int, int] | None:
        """The eligible environments of the release's phase that waits longest after it
        is ready, and the days it waits: whoever holds them keeps the release late."""
        best: tuple[int, Phase, int, int] | None = None
        for phase in self.movable[release.id]:
            where = self.calendar.placement(phase.id)
            if where is None:
                continue
            ends = {}
            for pred, _gap in self.scenario.predecessors[phase.id]:
                held = self.calendar.placement(pred)
                if held is not None:
                    ends[pred] = held[1].end
            ready = ready_day(self.scenario, phase, ends)
            start = where[1].start
            if start > ready and (best is None or start - ready > best[0]):
                best = (start - ready, phase, ready, start)
        if best is None:
            return None
        _wait, phase, ready, start = best
        return list(self.scenario.eligible[phase.id]), ready, start

    def _string(
        self, target: str, envs: list[str] | None, first: int, last: int, count: int
    ) -> list[str]:
        """Up to ``count`` releases in a row on one environment ``target`` may use, in
        ``[first, last)``: a hole in one lane that the drawn release and they share out
        again, where releases drawn from all its environments leave scattered gaps."""
        if envs is None:
            eligible = self.scenario.eligible
            placeable = [ph for ph in self.movable[target] if eligible[ph.id]]
            if not placeable:
                return []
            envs = list(eligible[self.rng.choice(placeable).id])
        env = self.rng.choice(envs)
        lane = dict.fromkeys(
            occ.release
            for occ in self.calendar.occupants_between(env, first, last)
            if occ.release != target and self.movable[occ.release]
        )
        if not lane:
            return []
        names = list(lane)
        begin = self.rng.randrange(max(1, len(names) - count + 1))
        return names[begin : begin + count]

    def _span_end(self, release: Release) -> int:
        end = max(
            (
                w[1].end
                for ph in release.phases
                if (w := self.calendar.placement(ph.id)) is not None
            ),
            default=0,
        )
        due = release.due if release.due is not None else self.scenario.horizon_days
        return max(due, end)

    def _remove(self, releases: Iterable[str]) -> dict[str, tuple[str, Occupancy]]:
        taken = {}
        for rid in releases:
            for phase in self.movable[rid]:
                if self.calendar.placement(phase.id) is not None:
                    taken[phase.id] = self.calendar.remove(phase.id)
        return taken

    def _put_back(self, taken: dict[str, tuple[str, Occupancy]]) -> None:
        for phase_id, (env, occ) in taken.items():
            self.calendar.occupy(env, occ.start, occ.end, occ.release, phase_id)

    def _recreate(
        self, ruined: list[str], taken: dict[str, tuple[str, Occupancy]], before: Cost
    ) -> dict[str, Cost] | None:
        """The drawn release first, then the others (``_order``); within them the phases
        pinned successors wait for first. Their new costs, or None as soon as those placed
        already cost more than ``before`` (weighted unplaced, then lateness): the rest
        could only add to it."""
        target, *others = ruined
        self._order(others, taken)
        # now and then the drawn release leaves its bookings in force, to see what a move buys
        keep = self.rng.random() >= UNBOOK_SHARE
        first = Dispatch(self.scenario, self.calendar, keep, self.latest, explain=False)
        first.place_all(self.movable[target])
        after = {target: self._cost(self.scenario.release_by_id[target])}
        rest = Dispatch(self.scenario, self.calendar, True, self.latest, explain=False)
        rest.place_urgent([ph for rid in others for ph in self.movable[rid]])
        unplaced, late, _moved = after[target]
        for rid in others:
            rest.place_all(self.movable[rid])
            cost = after[rid] = self._cost(self.scenario.release_by_id[rid])
            unplaced, late = unplaced + cost[0], late + cost[1]
            if (unplaced, late) > before[:2]:
                return None
        return after

    def _order(self, others: list[str], taken: dict[str, tuple[str, Occupancy]]) -> None:
        """``others`` in the order they began (``taken`` says where they were; a third of
        the steps), shuffled, or by due date with priority."""
        draw = self.rng.random()
        if draw < QUEUE_SHARE:
            began: dict[str, int] = {}
            for _env, occ in taken.values():
                began[occ.release] = min(began.get(occ.release, occ.start), occ.start)
            horizon = self.scenario.horizon_days
            others.sort(key=lambda rid: began.get(rid, horizon))
        elif draw < QUEUE_SHARE + (1 - QUEUE_SHARE) / 2:
            self.rng.shuffle(others)
        else:
            others.sort(key=self._urgency)

    def _urgency(self, rid: str) -> int:
        release = self.scenario.release_by_id[rid]
        due = release.due if release.due is not None else self.scenario.horizon_days
        return due - 20 * release.priority

    def _cost(self, release: Release) -> Cost:
        unplaced = end = moved = 0
        for phase in release.phases:
            where = self.calendar.placement(phase.id)
            if where is None:
                unplaced += release.priority
            else:
                end = max(end, where[1].end)
            moved += self._moves(phase, where)
        late = max(0, end - release.due) if release.due is not None and end else 0
        return unplaced, release.priority * late, moved

    def _moves(self, phase: Phase, where: tuple[str, Occupancy] | None) -> int:
        booking = self.scenario.booking_by_phase.get(phase.id)
        if booking is None or booking.pinned:
            return 0
        return int(
            where is None or (where[0], where[1].start) != (booking.environment, booking.start)
        )


def _sum(costs: Iterable[Cost]) -> Cost:
    unplaced = late = moved = 0
    for c in costs:
        unplaced, late, moved = unplaced + c[0], late + c[1], moved + c[2]
    return unplaced, late, moved
