"""What pinned bookings break: each rule a kept pinned booking breaks, as a Clash.

Found from the scenario alone, before any planning (docs/design.md, "Meaning", says what
each rule means for a pinned booking). The planners plan around them (``pinned_plan``);
``solver.validate`` restates all of this on its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from solver.explain import blocking_windows, describe_window
from solver.pinned_crowding import crowding
from solver.plan import CLASH_RULES, Clash
from solver.scenario import Booking, Freeze, Phase, Scenario, topological_order


def pinned_clashes(scenario: Scenario) -> list[Clash]:
    """Every rule the pinned bookings break, in booking order, then rule order."""
    kept = kept_pinned(scenario)
    found = [c for b in scenario.bookings if b.pinned for c in _unknown(scenario, b)]
    found += [c for b in kept for c in _own_rules(scenario, b)]
    found += [
        clash(scenario, c.booking, c.rule, c.message, c.partners) for c in crowding(scenario, kept)
    ]
    found += order_clashes(scenario, kept)
    return in_booking_order(scenario, found)


def kept_pinned(scenario: Scenario) -> list[Booking]:
    """The pinned bookings that can be kept: their phase and environment exist."""
    return [
        b
        for b in scenario.bookings
        if b.pinned and b.phase in scenario.phase_by_id and b.environment in scenario.members
    ]


def clash(
    scenario: Scenario, booking: Booking, rule: str, message: str, involves: Sequence[str] = ()
) -> Clash:
    phase = scenario.phase_by_id.get(booking.phase)
    end = booking.start + phase.duration if phase else None
    return Clash(
        booking.phase,
        phase.release if phase else "",
        booking.environment,
        booking.start,
        end,
        rule,
        message,
        tuple(sorted(involves)),
    )


def in_booking_order(scenario: Scenario, clashes: Sequence[Clash]) -> list[Clash]:
    """Sorted by the scenario's booking order, then by rule and the phases involved."""
    rank = {b.phase: i for i, b in reversed(list(enumerate(scenario.bookings)))}
    return sorted(
        clashes, key=lambda c: (rank.get(c.phase, len(rank)), CLASH_RULES.index(c.rule), c.involves)
    )


# -- a booking on its own ------------------------------------------------------------------


def _unknown(scenario: Scenario, booking: Booking) -> Iterator[Clash]:
    where = f"pinned booking of {booking.phase} on {booking.environment}"
    if booking.phase not in scenario.phase_by_id:
        yield clash(
            scenario,
            booking,
            "unknown_phase",
            f"{where} names no phase of the scenario; it is ignored",
        )
    elif booking.environment not in scenario.members:
        yield clash(
            scenario,
            booking,
            "unknown_environment",
            f"{where} names no environment of the scenario; the phase is planned anew",
        )


def _own_rules(scenario: Scenario, booking: Booking) -> Iterator[Clash]:
    """Eligibility, horizon, earliest start, windows and freezes."""
    phase = scenario.phase_by_id[booking.phase]
    place = booking.environment  # an environment, or a stack
    start, end = booking.start, booking.start + phase.duration
    where = f"pinned {phase.id} on {place} ({_span(scenario, start, end)})"
    if place not in scenario.eligible[phase.id]:
        yield clash(
            scenario,
            booking,
            "eligibility",
            f"{where}: {place} is not eligible for it ({_ineligible(scenario, phase, place)})",
        )
    if start < 0 or end > scenario.horizon_days:
        yield clash(
            scenario,
            booking,
            "horizon",
            f"{where} runs outside the "
            f"{scenario.horizon_days}-day horizon from {scenario.start.isoformat()}",
        )
    limit = earliest_start_limit(scenario, phase)
    if start < limit:
        yield clash(
            scenario,
            booking,
            "earliest_start",
            f"{where} starts before its earliest start {scenario.date(limit).isoformat()}",
        )
    for window in blocking_windows(scenario, place, start, end):
        rule = "freeze" if isinstance(window, Freeze) else "unavailable"
        yield clash(
            scenario,
            booking,
            rule,
            f"{where} overlaps {place} "
            f"{describe_window(window)} ({_span(scenario, window.start, window.end)})",
        )


