"""The fast baseline: dispatch releases one by one, each phase at its earliest fit.

``dispatch`` is also the warm start of the CP-SAT planner, called with several release
orders, so it is quick (one ``earliest_among`` the eligible environments per phase, each
search bounded by the best start found so far) and touches nothing but the calendar it
builds or is given.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from solver.calendar import EnvironmentCalendar, latest_starts, ready_day
from solver.explain import (
    calendar_of,
    describe_unplaced,
    explain_late_placed,
)
from solver.in_force import keep_bookings_in_force
from solver.metrics import compute_metrics, release_outcomes
from solver.options import Options, Progress
from solver.pinned_plan import keeping_pinned
from solver.plan import Assignment, Plan, ReleaseOutcome, SolverInfo, Unplaced
from solver.scenario import Phase, Scenario, topological_order


def greedy_plan(scenario: Scenario, options: Options) -> Plan:
    """The plan ``envsched plan --method greedy`` returns: always FEASIBLE, every pinned
    booking kept and the rules they break listed as clashes."""
    return keeping_pinned(scenario, lambda planned: _greedy(planned, options))


def _greedy(scenario: Scenario, options: Options) -> Plan:
    started = time.perf_counter()
    assignments, unplaced = dispatch(scenario, fcfs_order(scenario))
    releases = explained_outcomes(scenario, assignments)
    info = _info(started)
    options.report(
        Progress(
            elapsed=info.seconds,
            stage="greedy",
            message=f"{len(assignments)} placed, {len(unplaced)} unplaced",
        )
    )
    return Plan(
        scenario=scenario.name,
        status="FEASIBLE",
        solver=info,
        assignments=tuple(assignments),
        unplaced=tuple(unplaced),
        releases=tuple(releases),
        metrics=compute_metrics(scenario, assignments, unplaced),
    )


def stranded_pinned(scenario: Scenario, unplaced: Sequence[Unplaced]) -> list[str]:
    """Pinned phases whose predecessor found no room before them (each an order clash)."""
    reasons = {u.phase: u.reason for u in unplaced}
    return [
        f"pinned {b.phase} needs {pred} to end before it, but {reasons[pred]}"
        for b in scenario.bookings
        if b.pinned
        for pred, _gap in scenario.predecessors.get(b.phase, ())
        if pred in reasons
    ]


def _info(started: float) -> SolverInfo:
    return SolverInfo(method="greedy", seconds=time.perf_counter() - started, workers=1)


def explained_outcomes(
    scenario: Scenario, assignments: Sequence[Assignment]
) -> list[ReleaseOutcome]:
    """Release outcomes, each late one with the reason it is late."""
    calendar = calendar_of(scenario, assignments)
    placed = {a.phase: a for a in assignments}
    return [
        replace(o, reason=explain_late_placed(scenario, o.id, placed, calendar))
        if o.late_days
        else o
        for o in release_outcomes(scenario, assignments)
    ]


def fcfs_order(scenario: Scenario) -> list[str]:
    """First come, first served: earliest start, then higher priority, then scenario order."""
    ranked = sorted(
        enumerate(scenario.releases),
        key=lambda item: (item[1].earliest_start, -item[1].priority, item[0]),
    )
    return [release.id for _index, release in ranked]


def dispatch(
    scenario: Scenario,
    release_order: Sequence[str],
    calendar: EnvironmentCalendar | None = None,
    keep_bookings: bool = True,
) -> tuple[list[Assignment], list[Unplaced]]:
    """Place pinned bookings, then (``keep_bookings``) every other booking that still
    fits, then every release in ``release_order`` phase by phase (the predecessors of
    pinned phases first, so that they fit before them).

    Releases missing from the order follow in scenario order. A given calendar is filled
    in place, and the phases it already holds stay where they are (how a large
    neighbourhood search re-inserts the phases it removed). Returns every placed phase
    (in scenario order) and every unplaced one with its reason.
    """
    calendar = calendar if calendar is not None else EnvironmentCalendar(scenario)
    place_pinned(scenario, calendar)
    if keep_bookings:
        keep_bookings_in_force(scenario, calendar)
    fixed = {phase_id: occ.start for phase_id, _env, occ in calendar.placements()}
    run = Dispatch(scenario, calendar, keep_bookings, latest_starts(scenario, fixed))
    by_release = phases_by_release(scenario)
    order = _complete_order(scenario, release_order)
    run.place_all([ph for rid in order for ph in by_release[rid]])
    return _assignments(scenario, calendar), run.unplaced


def place_pinned(scenario: Scenario, calendar: EnvironmentCalendar) -> None:
    """Put every pinned booking on the calendar exactly as given (unless already there)."""
    for booking in scenario.bookings:
        if booking.pinned and calendar.placement(booking.phase) is None:
            phase = scenario.phase_by_id[booking.phase]
            calendar.occupy(
                booking.environment,
                booking.start,
                booking.start + phase.duration,
                phase.release,
                phase.id,
            )


def _complete_order(scenario: Scenario, release_order: Sequence[str]) -> list[str]:
    unknown = [rid for rid in release_order if rid not in scenario.release_by_id]
    if unknown:
        raise ValueError(f"unknown releases in the order: {', '.join(unknown)}")
    ordered = dict.fromkeys(release_order)
    return [*ordered, *(rel.id for rel in scenario.releases if rel.id not in ordered)]


def phases_by_release(scenario: Scenario) -> dict[str, list[Phase]]:
    """Each release's phases in precedence order."""
    grouped: dict[str, list[Phase]] = {rel.id: [] for rel in scenario.releases}
    for phase_id in topological_order(scenario):
        phase = scenario.phase_by_id[phase_id]
        grouped[phase.release].append(phase)
    return grouped


