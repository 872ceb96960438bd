"""The rules of a phase's placement, written once (docs/design.md, "Meaning").

Every path that writes a booking of a phase (request, approve, direct booking, move,
accept a proposal, offer freed days, import) asks ``check_placement``; the clash report
asks ``phase_breaks`` of every stored booking; slot suggestions ask ``phase_window``.
So the stored state is one the planner can plan, and what breaks a rule is a clash.

The environment's own days (capacity, changeover, maintenance, freezes) are checked by
``availability.check_fits``; here are the rules of the phase:

* ``eligibility``: the environment has the phase's type, its tags, and is among the
  environments it is limited to;
* ``earliest_start``: not before the release's earliest start nor the phase's own;
* ``order``: not before each predecessor is done plus the phase's gap (a predecessor not
  yet booked is done at the earliest its own rules allow), and done before each booked
  successor must start;
* ``one_per_phase``: at most one live booking per phase (the database enforces it too).

An environment manager may force a placement that breaks any rule but ``one_per_phase``
and capacity, with a reason: the booking is then stored, audited, and reported as a clash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from envsched.days import day_text, days_text
from envsched.errors import BookingConflict
from envsched.models import LIVE_STATUSES, Booking, Environment, Phase, Release

Rule = Literal["eligibility", "earliest_start", "order", "one_per_phase"]
RULES: tuple[Rule, ...] = get_args(Rule)
UNFORCEABLE: frozenset[Rule] = frozenset({"one_per_phase"})
DAY = dt.timedelta(days=1)
ONE_PER_PHASE_INDEX = "uq_booking_live_phase"


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
        super().__init__("; ".join(b.message for b in breaks), field=first.field)
        self.fields = {}  # every break said at its field, the first break's field first
        for b in breaks:
            self.fields[b.field] = "; ".join(filter(None, (self.fields.get(b.field), b.message)))
        self.breaks = list(breaks)

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["rule"] = self.breaks[0].rule
        data["breaks"] = [{"rule": b.rule, "message": b.message, "field": b.field,
                           "phases": list(b.phases), "bookings": list(b.booking_ids)}
                          for b in self.breaks]
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
        return phases[index - 1:index] if index else []

    def successors(self, phase: Phase) -> list[Phase]:
        return [p for p in self.release.phases if phase in self.predecessors(p)]

    def others(self, phase: Phase, booking_id: int | None) -> list[Held]:
        return [h for h in self.held.get(phase.key, []) if h.id != booking_id]


# -- reading --------------------------------------------------------------------------------

def release_plan(session: Session, release: Release, today: dt.date | None = None
                 ) -> ReleasePlan:
    """``release`` with the live bookings of its phases, in the caller's transaction."""
    rows = session.exec(_HELD, params={"release": release.id}).all()
    return ReleasePlan(release, _by_phase(rows), today)


def release_plans(session: Session) -> dict[int, ReleasePlan]:
    """Every release with its phases' live bookings (for the clash report): two queries."""
    rows = session.exec(_ALL_HELD).all()
    held: dict[int, list[tuple[str, int, str, dt.date, dt.date]]] = {}
    for release_id, *rest in rows:
        held.setdefault(release_id, []).append(tuple(rest))
    releases = session.exec(select(Release)).all()
    return {r.id or 0: ReleasePlan(r, _by_phase(held.get(r.id or 0, []))) for r in releases}


def _by_phase(rows: Iterable[Sequence[object]]) -> dict[str, list[Held]]:
    found: dict[str, list[Held]] = {}
    for key, *held in rows:
        found.setdefault(str(key), []).append(Held(*held))  # type: ignore[arg-type]
    return found


# -- the rules ------------------------------------------------------------------------------

def phase_breaks(plan: ReleasePlan, phase: Phase, env: Environment, start: dt.date,
                 end: dt.date, *, booking_id: int | None = None) -> list[RuleBreak]:
    """Every rule of ``phase`` that holding ``env`` on ``[start, end)`` breaks."""
    return [*_eligibility(phase, env), *_earliest_start(plan, phase, start),
            *_order(plan, phase, start, end, booking_id),
            *_one_per_phase(plan, phase, booking_id)]


