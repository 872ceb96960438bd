"""Large-neighbourhood search around CP-SAT for scenarios too big to solve whole.

Each round frees a few whole releases (their unpinned phases), keeps every other phase
where the incumbent has it, and lets CP-SAT re-optimise the freed part from the
incumbent as a hint. A round is kept when the plan's score does not get worse. The
neighbourhood size adapts: it grows while rounds are solved to optimality quickly and
shrinks when they run out of time.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from solver.calendar import ready_day
from solver.metrics import Score, score
from solver.model import Neighbourhood, PlanModel
from solver.moves import moves_allowed
from solver.options import Weights
from solver.plan import Placement
from solver.scenario import Scenario
from solver.search import solve

MIN_FREE, START_FREE, MAX_FREE = 8, 30, 400
ROUND_SECONDS = (1.0, 1.0)
# how much later than now a round may move a placed phase (earlier is always allowed)
REACH_DAYS = 28


@dataclass
class SearchState:
    placement: Placement
    score: Score
    free_size: int = START_FREE
    round_seconds: float = ROUND_SECONDS[0]
    rounds: int = 0
    improvements: int = 0


class NeighbourhoodSearch:
    def __init__(
        self,
        scenario: Scenario,
        objective: str,
        workers: int,
        seed: int,
        on_improvement: Callable[[SearchState], None],
        target: Score = (0, 0, 0),
        weights: Weights | None = None,
        move_budget: int | None = None,
    ) -> None:
        """``target`` is a score no plan can beat: the search stops when it gets there;
        ``move_budget`` caps the bookings in force a plan may move (``solver.moves``)."""
        self.target = target
        self.move_budget = move_budget
        self.weights = weights
        self.scenario = scenario
        self.objective = objective
        self.workers = workers
        self.rng = random.Random(seed)
        self.on_improvement = on_improvement
        # rounds around an anchor release that found nothing: its weight halves with each
        self.failures: dict[str, int] = defaultdict(int)
        self.anchor: str | None = None
        self.movable = {ph.release: [] for ph in scenario.phases}  # type: dict[str, list[str]]
        pinned = {b.phase for b in scenario.bookings if b.pinned}
        for ph in scenario.phases:
            if ph.id not in pinned:
                self.movable[ph.release].append(ph.id)

    def run(self, placement: Placement, deadline: float) -> SearchState:
        state = SearchState(placement, score(self.scenario, self.objective, placement))
        while time.perf_counter() < deadline - 0.05 and state.score > self.target:
            releases = self.pick_releases(state)
            if releases:
                self.improve(state, releases, deadline)
        return state

    def improve(self, state: SearchState, releases: set[str], deadline: float) -> None:
        free = frozenset(p for r in releases for p in self.movable[r])
        fixed = {p: w for p, w in state.placement.items() if p not in free}
        must = frozenset(p for p in free if p in state.placement)
        latest = {p: state.placement[p][1] + REACH_DAYS for p in must}
        hood = Neighbourhood(free, fixed, must, latest, self._moves_allowed(state, free))
        model = PlanModel(self.scenario, hood, self.objective, self.weights, redundant=False)
        limit = min(state.round_seconds, deadline - time.perf_counter())
        result = solve(
            model,
            state.placement,
            limit,
            self.workers,
            self.rng.randrange(1 << 30),
            light_presolve=True,
        )
        state.rounds += 1
        self._adapt(state, result.status, result.seconds, limit)
        if result.placement is None:
            return
        candidate = {**fixed, **result.placement}
        new_score = score(self.scenario, self.objective, candidate)
        improved = new_score < state.score
        if new_score <= state.score:
            state.placement, state.score = candidate, new_score
        if improved:
            state.improvements += 1
            self.on_improvement(state)
        elif self.anchor is not None:
            self.failures[self.anchor] += 1

    def _moves_allowed(self, state: SearchState, free: frozenset[str]) -> int | None:
        if self.move_budget is None:
            return None
        return moves_allowed(self.scenario, state.placement, free, self.move_budget)

    def _adapt(self, state: SearchState, status: str, seconds: float, limit: float) -> None:
        if status == "OPTIMAL" and seconds < limit / 2:
            state.free_size = min(MAX_FREE, int(state.free_size * 1.25) + 1)
        elif status != "OPTIMAL":
            state.free_size = max(MIN_FREE, int(state.free_size * 0.8))
            state.round_seconds = min(ROUND_SECONDS[1], state.round_seconds * 1.2)

    # -- choosing a neighbourhood ----------------------------------------------------

    def pick_releases(self, state: SearchState) -> set[str]:
        targets = self._targets(state)
        self.anchor = None
        if targets and self.rng.random() < 0.7:
            self.anchor = self._weighted_choice(targets)
            return self._around(state, self.anchor)
        return self._time_window(state)

    def _targets(self, state: SearchState) -> dict[str, int]:
        """Releases worth improving, with a weight: unplaced phases above all (placing
        comes first in the objective), then lateness; halved for each fruitless round."""
        weights: dict[str, int] = defaultdict(int)
        ends: dict[str, int] = defaultdict(int)
        for phase_id, (_env, start) in state.placement.items():
            ph = self.scenario.phase_by_id[phase_id]
            ends[ph.release] = max(ends[ph.release], start + ph.duration)
        makespan = max(ends.values(), default=0)
        for rel in self.scenario.releases:
            if self.objective == "makespan" and ends.get(rel.id) == makespan:
                weights[rel.id] += 1
            elif rel.due is not None and ends.get(rel.id, 0) > rel.due:
                weights[rel.id] += rel.priority * (ends[rel.id] - rel.due)
        unplaced_weight = self.scenario.horizon_days
        for ph in self.scenario.phases:
            if ph.id not in state.placement:
                priority = self.scenario.release_by_id[ph.release].priority
                weights[ph.release] += unplaced_weight * priority
        return {
            r: (w >> min(self.failures[r], 30)) or 1 for r, w in weights.items() if self.movable[r]
        }

    def _weighted_choice(self, weights: dict[str, int]) -> str:
        names = list(weights)
        return self.rng.choices(names, weights=[weights[n] for n in names])[0]

    def _around(self, state: SearchState, anchor: str) -> set[str]:
        """The anchor release and the releases holding the environments its phases waited
        for, nearest in time first, up to the neighbourhood size."""
        waits = self._waits(state, anchor)
        distance: dict[str, int] = {}
        for phase_id, (env_id, start) in state.placement.items():
            ph = self.scenario.phase_by_id[phase_id]
            if ph.release == anchor or env_id not in waits:
                continue
            lo, hi = waits[env_id]
            gap = max(lo - (start + ph.duration), start - hi, 0)
            distance[ph.release] = min(distance.get(ph.release, gap), gap)
        ranked = sorted(distance, key=lambda r: (distance[r], self.rng.random()))
        return self._fill({anchor}, ranked, state.free_size)

    def _waits(self, state: SearchState, release: str) -> dict[str, tuple[int, int]]:
        """Environment -> the days (first, last) a phase of the release could have used it:
        from the phase's ready day to its end, for every environment it may run on."""
        ends = {
            p: s + self.scenario.phase_by_id[p].duration
            for p, (_e, s) in state.placement.items()
            if self.scenario.phase_by_id[p].release == release
        }
        waits: dict[str, tuple[int, int]] = {}
        for phase_id in self.movable[release]:
            phase = self.scenario.phase_by_id[phase_id]
            ready = ready_day(self.scenario, phase, ends)
            last = ends.get(phase_id, self.scenario.horizon_days)
            for env_id in self.scenario.eligible[phase_id]:
                lo, hi = waits.get(env_id, (ready, last))
                waits[env_id] = (min(lo, ready), max(hi, last))
        return waits

    def _time_window(self, state: SearchState) -> set[str]:
        """Releases with a phase in a random stretch of time on one environment type."""
        types = sorted({ph.type for ph in self.scenario.phases})
        env_type = self.rng.choice(types)
        day = self.rng.randrange(max(1, self.scenario.horizon_days))
        nearby = []
        for phase_id, (_env, start) in state.placement.items():
            ph = self.scenario.phase_by_id[phase_id]
            if ph.type == env_type:
                nearby.append((abs(start - day), self.rng.random(), ph.release))
        ranked = [release for _d, _r, release in sorted(nearby)]
        return self._fill(set(), ranked, state.free_size)

    def _fill(self, chosen: set[str], ranked: list[str], size: int) -> set[str]:
        count = sum(len(self.movable[r]) for r in chosen)
        for release in ranked:
            if count >= size:
                break
            if release not in chosen and self.movable[release]:
                chosen.add(release)
                count += len(self.movable[release])
        return chosen
