"""The scenario one planning round solves: the stored state, seen from ``now``.

``mapping.build_scenario`` turns rows into a scenario; this module adds what a round
needs on top, as pure changes to that scenario:

* it starts on the first day anything live runs (or today), so bookings already under
  way keep their place instead of falling out of the scenario;
* every booking that starts before the *fence* (today + ``near_term_days``) is pinned,
  and no movable phase may start before the fence: the next few days never change;
* phases already done (a released booking and no live one) leave the scenario, their
  successors waiting for the day they ended instead;
* ``booked`` names the stored live booking of each phase: the scenario's own, and the
  *strays* (``mapping``) the scenario cannot hold where they are, whose phase the plan
  places afresh: that placement is a move of the same booking. A stray that starts
  before the fence is pinned where it is instead (the plan reports what it breaks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from envsched.models import LIVE_STATUSES, Booking, BookingStatus
from envsched.planning.mapping import Stray, build_scenario, on_stacks
from solver import scenario as sc


@dataclass(frozen=True)
class Booked:
    """A phase's stored live booking as the round found it; ``stray`` says why the
    scenario could not hold it where it is ('' when it could)."""

    booking_id: int
    environment: str
    start: dt.date
    end: dt.date
    stray: str = ""


@dataclass(frozen=True)
class RoundScenario:
    """The scenario, the live booking behind each of its phases, and what was left out."""

    scenario: sc.Scenario
    booked: dict[str, Booked]  # phase key -> its live booking (the scenario's or a stray)
    fence: int  # first day a movable phase may start
    left_out: tuple[str, ...]
    unfenced: sc.Scenario  # before ``fenced``: the base of other what-ifs of the round

    def staying(self) -> sc.Scenario:
        """The round's scenario with every booking pinned where it is."""
        pinned = tuple(replace(b, pinned=True) for b in self.unfenced.bookings)
        return fenced(replace(self.unfenced, bookings=pinned), self.fence)


def round_scenario(
    session: Session, now: dt.datetime, *, near_term_days: int, horizon_days: int
) -> RoundScenario:
    today = now.date()
    live = session.exec(select(Booking).where(col(Booking.status).in_(LIVE_STATUSES))).all()
    start = min([today, *(b.start for b in live)])
    horizon = max([(today - start).days + horizon_days, *((b.end - start).days for b in live)])
    mapped = build_scenario(session, start=start, horizon_days=horizon, name="replan")
    fence = mapped.scenario.day(today) + near_term_days
    near = [s for s in mapped.strays if mapped.scenario.day(s.start) < fence]
    scenario = _pinned_where_they_are(mapped.scenario, near)
    unfenced = without_done(scenario, _done_phases(session, scenario))
    scenario = fenced(unfenced, fence)
    strays = [s for s in mapped.strays if s not in near]
    carriers = {i: stack for i, (stack, _phase, carries) in on_stacks(session).items() if carries}
    booked = {**_scenario_booked(live, scenario, carriers), **_strays_booked(strays)}
    return RoundScenario(scenario, booked, fence, mapped.left_out, unfenced)


def _pinned_where_they_are(scenario: sc.Scenario, strays: Sequence[Stray]) -> sc.Scenario:
    kept = tuple(
        sc.Booking(
            phase=s.phase, environment=s.environment, start=scenario.day(s.start), pinned=True
        )
        for s in strays
    )
    return replace(scenario, bookings=(*scenario.bookings, *kept)) if kept else scenario


def fenced(scenario: sc.Scenario, fence: int) -> sc.Scenario:
    """Pin bookings that start before ``fence``; movable phases start on or after it."""
    bookings = tuple(replace(b, pinned=b.pinned or b.start < fence) for b in scenario.bookings)
    pinned = {b.phase for b in bookings if b.pinned}
    releases = tuple(
        replace(
            rel,
            phases=tuple(
                ph
                if ph.id in pinned
                else replace(ph, earliest_start=max(ph.earliest_start or 0, fence))
                for ph in rel.phases
            ),
        )
        for rel in scenario.releases
    )
    return replace(scenario, bookings=bookings, releases=releases)


def without_done(scenario: sc.Scenario, done: Mapping[str, int]) -> sc.Scenario:
    """Drop the ``done`` phases (phase key -> day it ended); what waited for one of them
    waits for its remaining predecessors and starts no earlier than it ended plus its gap."""
    if not done:
        return scenario
    releases = []
    for rel in scenario.releases:
        phases = tuple(
            _without_done_predecessors(scenario, ph, done) for ph in rel.phases if ph.id not in done
        )
        if phases:
            releases.append(replace(rel, phases=phases))
    return replace(scenario, releases=tuple(releases))


def _without_done_predecessors(
    scenario: sc.Scenario, phase: sc.Phase, done: Mapping[str, int]
) -> sc.Phase:
    preds = scenario.predecessors[phase.id]
    if not any(p in done for p, _gap in preds):
        return phase
    ready = max(done[p] + gap for p, gap in preds if p in done)
    return replace(
        phase,
        after=tuple(p for p, _gap in preds if p not in done),
        earliest_start=max(phase.earliest_start or 0, ready),
    )


def _done_phases(session: Session, scenario: sc.Scenario) -> dict[str, int]:
    """Phases of the scenario without a live booking whose work was released (finished)."""
    booked = {b.phase for b in scenario.bookings}
    released = session.exec(
        select(Booking).where(
            Booking.status == BookingStatus.RELEASED, col(Booking.phase_id).is_not(None)
        )
    ).all()
    done: dict[str, int] = {}
    for booking in released:
        key = booking.phase.key if booking.phase else ""
        if key in scenario.phase_by_id and key not in booked:
            end = scenario.day(booking.end)
            done[key] = max(done.get(key, end), end)
    return done


def _scenario_booked(
    live: Sequence[Booking], scenario: sc.Scenario, carriers: Mapping[int, str]
) -> dict[str, Booked]:
    """The booking behind each scenario booking; one that carries a stack booking's phase
    is where the scenario has it: on its stack (``carriers``: booking id -> stack)."""

    def place(b: Booking) -> str:
        return carriers.get(b.id or 0, b.environment.name)

    by_place = {(b.phase.key, place(b), b.start): b for b in live if b.phase is not None}
    found = (
        by_place.get((b.phase, b.environment, scenario.date(b.start))) for b in scenario.bookings
    )
    return {
        b.phase.key: Booked(b.id or 0, place(b), b.start, b.end)
        for b in found
        if b is not None and b.phase is not None
    }


def _strays_booked(strays: Sequence[Stray]) -> dict[str, Booked]:
    return {s.phase: Booked(s.booking_id, s.environment, s.start, s.end, s.problem) for s in strays}