def _eligibility(phase: Phase, env: Environment) -> list[RuleBreak]:
    problems = []
    if phase.type_id != env.type_id:
        problems.append(f"{phase.key} needs a {phase.type.name} environment, "
                        f"and {env.name} is {env.type.name}")
    if missing := sorted(set(phase.required_tags) - set(env.tags)):
        problems.append(f"{env.name} lacks the tags {', '.join(missing)}, "
                        f"which {phase.key} needs")
    if phase.environments is not None and env.name not in phase.environments:
        problems.append(f"{phase.key} may only use {', '.join(phase.environments)}")
    return [RuleBreak("eligibility", p, "environment", (phase.key,)) for p in problems]


def _earliest_start(plan: ReleasePlan, phase: Phase, start: dt.date) -> list[RuleBreak]:
    first, why = own_earliest(plan.release, phase)
    if first is None or start >= first:
        return []
    return [RuleBreak("earliest_start", f"{phase.key} cannot start before {day_text(first)} "
                                        f"({why}); {day_text(start)} is too early", "start",
                      (phase.key,),
                      days=(start, first))]


def own_earliest(release: Release, phase: Phase) -> tuple[dt.date | None, str]:
    """The first day ``phase`` may start by its release's and its own earliest start."""
    days = [(d, why) for d, why in ((release.earliest_start, f"{release.key}'s earliest start"),
                                    (phase.earliest_start, "its own earliest start")) if d]
    return max(days, key=lambda d: d[0]) if days else (None, "")


def _order(plan: ReleasePlan, phase: Phase, start: dt.date, end: dt.date,
           booking_id: int | None) -> list[RuleBreak]:
    found = []
    for pred in plan.predecessors(phase):
        done = done_by(plan, pred) + phase.gap_days * DAY
        if start < done:
            found.append(RuleBreak("order", f"{phase.key} cannot start before {pred.key} is "
                                            f"done{_gap(phase)}, on {day_text(done)}; "
                                            f"{day_text(start)} is too early",
                                   "start", (phase.key, pred.key), _ids(plan, pred),
                                   (start, min(done, end))))
    for succ in plan.successors(phase):
        for held in plan.others(succ, None):
            if held.id != booking_id and held.start < end + succ.gap_days * DAY:
                found.append(RuleBreak(
                    "order", f"{succ.key} is booked from {day_text(held.start)}, so {phase.key} "
                             f"must be done{_gap(succ)} by then; its last day would be "
                             f"{day_text(end - DAY)}",
                    "end", (phase.key, succ.key), (held.id,)))
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
        how = (f"is booked until {day_text(done - DAY)}" if plan.held.get(pred.key) else
               f"is not booked yet and is done on {day_text(done - DAY)} at the earliest")
        bounds.append((done + phase.gap_days * DAY, f"{pred.key} {how}{_gap(phase)}"))
    return max(bounds, key=lambda bound: bound[0])


def latest_end(plan: ReleasePlan, phase: Phase) -> dt.date | None:
    """The last end the rules allow ``phase``: before its earliest booked successor."""
    ends = [held.start - succ.gap_days * DAY
            for succ in plan.successors(phase) for held in plan.others(succ, None)]
    return min(ends) if ends else None


def _one_per_phase(plan: ReleasePlan, phase: Phase, booking_id: int | None) -> list[RuleBreak]:
    others = plan.others(phase, booking_id)
    if not others:
        return []
    held = others[0]
    return [RuleBreak("one_per_phase", f"{phase.key} is already booked on {held.environment}, "
                                       f"{days_text(held.start, held.end)}; move that "
                                       f"booking instead", "phase", (phase.key,),
                      tuple(h.id for h in others))]


def _gap(phase: Phase) -> str:
    return f" plus {phase.gap_days} day gap" if phase.gap_days else ""


def _ids(plan: ReleasePlan, phase: Phase) -> tuple[int, ...]:
    return tuple(h.id for h in plan.held.get(phase.key, []))


# -- what the write paths call ----------------------------------------------------------------

