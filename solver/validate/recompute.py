"""What the plan reports about itself, checked against values recomputed from its
assignments alone: moved flags, release outcomes and every metric."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from solver.plan import Assignment, Metrics, Plan, ReleaseOutcome
from solver.scenario import Scenario
from solver.validate.assignments import is_moved, placements, release_of
from solver.validate.violation import Violation

# -- what the plan reports about itself ----------------------------------------------


def moved_flags(scenario: Scenario, placed: dict[str, Assignment]) -> Iterator[Violation]:
    """``moved`` is true exactly when a booked phase runs elsewhere or at another start."""
    for a in placed.values():
        if a.moved != is_moved(scenario, a):
            yield Violation(
                "moved_flag",
                f"{a.phase} is marked moved={a.moved} but its booking says moved={not a.moved}",
                a.phase,
            )


def release_outcomes(scenario: Scenario, plan: Plan) -> Iterator[Violation]:
    """Each release's end, due date and days late match what its placed phases give."""
    if not plan.has_plan and not plan.releases:
        return
    reported = {o.id: o for o in plan.releases}
    for expected in recompute_release_outcomes(scenario, plan):
        got = reported.pop(expected.id, None)
        if got is None:
            yield Violation("release_outcome", f"release {expected.id} has no outcome in the plan")
            continue
        for name in ("end", "due", "late_days"):
            if getattr(got, name) != getattr(expected, name):
                yield Violation(
                    "release_outcome",
                    f"release {expected.id} reports {name}="
                    f"{getattr(got, name)} but its phases give "
                    f"{getattr(expected, name)}",
                )
    for unknown in reported:
        yield Violation(
            "release_outcome",
            f"the plan reports release {unknown}, which is no release of the scenario",
        )


def metrics(scenario: Scenario, plan: Plan) -> Iterator[Violation]:
    """Every metric matches its value recomputed from the assignments."""
    expected = recompute_metrics(scenario, plan)
    for field in fields(Metrics):
        got, want = getattr(plan.metrics, field.name), getattr(expected, field.name)
        if got != want:
            yield Violation("metrics", f"metrics.{field.name} is {got} but the plan gives {want}")


# -- recomputed outcomes and metrics -------------------------------------------------


def recompute_release_outcomes(scenario: Scenario, plan: Plan) -> list[ReleaseOutcome]:
    """Per release, in scenario order: end of its last placed phase, due, days late."""
    ends: dict[str, int] = {}
    for a in placements(scenario, plan).values():
        release = release_of(scenario, a)
        ends[release] = max(ends.get(release, a.end), a.end)
    outcomes = []
    for rel in scenario.releases:
        end = ends.get(rel.id)
        late = max(0, end - rel.due) if end is not None and rel.due is not None else 0
        outcomes.append(ReleaseOutcome(id=rel.id, end=end, due=rel.due, late_days=late))
    return outcomes


def recompute_metrics(scenario: Scenario, plan: Plan) -> Metrics:
    """The plan's metrics, from its assignments and unplaced phases alone."""
    placed = placements(scenario, plan)
    unplaced = {u.phase for u in plan.unplaced if u.phase in scenario.phase_by_id}
    outcomes = recompute_release_outcomes(scenario, plan)
    priority = {rel.id: rel.priority for rel in scenario.releases}
    return Metrics(
        placed_phases=len(placed),
        unplaced_phases=len(unplaced),
        weighted_unplaced=sum(priority[scenario.phase_by_id[p].release] for p in unplaced),
        weighted_tardiness=sum(priority[o.id] * o.late_days for o in outcomes),
        late_releases=sum(1 for o in outcomes if o.late_days > 0),
        makespan_days=max((a.end for a in placed.values()), default=0),
        moved_bookings=sum(1 for a in placed.values() if is_moved(scenario, a))
        + sum(1 for p in unplaced if p in scenario.booking_by_phase),
    )
