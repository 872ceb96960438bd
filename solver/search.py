"""Solving one PlanModel with CP-SAT: parameters for its size, a hint, and the answer read back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.literals import Literal
from solver.model import PlanModel
from solver.plan import Placement

# Above this many optional intervals, presolve's probing costs more than it finds.
LARGE_MODEL_INTERVALS = 20_000


@dataclass(frozen=True)
class SubResult:
    """``placement`` covers the model's free phases only; None when no solution was found."""

    status: str
    placement: Placement | None
    objective: float | None
    bound: float | None
    seconds: float


def solve(
    pm: PlanModel,
    hint: Placement,
    time_limit: float,
    workers: int,
    seed: int,
    on_solution: Callable[[float, float, float], None] | None = None,
    light_presolve: bool = False,
) -> SubResult:
    """Solve ``pm`` from the hinted placement; ``on_solution(elapsed, objective, bound)``.

    ``light_presolve`` suits the short rounds of the neighbourhood search, where a full
    presolve (probing above all) costs seconds and finds little."""
    add_hint(pm, hint)
    solver = cp_model.CpSolver()
    light = light_presolve or interval_count(pm) > LARGE_MODEL_INTERVALS
    configure(solver, time_limit, workers, seed, light)
    callback = _Progress(on_solution) if on_solution else None
    began = time.perf_counter()
    status = solver.solve(pm.model, callback)
    seconds = time.perf_counter() - began
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SubResult(name, None, None, None, seconds)
    return SubResult(
        name,
        read_placement(pm, solver),
        solver.objective_value,
        solver.best_objective_bound,
        seconds,
    )


def configure(
    solver: cp_model.CpSolver, time_limit: float, workers: int, seed: int, light: bool
) -> None:
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, time_limit)
    params.num_workers = workers
    params.random_seed = seed
    if light:
        # (also capping max_presolve_iterations at 1 crashes OR-Tools 9.15 with probing off)
        params.cp_model_probing_level = 0
        params.symmetry_level = 0


def interval_count(pm: PlanModel) -> int:
    return sum(len(pv.on) for pv in pm.vars.values())


def add_hint(pm: PlanModel, hint: Placement) -> None:
    """Hint every free phase's variables from ``hint`` (unplaced when it is missing)."""
    model = pm.model
    for phase_id, pv in pm.vars.items():
        where = hint.get(phase_id)
        if not isinstance(pv.placed, int):
            model.add_hint(pv.placed, where is not None and where[0] in pv.on)
        if where is None or where[0] not in pv.on:
            continue
        model.add_hint(pv.start, where[1])
        for env_id, lit in pv.on.items():
            if not isinstance(lit, int) and lit is not pv.placed:
                model.add_hint(lit, env_id == where[0])
    _hint_objective_terms(pm, hint)


def _hint_objective_terms(pm: PlanModel, hint: Placement) -> None:
    scenario = pm.scenario
    everything = {**pm.hood.fixed, **{p: hint[p] for p in pm.vars if p in hint}}
    ends: dict[str, int] = {}
    for phase_id, (_env, start) in everything.items():
        ph = scenario.phase_by_id[phase_id]
        ends[ph.release] = max(ends.get(ph.release, 0), start + ph.duration)
    for release, var in pm.late.items():
        due = scenario.release_by_id[release].due or 0
        pm.model.add_hint(var, max(0, ends.get(release, 0) - due))
    if pm.makespan is not None:
        pm.model.add_hint(pm.makespan, max(ends.values(), default=0))
    for phase_id, lit in pm.same_place.items():
        if not isinstance(lit, int):
            booking = scenario.booking_by_phase[phase_id]
            pm.model.add_hint(lit, hint.get(phase_id) == (booking.environment, booking.start))


def read_placement(pm: PlanModel, solver: cp_model.CpSolver) -> Placement:
    placement: Placement = {}
    for phase_id, pv in pm.vars.items():
        if pv.on and _true(solver, pv.placed):
            env_id = next(e for e, lit in pv.on.items() if _true(solver, lit))
            placement[phase_id] = (env_id, solver.value(pv.start))
    return placement


def _true(solver: cp_model.CpSolver, lit: Literal) -> bool:
    return bool(lit) if isinstance(lit, int) else bool(solver.boolean_value(lit))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float, float, float], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self.wall_time, self.objective_value, self.best_objective_bound)
