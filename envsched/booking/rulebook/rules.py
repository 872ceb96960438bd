"""The rules of a phase's placement as pure functions over a release's phases and the
live bookings they hold (``ReleasePlan``): no database here, so the write paths, the
clash report and the gates all judge by the same code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from envsched.days import day_text, days_text
from envsched.errors import BookingConflict
from envsched.inventory import lacks_tags
from envsched.models import Environment, Phase, Release

Rule = Literal["eligibility", "earliest_start", "order", "one_per_phase", "quota"]
RULES: tuple[Rule, ...] = get_args(Rule)
UNFORCEABLE: frozenset[Rule] = frozenset({"one_per_phase"})
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class RuleBreak:
    """One rule a placement breaks: which, why, the input it is about, who else is involved."""

    rule: Rule
    message: str
    field: str
    phases: tuple[str, ...] = ()
    booking_ids: tuple[int, ...] = ()
    days: tuple[dt.date, dt.date] | None = None  # the days it is about, when not all of them


class RuleBroken(BookingConflict):
    """A placement breaks a rule of its phase; ``breaks`` says which (the first leads)."""

    code = "rule_broken"

    def __init__(self, breaks: Sequence[RuleBreak]) -> None:
        first = breaks[0]
        super().__init__("; ".join(b.message for b in breaks), field=first.field, rule=first.rule)
        self.fields = {}  # every break said at its field, the first break's field first
        for b in breaks:
            self.fields[b.field] = "; ".join(filter(None, (self.fields.get(b.field), b.message)))
        self.breaks = list(breaks)

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["rule"] = self.breaks[0].rule
        data["breaks"] = [
            {
                "rule": b.rule,
                "message": b.message,
                "field": b.field,
                "phases": list(b.phases),
                "bookings": list(b.booking_ids),
            }
            for b in self.breaks
        ]
        return data


@dataclass(frozen=True)
class Held:
    """A live booking of a phase, as the rules need it."""

    id: int
    environment: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ReleasePlan:
    """A release's phases and the live bookings each holds: all the phase rules read."""

    release: Release
    held: dict[str, list[Held]] = field(default_factory=dict)
    today: dt.date | None = None  # a phase not booked yet is done no earlier than from here

    def phase(self, key: str) -> Phase:
        return next(p for p in self.release.phases if p.key == key)

    def predecessors(self, phase: Phase) -> list[Phase]:
        """The phases ``phase`` waits for: its ``after`` list, or the one listed before it."""
        phases = list(self.release.phases)
        if phase.after is not None:
            return [p for p in phases if p.key in phase.after]
        index = next(i for i, p in enumerate(phases) if p.key == phase.key)
        return phases[index - 1 : index] if index else []

    def successors(self, phase: Phase) -> list[Phase]:
        return [p for p in self.release.phases if phase in self.predecessors(p)]

    def others(self, phase: Phase, booking_id: int | None) -> list[Held]:
        return [h for h in self.held.get(phase.key, []) if h.id != booking_id]


# -- the rules ------------------------------------------------------------------------------


def phase_breaks(
    plan: ReleasePlan,
    phase: Phase,
    env: Environment,
    start: dt.date,
    end: dt.date,
    *,
    booking_id: int | None = None,
) -> list[RuleBreak]:
    """Every rule of ``phase`` that holding ``env`` on ``[start, end)`` breaks."""
    return [
        *_eligibility(phase, env),
        *_earliest_start(plan, phase, start),
        *_order(plan, phase, start, end, booking_id),
        *one_per_phase(plan, phase, booking_id),
    ]


def _eligibility(phase: Phase, env: Environment) -> list[RuleBreak]:
    problems = []
    if phase.type_id != env.type_id:
        problems.append(
            f"{phase.key} needs a {phase.type.name} environment, and {env.name} is {env.type.name}"
        )
    if missing := sorted(set(phase.required_tags) - set(env.tags)):
        problems.append(f"{lacks_tags(env.name, missing)}, which {phase.key} needs")
    if phase.environments is not None and env.name not in phase.environments:
        problems.append(f"{phase.key} may only use {', '.join(phase.environments)}")
    return [RuleBreak("eligibility", p, "environment", (phase.key,)) for p in problems]


def _earliest_start(plan: ReleasePlan, phase: Phase, start: dt.date) -> list[RuleBreak]:
    first, why = own_earliest(plan.release, phase)
    if first is None or start >= first:
        return []
    return [
        RuleBreak(
            "earliest_start",
            f"{phase.key} cannot start before {day_text(first)} "
            f"({why}); {day_text(start)} is too early",
            "start",
            (phase.key,),
            days=(start, first),
        )
    ]


