"""Hard rules on the plan as a whole and between its phases: every phase accounted for
once, precedence with its gaps, pinned bookings kept in place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from solver.plan import Assignment, Plan
from solver.scenario import Scenario
from solver.validate.assignments import occupied
from solver.validate.clashes import PinnedBreaks
from solver.validate.violation import Violation, on

# -- the plan as a whole -------------------------------------------------------------


def status(plan: Plan) -> Iterator[Violation]:
    """An INFEASIBLE plan says which rule contradicts itself, in its reason."""
    if plan.status == "INFEASIBLE" and not plan.reason.strip():
        yield Violation("status", "the plan is INFEASIBLE but gives no reason saying why")


def accounting(scenario: Scenario, plan: Plan) -> Iterator[Violation]:
    """Every phase appears exactly once, placed or unplaced, under its own release.

    A plan without a solution (INFEASIBLE, UNKNOWN) may leave phases out.
    """
    entries = [(a.phase, a.release) for a in plan.assignments]
    entries += [(u.phase, u.release) for u in plan.unplaced]
    seen = Counter(phase_id for phase_id, _release in entries)
    for phase_id, release in entries:
        phase = scenario.phase_by_id.get(phase_id)
        if phase is None:
            yield Violation(
                "unknown_phase",
                f"the plan lists {phase_id}, which is no phase of the scenario",
                phase_id,
            )
        elif release != phase.release:
            yield Violation(
                "wrong_release",
                f"the plan lists {phase_id} under release "
                f"{release} but it belongs to {phase.release}",
                phase_id,
            )
    for phase_id, count in seen.items():
        if count > 1 and phase_id in scenario.phase_by_id:
            yield Violation(
                "duplicate_phase",
                f"{phase_id} appears {count} times in the plan; "
                "it must be placed or unplaced exactly once",
                phase_id,
            )
    if plan.has_plan:
        for phase in scenario.phases:
            if phase.id not in seen:
                yield Violation(
                    "missing_phase", f"{phase.id} is neither placed nor reported unplaced", phase.id
                )


def unplaced_reasons(plan: Plan) -> Iterator[Violation]:
    """A phase that cannot be placed is reported with a reason."""
    for u in plan.unplaced:
        if not u.reason.strip():
            yield Violation("unplaced_reason", f"{u.phase} is unplaced without a reason", u.phase)


# -- between phases ------------------------------------------------------------------


def order(
    scenario: Scenario,
    plan: Plan,
    placed: dict[str, Assignment],
    breaks: PinnedBreaks,
    held: frozenset[str],
) -> Iterator[Violation]:
    """Each phase starts no earlier than each predecessor's end plus its gap.

    A placed phase never waits for an unplaced one: successors of unplaced phases are
    unplaced too. A kept pinned phase is excused what its clashes say (``PinnedBreaks``).
    """
    unplaced = {u.phase for u in plan.unplaced}
    for phase_id, a in placed.items():
        for pred, gap in scenario.predecessors[phase_id]:
            if breaks.excuses_order(held, unplaced, phase_id, pred):
                continue
            if pred in unplaced:
                yield Violation(
                    "successor_of_unplaced",
                    f"{phase_id} is placed but its predecessor {pred} is unplaced",
                    phase_id,
                )
            elif pred in placed and a.start < placed[pred].end + gap:
                ready = placed[pred].end + gap
                yield Violation(
                    "order",
                    f"{phase_id} starts on {on(scenario, a.start)} but "
                    f"must wait for {pred} (ends {on(scenario, placed[pred].end)}) "
                    f"plus {gap} gap day(s), until {on(scenario, ready)}",
                    phase_id,
                )


def pinned(scenario: Scenario, plan: Plan, placed: dict[str, Assignment]) -> Iterator[Violation]:
    """A pinned booking is kept exactly as it is: placed, same environment, same start.

    One naming an unknown phase or environment cannot be kept (it is a clash)."""
    for booking in scenario.bookings:
        known = booking.phase in scenario.phase_by_id and bool(
            occupied(scenario, booking.environment)
        )
        if not booking.pinned or not known:
            continue
        pinned_at = f"{booking.environment} from {on(scenario, booking.start)}"
        a = placed.get(booking.phase)
        if a is None and plan.has_plan:
            yield Violation(
                "pinned_moved",
                f"{booking.phase} is pinned on {pinned_at} but is not placed",
                booking.phase,
            )
        elif a is not None and (a.environment, a.start) != (booking.environment, booking.start):
            yield Violation(
                "pinned_moved",
                f"{booking.phase} is pinned on {pinned_at} but is "
                f"placed on {a.environment} from {on(scenario, a.start)}",
                booking.phase,
            )
