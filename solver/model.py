"""The CP-SAT model: data → variables → one function per rule → objective.

A model covers the *free* phases of a scenario; every other phase stays where the
incumbent plan put it (``Neighbourhood.fixed``) and enters the model as constants. The
full model is the neighbourhood where every unpinned phase is free; the large
neighbourhood search re-optimises a few releases at a time with the same code.

"One of N environments" is a shared start variable with one optional interval per
candidate environment and ``add_exactly_one``, as in OR-Tools' flexible job shop
example. Blocked days (maintenance, freezes) and fixed neighbours become domains of
the start variable rather than extra intervals, which keeps the model small. A stack is
one more candidate: its literal puts the phase's interval on every member's capacity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.days import DayIntervals, allowed_starts, merge
from solver.fixed_load import capped, fixed_load
from solver.literals import Literal, always, never
from solver.objective import set_objective
from solver.options import Weights
from solver.scenario import Environment, Phase, Scenario


@dataclass(frozen=True)
class Neighbourhood:
    """Which phases the model may change; the rest keep their incumbent place.

    ``fixed`` maps each placed phase outside the neighbourhood to (environment, start);
    a phase neither free nor fixed stays unplaced. ``must_place`` lists free phases
    that have to be placed (the incumbent places them, and placing matters most).
    """

    free: frozenset[str]
    fixed: dict[str, tuple[str, int]]
    must_place: frozenset[str] = frozenset()
    # optional latest start per free phase: keeps a search round local in time
    latest: dict[str, int] = field(default_factory=dict)
    # at most this many movable bookings among the free phases may move (None: any)
    max_moves: int | None = None


@dataclass
class PhaseVars:
    phase: Phase
    start: cp_model.IntVar
    placed: Literal
    on: dict[str, Literal] = field(default_factory=dict)
    domains: dict[str, DayIntervals] = field(default_factory=dict)

    @property
    def end(self) -> cp_model.LinearExprT:
        return self.start + self.phase.duration


class PlanModel:
    """Builds the CP-SAT model of one neighbourhood; see the module docstring."""

    def __init__(
        self,
        scenario: Scenario,
        hood: Neighbourhood,
        objective: str,
        weights: Weights | None = None,
        redundant: bool = True,
    ) -> None:
        self.scenario = scenario
        self.hood = hood
        self.objective_kind = objective
        self.weights = weights or Weights()
        self.model = cp_model.CpModel()
        self.vars: dict[str, PhaseVars] = {}
        self.late: dict[str, cp_model.IntVar] = {}
        self.makespan: cp_model.IntVar | None = None
        self.same_place: dict[str, Literal] = {}
        self.terms: dict[str, cp_model.LinearExprT] = {}
        self.scale: dict[str, int] = {}
        self._rank = {ph.id: i for i, ph in enumerate(scenario.phases)}
        self._fixed_by_env = _fixed_by_environment(scenario, hood)
        self.fixed_release_ends = _fixed_release_ends(scenario, hood)
        self._build(redundant)

    # -- build ---------------------------------------------------------------------

    def _build(self, redundant: bool) -> None:
        for phase_id in sorted(self.hood.free, key=self._rank.__getitem__):
            self._add_phase_variables(self.scenario.phase_by_id[phase_id])
        add_one_environment(self)
        add_capacity(self)
        add_order(self)
        if redundant:
            add_type_capacity(self)
        set_objective(self)

    def _add_phase_variables(self, phase: Phase) -> None:
        lo, hi = self._start_bounds(phase)
        domains: dict[str, DayIntervals] = {}
        for env_id in self.scenario.eligible[phase.id]:
            allowed = allowed_starts(self.scenario.blocked[env_id], phase.duration, lo, hi)
            if allowed:
                domains[env_id] = allowed
        union = sorted({iv for d in domains.values() for iv in d})
        start = self.model.new_int_var_from_domain(
            cp_model.Domain.from_intervals([list(iv) for iv in union] or [[lo, lo]]),
            f"start[{phase.id}]",
        )
        placed = self._placed_literal(phase, bool(domains))
        self.vars[phase.id] = PhaseVars(phase, start, placed, domains=domains)

    def _start_bounds(self, phase: Phase) -> tuple[int, int]:
        """Earliest and latest start allowed by the horizon and by fixed neighbours."""
        lo = self.scenario.release_start(phase)
        hi = min(
            self.scenario.horizon_days - phase.duration,
            self.hood.latest.get(phase.id, self.scenario.horizon_days),
        )
        for pred, gap in self.scenario.predecessors[phase.id]:
            if pred in self.hood.fixed:
                env_start = self.hood.fixed[pred][1]
                lo = max(lo, env_start + self.scenario.phase_by_id[pred].duration + gap)
        for succ in self.scenario.successors[phase.id]:
            if succ in self.hood.fixed:
                gap = dict(self.scenario.predecessors[succ])[phase.id]
                hi = min(hi, self.hood.fixed[succ][1] - gap - phase.duration)
        return lo, hi

    def _placed_literal(self, phase: Phase, placeable: bool) -> Literal:
        if not placeable or self._waits_on_unplaced(phase):
            return 0
        if phase.id in self.hood.must_place or self._has_fixed_successor(phase):
            return 1
        return self.model.new_bool_var(f"placed[{phase.id}]")

    def _waits_on_unplaced(self, phase: Phase) -> bool:
        return any(
            pred not in self.hood.free and pred not in self.hood.fixed
            for pred, _gap in self.scenario.predecessors[phase.id]
        )

    def _has_fixed_successor(self, phase: Phase) -> bool:
        """A fixed successor needs the phase placed, unless it is pinned: a pinned phase is
        kept even when its predecessor finds no room before it (an order clash)."""
        return any(
            succ in self.hood.fixed and not self._pinned(succ)
            for succ in self.scenario.successors[phase.id]
        )

    def _pinned(self, phase_id: str) -> bool:
        booking = self.scenario.booking_by_phase.get(phase_id)
        return booking is not None and booking.pinned

    # -- fixed neighbours ----------------------------------------------------------

    def fixed_on(self, env_id: str) -> list[tuple[int, int, str]]:
        """(start, end, release) of the fixed phases placed on an environment."""
        return self._fixed_by_env.get(env_id, [])


def _fixed_by_environment(
    scenario: Scenario, hood: Neighbourhood
) -> dict[str, list[tuple[int, int, str]]]:
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for phase_id, (env_id, start) in hood.fixed.items():
        ph = scenario.phase_by_id[phase_id]
        for member in scenario.members[env_id]:
            found[member].append((start, start + ph.duration, ph.release))
    return dict(found)


def _fixed_release_ends(scenario: Scenario, hood: Neighbourhood) -> dict[str, int]:
    """Release id -> the end of its last fixed phase (one pass, not one per release)."""
    ends: dict[str, int] = {}
    for phase_id, (_env, start) in hood.fixed.items():
        ph = scenario.phase_by_id[phase_id]
        ends[ph.release] = max(ends.get(ph.release, 0), start + ph.duration)
    return ends


# -- rules ---------------------------------------------------------------------------


def add_one_environment(m: PlanModel) -> None:
    """Hard: a placed phase occupies exactly one eligible environment, on allowed days.

    Allowed days exclude maintenance windows and freezes of that environment.
    """
    for pv in m.vars.values():
        if never(pv.placed) or not pv.domains:
            continue
        if len(pv.domains) == 1:
            pv.on[next(iter(pv.domains))] = pv.placed
            continue
        for env_id in pv.domains:
            pv.on[env_id] = m.model.new_bool_var(f"on[{pv.phase.id},{env_id}]")
        if always(pv.placed):
            m.model.add_exactly_one(pv.on.values())
        else:
            m.model.add(sum(pv.on.values()) == pv.placed)
        _restrict_start_per_environment(m, pv)


def _restrict_start_per_environment(m: PlanModel, pv: PhaseVars) -> None:
    full = sorted({iv for d in pv.domains.values() for iv in d})
    for env_id, allowed in pv.domains.items():
        if list(allowed) != full:
            domain = cp_model.Domain.from_intervals([list(iv) for iv in allowed])
            m.model.add_linear_expression_in_domain(pv.start, domain).only_enforce_if(pv.on[env_id])


def add_capacity(m: PlanModel) -> None:
    """Hard: at most ``capacity`` phases per environment per day, and on a capacity-1
    environment ``changeover_days`` free days between phases of different releases.

    Changeover is modelled by stretching each interval by the changeover days; phases of
    one release on one environment therefore also keep that gap (a safe restriction).
    Fixed phases enter as their load (``fixed_load``): merged, and capped at the capacity
    where pinned bookings over-fill the environment.
    """
    held_by: dict[str, list[str]] = defaultdict(list)  # environment -> choices holding it
    for choice, members in m.scenario.members.items():
        for member in members:
            held_by[member].append(choice)
    for env in m.scenario.environments:
        users = [
            (pv, choice) for pv in m.vars.values() for choice in held_by[env.id] if choice in pv.on
        ]
        if not users:
            continue
        stretch = env.changeover_days if env.capacity == 1 else 0
        intervals = [_interval(m, pv, pv.on[c], f"{c}@{env.id}", stretch) for pv, c in users]
        first = min(pv.domains[c][0][0] for pv, c in users)
        last = max(pv.domains[c][-1][1] + pv.phase.duration for pv, c in users)
        # fixed phases outside the days the free ones can reach cannot clash with them
        fixed = [
            (s, e, d)
            for s, e, d in fixed_load(m.fixed_on(env.id), env.capacity, stretch)
            if s < last + stretch and e > first
        ]
        intervals += [
            m.model.new_fixed_size_interval_var(s, e - s, f"fixed[{env.id},{s}]")
            for s, e, _d in fixed
        ]
        if env.capacity == 1:
            m.model.add_no_overlap(intervals)
        else:
            demands = [1] * len(users) + [d for _s, _e, d in fixed]
            m.model.add_cumulative(intervals, demands, env.capacity)


def _interval(
    m: PlanModel, pv: PhaseVars, lit: Literal, env_id: str, stretch: int
) -> cp_model.IntervalVar:
    size = pv.phase.duration + stretch
    name = f"interval[{pv.phase.id},{env_id}]"
    if always(lit):
        return m.model.new_fixed_size_interval_var(pv.start, size, name)
    return m.model.new_optional_fixed_size_interval_var(pv.start, size, lit, name)


def add_order(m: PlanModel) -> None:
    """Hard: a phase starts no earlier than each predecessor's end plus its gap; the
    successors of an unplaced phase are unplaced too."""
    for pv in m.vars.values():
        if never(pv.placed):
            continue
        for pred, gap in m.scenario.predecessors[pv.phase.id]:
            before = m.vars.get(pred)
            if before is None:
                continue  # fixed predecessors already bound the start variable
            _require_placed_before(m, before.placed, pv.placed)
            constraint = m.model.add(pv.start >= before.end + gap)
            if not always(pv.placed):
                constraint.only_enforce_if(pv.placed)


def _require_placed_before(m: PlanModel, pred: Literal, succ: Literal) -> None:
    if always(pred):
        return
    if never(pred):
        m.model.add_bool_or([] if always(succ) else [succ.Not()])  # type: ignore[union-attr]
    elif always(succ):
        m.model.add(pred == 1)
    else:
        m.model.add_implication(succ, pred)


def add_type_capacity(m: PlanModel) -> None:
    """Hard (redundant): per environment type, no more phases on a day than the type's
    environments can hold. Implied by the per-environment rules; it gives the solver a
    global view of each type's load when phases may choose among environments."""
    by_type: dict[str, list[PhaseVars]] = defaultdict(list)
    for pv in m.vars.values():
        if pv.on:
            by_type[pv.phase.type].append(pv)
    for env_type, pvs in by_type.items():
        if all(len(pv.on) == 1 for pv in pvs):
            continue
        envs = [e for e in m.scenario.environments if e.type == env_type]
        load = [(_interval(m, pv, pv.placed, f"type:{env_type}", 0), 1) for pv in pvs]
        load += [
            (m.model.new_fixed_size_interval_var(s, e - s, "taken"), demand)
            for s, e, demand in _type_fixed_load(m, envs)
        ]
        capacity = sum(env.capacity for env in envs)
        m.model.add_cumulative([iv for iv, _d in load], [d for _iv, d in load], capacity)


def _type_fixed_load(m: PlanModel, envs: list[Environment]) -> list[tuple[int, int, int]]:
    """(start, end, demand) of fixed phases and blocked days on the type's environments,
    each environment's share capped at its capacity."""
    load = []
    for env in envs:
        taken = [(s, e, 1) for s, e, _r in m.fixed_on(env.id)]
        windows = merge((w.start, w.end) for w in m.scenario.blocked[env.id])
        taken += [(max(0, s), min(m.scenario.horizon_days, e), env.capacity) for s, e in windows]
        load += capped(taken, env.capacity)
    return load