def own_earliest(release: Release, phase: Phase) -> tuple[dt.date | None, str]:
    """The first day ``phase`` may start by its release's and its own earliest start."""
    days = [
        (d, why)
        for d, why in (
            (release.earliest_start, f"{release.key}'s earliest start"),
            (phase.earliest_start, "its own earliest start"),
        )
        if d
    ]
    return max(days, key=lambda d: d[0]) if days else (None, "")


def _order(
    plan: ReleasePlan, phase: Phase, start: dt.date, end: dt.date, booking_id: int | None
) -> list[RuleBreak]:
    found = []
    for pred in plan.predecessors(phase):
        done = done_by(plan, pred) + phase.gap_days * DAY
        if start < done:
            found.append(
                RuleBreak(
                    "order",
                    f"{phase.key} cannot start before {pred.key} is done"
                    f"{_gap(phase, ' and {} has passed')}: {day_text(done)} at the earliest; "
                    f"{day_text(start)} is too early",
                    "start",
                    (phase.key, pred.key),
                    _ids(plan, pred),
                    (start, min(done, end)),
                )
            )
    for succ in plan.successors(phase):
        for held in plan.others(succ, None):
            if held.id != booking_id and held.start < end + succ.gap_days * DAY:
                found.append(
                    RuleBreak(
                        "order",
                        f"{succ.key} is booked from {day_text(held.start)}, so {phase.key} "
                        f"must end{_gap(succ, ', with {},')} before then; its last day would be "
                        f"{day_text(end - DAY)}",
                        "end",
                        (phase.key, succ.key),
                        (held.id,),
                    )
                )
    return found


def done_by(plan: ReleasePlan, phase: Phase) -> dt.date:
    """When ``phase`` is done: its live booking's end, or else the earliest its rules allow."""
    held = plan.held.get(phase.key)
    if held:
        return max(h.end for h in held)
    return max(earliest_start(plan, phase), plan.today or dt.date.min) + phase.duration_days * DAY


def earliest_start(plan: ReleasePlan, phase: Phase) -> dt.date:
    """The first day the rules let ``phase`` start (``date.min`` when nothing bounds it)."""
    return first_start(plan, phase)[0]


def first_start(plan: ReleasePlan, phase: Phase) -> tuple[dt.date, str]:
    """``earliest_start`` and why, in words ("" when nothing bounds it)."""
    own, why = own_earliest(plan.release, phase)
    bounds = [(own or dt.date.min, why)]
    for pred in plan.predecessors(phase):
        done = done_by(plan, pred)
        how = (
            f"is booked until {day_text(done - DAY)}"
            if plan.held.get(pred.key)
            else f"is not booked yet and is done on {day_text(done - DAY)} at the earliest"
        )
        bounds.append((done + phase.gap_days * DAY, f"{pred.key} {how}{_gap(phase, ', then {}')}"))
    return max(bounds, key=lambda bound: bound[0])


def latest_end(plan: ReleasePlan, phase: Phase) -> dt.date | None:
    """The last end the rules allow ``phase``: before its earliest booked successor."""
    return last_end(plan, phase)[0]


def last_end(plan: ReleasePlan, phase: Phase) -> tuple[dt.date | None, str]:
    """``latest_end`` and why, in words ("CRM-STG is booked from 2 Mar 2027"; "" when open)."""
    ends = [
        (
            held.start - succ.gap_days * DAY,
            f"{succ.key} is booked from {day_text(held.start)}{_gap(succ, ', with {} before it')}",
        )
        for succ in plan.successors(phase)
        for held in plan.others(succ, None)
    ]
    return min(ends, key=lambda end: end[0]) if ends else (None, "")


def one_per_phase(
    plan: ReleasePlan, phase: Phase, booking_id: int | None, *, holder: str | None = None
) -> list[RuleBreak]:
    """A phase has one live booking. ``holder`` (whose booking it is) words the refusal for
    a requester, who cannot move bookings; without it, for whoever books."""
    others = plan.others(phase, booking_id)
    if not others:
        return []
    return [
        RuleBreak(
            "one_per_phase",
            already_booked(phase.key, others[0], holder),
            "phase",
            (phase.key,),
            tuple(h.id for h in others),
        )
    ]


def already_booked(key: str, held: Held, holder: str | None = None) -> str:
    """``key`` is booked already: where, and what to do about it (see ``one_per_phase``)."""
    where = f"{key} is already booked on {held.environment}, {days_text(held.start, held.end)}"
    if holder is None:
        return f"{where}; move that booking instead"
    return (
        f"{where}, a booking {holder} holds; choose another phase, or ask an "
        f"environment manager to move or cancel that booking"
    )


def _gap(phase: Phase, words: str) -> str:
    """``words`` with the phase's gap before it in them ("a 1-day gap"); "" for no gap."""
    return words.format(f"a {phase.gap_days}-day gap") if phase.gap_days else ""


def _ids(plan: ReleasePlan, phase: Phase) -> tuple[int, ...]:
    return tuple(h.id for h in plan.held.get(phase.key, []))