def earliest_start_limit(scenario: Scenario, phase: Phase) -> int:
    """The release's earliest start, or the phase's own when that is later."""
    release = scenario.release_by_id[phase.release]
    own = phase.earliest_start if phase.earliest_start is not None else release.earliest_start
    return max(release.earliest_start, own)


def _ineligible(scenario: Scenario, phase: Phase, place: str) -> str:
    if phase.stacks is not None:
        if place not in scenario.members or place in scenario.environment_by_id:
            return "the phase needs a whole stack"
        if place not in phase.stacks:
            return f"not among {', '.join(phase.stacks)}"
        return f"no member is a {phase.type} environment with the required tags"
    if place not in scenario.environment_by_id:
        return "the phase needs one environment, not a stack"
    env = scenario.environment_by_id[place]
    if env.type != phase.type:
        return f"of type {env.type}, not {phase.type}"
    if missing := sorted(phase.requires_tags - env.tags):
        return f"lacks the tag(s) {', '.join(missing)}"
    return f"not among {', '.join(phase.environments or ())}"


def _span(scenario: Scenario, start: int, end: int) -> str:
    """``[start, end)`` as its first and last day, for a person to read."""
    first, last = scenario.date(start).isoformat(), scenario.date(end - 1).isoformat()
    return first if first == last else f"{first} to {last}"


# -- order -----------------------------------------------------------------------------


def order_clashes(scenario: Scenario, kept: Sequence[Booking]) -> list[Clash]:
    """Pinned phases that start before a predecessor can end (plus the gap) by the order
    alone: the pinned predecessor's own end, or the earliest end of a free one."""
    fixed = {b.phase: b for b in kept}
    ends = ends_by_order(scenario, {p: b.start for p, b in fixed.items()})
    found = []
    for booking in kept:
        for pred, gap in scenario.predecessors[booking.phase]:
            if booking.start < ends[pred] + gap:
                found.append(
                    clash(
                        scenario,
                        booking,
                        "order",
                        _order_message(scenario, booking, pred, ends[pred] + gap, pred in fixed),
                        [pred],
                    )
                )
    return found


def ends_by_order(scenario: Scenario, fixed: dict[str, int]) -> dict[str, int]:
    """Phase id -> its end by the order alone: a fixed phase's own (``fixed`` maps phase ids
    to starts), else the earliest its earliest starts, gaps and predecessors allow."""
    ends: dict[str, int] = {}
    for phase_id in topological_order(scenario):
        phase = scenario.phase_by_id[phase_id]
        start = fixed.get(phase_id)
        if start is None:
            start = scenario.release_start(phase)
            for pred, gap in scenario.predecessors[phase_id]:
                start = max(start, ends[pred] + gap)
        ends[phase_id] = start + phase.duration
    return ends


def _order_message(
    scenario: Scenario, booking: Booking, pred: str, ready: int, pinned: bool
) -> str:
    kind = "its pinned predecessor" if pinned else "its predecessor"
    return (
        f"pinned {booking.phase} starts on {scenario.date(booking.start).isoformat()} "
        f"but {kind} {pred} lets it start on {scenario.date(ready).isoformat()} at the "
        "earliest"
    )


def stranded_clashes(scenario: Scenario, unplaced: dict[str, str]) -> list[Clash]:
    """Pinned phases kept although a predecessor they do wait for is unplaced (it found no
    room before them); ``unplaced`` maps phase ids to the reason."""
    return [
        clash(
            scenario,
            booking,
            "order",
            f"pinned {booking.phase} is kept though its "
            f"predecessor {pred} is unplaced: {unplaced[pred]}",
            [pred],
        )
        for booking in kept_pinned(scenario)
        for pred, _gap in scenario.predecessors[booking.phase]
        if pred in unplaced
    ]
