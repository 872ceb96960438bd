"""A baseline plan and a what-if plan side by side, as plain JSON-ready numbers.

* ``rows``: placed and unplaced phases, late releases, weighted tardiness, makespan,
  each with the baseline, the what-if and the difference.
* ``utilisation``: per environment type, booked environment-days over usable
  environment-days, both counted over the same span (day 0 to the later of the two
  plans' ends), so the two sides are comparable.
* ``shortfalls``: per type, environment-days short and the weeks they fall in: the
  capacity forecast (``forecast``, the capacity page's rule) of each scenario, with the
  demand outside it (open requests, bookings it cannot hold) from the what-if's snapshot.
* ``releases``: the releases whose lateness or placement differs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from envsched.planning.whatif.forecast import shortfalls
from envsched.planning.whatif.snapshot import Snapshot
from solver.plan import Plan
from solver.scenario import Scenario

METRICS = (
    "placed_phases",
    "unplaced_phases",
    "late_releases",
    "weighted_tardiness",
    "makespan_days",
)


def compare_plans(
    base: Scenario, base_plan: Plan, changed: Scenario, changed_plan: Plan, snapshot: Snapshot
) -> dict[str, Any]:
    span = max(base_plan.metrics.makespan_days, changed_plan.metrics.makespan_days, 1)
    return {
        "status": {"baseline": base_plan.status, "whatif": changed_plan.status},
        "rows": [
            _row(name, getattr(base_plan.metrics, name), getattr(changed_plan.metrics, name))
            for name in METRICS
        ],
        "utilisation": _side_by_side(
            utilisation(base, base_plan, span), utilisation(changed, changed_plan, span)
        ),
        "shortfalls": _side_by_side(
            shortfalls(base, snapshot), shortfalls(changed, snapshot, base)
        ),
        "releases": _release_changes(base, base_plan, changed_plan),
    }


def _row(metric: str, baseline: int, whatif: int) -> dict[str, Any]:
    return {"metric": metric, "baseline": baseline, "whatif": whatif, "change": whatif - baseline}


def _side_by_side(baseline: dict[str, Any], whatif: dict[str, Any]) -> dict[str, Any]:
    """Type -> {"baseline", "whatif"}; a type on one side only shows None on the other."""
    return {
        t: {"baseline": baseline.get(t), "whatif": whatif.get(t)}
        for t in sorted(set(baseline) | set(whatif))
    }


# -- utilisation ------------------------------------------------------------------------


def utilisation(scenario: Scenario, plan: Plan, span: int) -> dict[str, float]:
    """Type -> booked env-days / usable env-days over days ``[0, span)``, 3 decimals."""
    used: Counter[str] = Counter()
    usable: Counter[str] = Counter()
    for env in scenario.environments:
        blocked = scenario.blocked[env.id]
        free = sum(1 for day in range(span) if not any(w.overlaps(day, day + 1) for w in blocked))
        usable[env.type] += env.capacity * free
    for a in plan.assignments:
        for member in scenario.members.get(a.environment, ()):  # a stack: every member
            env_type = scenario.environment_by_id[member].type
            used[env_type] += max(0, min(a.end, span) - max(a.start, 0))
    return {t: round(used[t] / usable[t], 3) if usable[t] else 0.0 for t in sorted(usable)}


# -- releases ---------------------------------------------------------------------------


def _release_changes(base: Scenario, base_plan: Plan, changed_plan: Plan) -> list[dict[str, Any]]:
    """Releases whose end or lateness differ (both scenarios share their start day)."""

    def iso(day: int | None) -> str | None:
        return None if day is None else base.date(day).isoformat()

    before = {o.id: o for o in base_plan.releases}
    after = {o.id: o for o in changed_plan.releases}
    rows = []
    for ident in sorted(set(before) | set(after)):
        old, new = before.get(ident), after.get(ident)
        old_late = None if old is None else old.late_days
        new_late = None if new is None else new.late_days
        old_end = None if old is None else old.end
        new_end = None if new is None else new.end
        if (old_late, old_end) != (new_late, new_end):
            rows.append(
                {
                    "release": ident,
                    "baseline_late_days": old_late,
                    "whatif_late_days": new_late,
                    "baseline_end": iso(old_end),
                    "whatif_end": iso(new_end),
                }
            )
    return rows