def _assignments(scenario: Scenario, calendar: EnvironmentCalendar) -> list[Assignment]:
    result = []
    for phase in scenario.phases:
        placed = calendar.placement(phase.id)
        if placed is not None:
            env_id, occ = placed
            booking = scenario.booking_by_phase.get(phase.id)
            moved = booking is not None and (booking.environment, booking.start) != (
                env_id,
                occ.start,
            )
            result.append(Assignment(phase.id, phase.release, env_id, occ.start, occ.end, moved))
    return result


class Dispatch:
    """One dispatch pass: places phases one at a time on the shared calendar.

    ``explain`` off leaves the reasons of unplaced phases empty: the ruin-and-recreate
    search re-places a few phases thousands of times and never shows them."""

    def __init__(
        self,
        scenario: Scenario,
        calendar: EnvironmentCalendar,
        keep_bookings: bool,
        latest: dict[str, int],
        explain: bool = True,
    ) -> None:
        self.scenario = scenario
        self.calendar = calendar
        self.keep_bookings = keep_bookings
        self.latest = latest
        self.explain = explain
        self.unplaced: list[Unplaced] = []
        self.left: set[str] = set()

    def place_all(self, phases: Sequence[Phase]) -> None:
        """Each phase in turn; those that must end before a fixed (pinned) successor go
        first, while room is left."""
        self.place_urgent(phases)
        for phase in phases:
            self.place(phase)

    def place_urgent(self, phases: Sequence[Phase]) -> None:
        """Only the phases that must end before a fixed (pinned) successor."""
        for phase in phases:
            if phase.id in self.latest:
                self.place(phase)

    def place(self, phase: Phase) -> None:
        # a phase left unplaced in the first pass (no room before its pinned successor)
        # finds none in the second either: the calendar only fills up
        if self.calendar.placement(phase.id) is not None or phase.id in self.left:
            return
        missing = self._unplaced_predecessor(phase)
        if missing is not None:
            self._leave(phase, f"predecessor {missing} is unplaced")
            return
        ready = ready_day(self.scenario, phase, self._predecessor_ends(phase))
        spot = self._kept_booking(phase, ready) or self._earliest_spot(phase, ready)
        if spot is None:
            self._leave(phase, self._reason(phase))
            return
        env_id, start = spot
        self.calendar.occupy(env_id, start, start + phase.duration, phase.release, phase.id)

    def _reason(self, phase: Phase) -> str:
        if not self.explain:
            return ""
        return describe_unplaced(self.scenario, phase.id, self.calendar, self.latest.get(phase.id))

    def _kept_booking(self, phase: Phase, ready: int) -> tuple[str, int] | None:
        """The phase's own (non-pinned) booking, when it still fits there in time."""
        booking = self.scenario.booking_by_phase.get(phase.id)
        if not self.keep_bookings or booking is None:
            return None
        if booking.environment not in self.scenario.eligible[phase.id]:
            return None
        start, latest = booking.start, self.latest.get(phase.id, booking.start)
        if start < ready or start > latest:
            return None
        if not self.calendar.fits(
            booking.environment, start, start + phase.duration, phase.release
        ):
            return None
        return booking.environment, start

    def _earliest_spot(self, phase: Phase, ready: int) -> tuple[str, int] | None:
        """Earliest start over the eligible environments; ties go to the one listed first."""
        return self.calendar.earliest_among(
            self.scenario.eligible[phase.id],
            ready,
            phase.duration,
            phase.release,
            self.latest.get(phase.id),
        )

    def _unplaced_predecessor(self, phase: Phase) -> str | None:
        for pred, _gap in self.scenario.predecessors[phase.id]:
            if self.calendar.placement(pred) is None:
                return pred
        return None

    def _predecessor_ends(self, phase: Phase) -> dict[str, int]:
        ends = {}
        for pred, _gap in self.scenario.predecessors[phase.id]:
            placed = self.calendar.placement(pred)
            if placed is not None:
                ends[pred] = placed[1].end
        return ends

    def _leave(self, phase: Phase, reason: str) -> None:
        self.unplaced.append(Unplaced(phase.id, phase.release, reason))
        self.left.add(phase.id)
