"""The independent plan validator: every hard rule of docs/design.md, restated in plain Python.

It trusts nothing a planner says. Placements are checked against the scenario, and
release outcomes and metrics are recomputed from the assignments alone; on purpose this
package does not import ``solver.metrics``, so a bug there cannot vouch for itself.

One module per concept: ``placement`` (each phase, each environment), ``plan_rules``
(accounting, precedence, pinned bookings), ``clashes`` (what kept pinned bookings break:
excused in the plan, and listed in its clashes), ``recompute`` (what the plan reports
about itself). ``validate`` here runs them all, in that order.
"""

from __future__ import annotations

from collections import defaultdict

from solver.plan import Assignment, Plan
from solver.scenario import Scenario
from solver.validate import clashes, placement, plan_rules, recompute
from solver.validate.assignments import occupied, placements
from solver.validate.clashes import PinnedBreaks
from solver.validate.violation import Violation

__all__ = ["Violation", "validate"]


def validate(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every rule ``plan`` breaks against ``scenario``; an empty list means the plan is valid."""
    placed = placements(scenario, plan)
    breaks = PinnedBreaks(scenario)
    held = breaks.held(placed)
    by_env: dict[str, list[Assignment]] = defaultdict(list)
    for a in placed.values():
        for env_id in occupied(scenario, a.environment):  # a stack: each of its members
            by_env[env_id].append(a)
    found = [
        *plan_rules.status(plan),
        *plan_rules.accounting(scenario, plan),
        *plan_rules.unplaced_reasons(plan),
    ]
    for a in placed.values():
        found += placement.one_phase(scenario, scenario.phase_by_id[a.phase], a, a.phase in held)
    for env in scenario.environments:
        found += [
            *placement.capacity(scenario, env, by_env[env.id], held),
            *placement.changeover(scenario, env, by_env[env.id], held),
        ]
    found += [
        *plan_rules.order(scenario, plan, placed, breaks, held),
        *plan_rules.pinned(scenario, plan, placed),
        *clashes.listed(scenario, plan, breaks),
        *_reported(scenario, plan, placed),
    ]
    return found


def _reported(scenario: Scenario, plan: Plan, placed: dict[str, Assignment]) -> list[Violation]:
    """What the plan says about itself, each part checked only when the plan says it."""
    found: list[Violation] = []
    if "moved" not in plan.omitted:
        found += recompute.moved_flags(scenario, placed)
    if "releases" not in plan.omitted:
        found += recompute.release_outcomes(scenario, plan)
    if "metrics" not in plan.omitted:
        found += recompute.metrics(scenario, plan)
    return found