def check_placement(session: Session, phase: Phase, env: Environment, start: dt.date,
                    end: dt.date, *, today: dt.date | None = None, booking_id: int | None = None,
                    forced: bool = False) -> list[RuleBreak]:
    """Raise ``RuleBroken`` if the placement breaks a rule; forced, return what it breaks
    (and still raise for a rule no one may force)."""
    breaks = phase_breaks(release_plan(session, phase.release, today), phase, env, start, end,
                          booking_id=booking_id)
    refused = [b for b in breaks if not forced or b.rule in UNFORCEABLE]
    if refused:
        raise RuleBroken(refused)
    return breaks


def check_request(session: Session, phase: Phase, earliest: dt.date, last_end: dt.date | None,
                  duration: int, *, today: dt.date | None = None) -> None:
    """Raise ``RuleBroken`` unless some day of a request's window follows ``phase``'s rules."""
    plan = release_plan(session, phase.release, today)
    breaks = _one_per_phase(plan, phase, None)
    (first, why), last = first_start(plan, phase), latest_end(plan, phase)
    if last_end is not None and last_end < first + duration * DAY:
        rule: Rule = "earliest_start" if first == own_earliest(plan.release, phase)[0] else "order"
        breaks.append(RuleBreak(rule, f"{phase.key} cannot start before {day_text(first)} "
                                      f"({why}), and the days asked for end by "
                                      f"{day_text(last_end - DAY)}",
                                "earliest_start", (phase.key,)))
    if last is not None and earliest + duration * DAY > last:
        breaks.append(RuleBreak("order", f"{phase.key} must be done by {day_text(last - DAY)}, "
                                         f"before a later phase's booking; "
                                         f"{day_text(earliest)} is too late",
                                "earliest_start", (phase.key,)))
    if breaks:
        raise RuleBroken(breaks)


def is_second_booking(exc: IntegrityError) -> bool:
    """Whether the database refused a write for a second live booking of a phase."""
    text = str(exc.orig)
    return ONE_PER_PHASE_INDEX in text or "booking.phase_id" in text  # PostgreSQL, SQLite


def phase_window(session: Session, phase: Phase, today: dt.date | None = None
                 ) -> tuple[dt.date, dt.date | None]:
    """The days the rules leave ``phase``: first start, last end (None: open)."""
    plan = release_plan(session, phase.release, today)
    return earliest_start(plan, phase), latest_end(plan, phase)


@dataclass(frozen=True)
class Window:
    """The days the rules leave a phase, and why they start when they do."""

    first: dt.date
    why: str
    last_end: dt.date | None
    booked: list[Held]


def phase_days(session: Session, phase: Phase, today: dt.date | None = None) -> Window:
    plan = release_plan(session, phase.release, today)
    first, why = first_start(plan, phase)
    return Window(first, why, latest_end(plan, phase), plan.others(phase, None))


def is_booked(session: Session, phase: Phase, booking_id: int | None = None) -> list[Held]:
    """The live bookings of ``phase`` other than ``booking_id``."""
    return release_plan(session, phase.release).others(phase, booking_id)


_HELD_COLUMNS = (col(Phase.key), col(Booking.id), col(Environment.name), col(Booking.start),
                 col(Booking.end))
_LIVE = (col(Booking.status).in_(LIVE_STATUSES),)
# statements built once, values bound per call (as availability's hot path does)
_HELD: Any = (
    sa.select(*_HELD_COLUMNS).join(Phase, col(Booking.phase_id) == col(Phase.id))
    .join(Environment, col(Booking.environment_id) == col(Environment.id))
    .where(col(Phase.release_id) == sa.bindparam("release"), *_LIVE)
    .order_by(col(Booking.start), col(Booking.id)))
_ALL_HELD: Any = (
    sa.select(col(Phase.release_id), *_HELD_COLUMNS)
    .join(Phase, col(Booking.phase_id) == col(Phase.id))
    .join(Environment, col(Booking.environment_id) == col(Environment.id))
    .where(*_LIVE).order_by(col(Booking.start), col(Booking.id)))
