"""The objective of the CP-SAT model: named soft terms in the strict order of docs/design.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.literals import Literal, always, never

if TYPE_CHECKING:
    from solver.model import PhaseVars, PlanModel


def set_objective(m: PlanModel) -> None:
    """Lexicographic: unplaced before lateness (or makespan) before moved bookings.

    Each higher term is weighted above the largest possible sum of the terms below it,
    so one sum keeps the strict order of docs/design.md. "Earlier is better" is left to the
    compaction pass after solving, which would otherwise swamp the sum.
    """
    moved = moved_bookings_term(m)
    timing = makespan_term(m) if m.objective_kind == "makespan" else lateness_term(m)
    unplaced = unplaced_term(m)
    moved_max = sum(1 for _ in m.same_place)
    timing_weight = (moved_max + 1) * m.weights.lateness
    timing_max = _timing_upper_bound(m)
    unplaced_weight = (timing_weight * timing_max + moved_max + 1) * m.weights.unplaced
    m.terms = {"unplaced": unplaced, "timing": timing, "moved": moved}
    m.model.minimize(
        cp_model.LinearExpr.weighted_sum(
            [unplaced, timing, moved], [unplaced_weight, timing_weight, 1]
        )
    )
    m.scale = {"unplaced": unplaced_weight, "timing": timing_weight, "moved": 1}


def unplaced_term(m: PlanModel) -> cp_model.LinearExprT:
    """Soft: Σ priority × unplaced free phases."""
    priority = {r.id: r.priority for r in m.scenario.releases}
    pvs = list(m.vars.values())
    total = sum(priority[pv.phase.release] for pv in pvs)
    return total - cp_model.LinearExpr.weighted_sum(
        [pv.placed for pv in pvs], [priority[pv.phase.release] for pv in pvs]
    )


def lateness_term(m: PlanModel) -> cp_model.LinearExprT:
    """Soft: Σ priority × days late of every release with a free phase."""
    touched = {pv.phase.release for pv in m.vars.values()}
    lates, priorities = [], []
    for rel in m.scenario.releases:
        if rel.id not in touched or rel.due is None:
            continue
        late = _release_lateness(m, rel.id, rel.due)
        if late is not None:
            lates.append(late)
            priorities.append(rel.priority)
    return cp_model.LinearExpr.weighted_sum(lates, priorities)


def _release_lateness(m: PlanModel, release: str, due: int) -> cp_model.IntVar | None:
    upper = last_end(m) - due
    if upper <= 0:
        return None
    late = m.model.new_int_var(0, upper, f"late[{release}]")
    for pv in m.vars.values():
        if pv.phase.release == release and not never(pv.placed):
            c = m.model.add(late >= pv.end - due)
            if not always(pv.placed):
                c.only_enforce_if(pv.placed)
    if release in m.fixed_release_ends:
        m.model.add(late >= m.fixed_release_ends[release] - due)
    m.late[release] = late
    return late


def makespan_term(m: PlanModel) -> cp_model.LinearExprT:
    """Soft: the end of the last placed phase."""
    fixed_end = max(
        (s + m.scenario.phase_by_id[p].duration for p, (_e, s) in m.hood.fixed.items()), default=0
    )
    makespan = m.model.new_int_var(fixed_end, last_end(m), "makespan")
    for pv in m.vars.values():
        if not never(pv.placed):
            c = m.model.add(makespan >= pv.end)
            if not always(pv.placed):
                c.only_enforce_if(pv.placed)
    m.makespan = makespan
    return makespan


def moved_bookings_term(m: PlanModel) -> cp_model.LinearExprT:
    """Soft: the number of movable bookings that change environment or start."""
    for pv in m.vars.values():
        booking = m.scenario.booking_by_phase.get(pv.phase.id)
        if booking is not None and not booking.pinned:
            same = _same_place_literal(m, pv, booking.environment, booking.start)
            m.same_place[pv.phase.id] = same
    moved = len(m.same_place) - cp_model.LinearExpr.sum(list(m.same_place.values()))
    if m.hood.max_moves is not None:
        m.model.add(moved <= m.hood.max_moves)  # Hard: the stability budget (solver.moves)
    return moved


def _same_place_literal(m: PlanModel, pv: PhaseVars, env_id: str, start: int) -> Literal:
    allowed = pv.domains.get(env_id, ())
    if env_id not in pv.on or not any(lo <= start <= hi for lo, hi in allowed):
        return 0
    same = m.model.new_bool_var(f"same_place[{pv.phase.id}]")
    on = pv.on[env_id]
    if not always(on):
        m.model.add_implication(same, on)
    m.model.add(pv.start == start).only_enforce_if(same)
    return same


def _timing_upper_bound(m: PlanModel) -> int:
    end = last_end(m)
    if m.objective_kind == "makespan":
        return end
    return sum(
        r.priority * max(0, end - r.due)
        for r in m.scenario.releases
        if r.due is not None and r.id in m.late
    )


def last_end(m: PlanModel) -> int:
    """The last day any phase can end: the horizon's end, or later where a pinned booking
    runs past it (kept all the same, as a clash)."""
    return max(
        [
            m.scenario.horizon_days,
            *(s + m.scenario.phase_by_id[p].duration for p, (_e, s) in m.hood.fixed.items()),
        ]
    )
