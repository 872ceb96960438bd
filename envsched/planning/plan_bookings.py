"""A plan, written back as tentative bookings: the planner proposes, people confirm.

One transaction: the previous tentative bookings of every phase the plan places are
cancelled, and each placement becomes a new tentative booking, checked under the
environment's lock like any other booking, by the rulebook and by the team quota of
whoever writes the plan back (who books it; the bookings it replaces no longer count), so
a plan past a quota is refused naming it and nothing is written. Confirmed and in-use
bookings are never touched (the scenario pinned them, so the plan keeps them where they
are). A placement on a stack books every member (``booking.place_stack``), and replacing
it cancels every member's tentative booking.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from envsched import audit
from envsched.booking import (
    booking_transaction,
    check_placement,
    check_quota,
    place_stack,
    stack_partners,
)
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, InvalidScenario
from envsched.inventory import check_fits, environment_named, lock_environment
from envsched.models import Booking, BookingStatus, Phase, User
from solver.plan import Assignment, Plan
from solver.scenario import Scenario
from solver.validate import validate

REPLACED_NOTE = "replaced by a new plan"
# The planner never moves these (``mapping`` pins them in the scenario).
PINNED_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.IN_USE)


def apply_plan_as_tentative(
    sessions: SessionFactory,
    scenario: Scenario,
    plan: Plan,
    now: dt.datetime,
    *,
    actor: User | None = None,
) -> list[Booking]:
    """Store ``plan``'s placements as tentative bookings; returns the bookings created.

    The plan must be valid for ``scenario`` (the one it was made from, built by
    ``mapping.build_scenario``); a placement that no longer fits the stored state
    raises ``BookingConflict`` and nothing is written.
    """
    _check_plan(scenario, plan)
    with booking_transaction(sessions) as session:
        movable = [a for a in plan.assignments if not _has_pinned_booking(session, a.phase)]
        for assignment in movable:
            _cancel_tentative(session, assignment.phase, actor=actor, now=now)
        session.flush()  # free the days before the new bookings are checked and inserted
        # earliest first: a phase's predecessors are booked before the rulebook checks it
        created = [
            _book(session, scenario, a, actor=actor, now=now)
            for a in sorted(movable, key=lambda a: (a.start, a.phase))
        ]
    return created


def _check_plan(scenario: Scenario, plan: Plan) -> None:
    if not plan.has_plan:
        raise InvalidInput("plan", f"a {plan.status} plan has no placements to apply")
    violations = validate(scenario, plan)
    if violations:
        raise InvalidScenario(
            f"the plan breaks its scenario ({len(violations)} violations, "
            f"first: {violations[0].message})",
            path="plan",
        )


def _phase(session: Session, key: str) -> Phase:
    phase = session.exec(select(Phase).where(Phase.key == key)).first()
    if phase is None:
        raise InvalidInput("plan", f"the plan places phase {key!r}, which is not stored")
    return phase


def _has_pinned_booking(session: Session, key: str) -> bool:
    phase = _phase(session, key)
    found = session.exec(select(Booking).where(Booking.phase_id == phase.id)).all()
    return any(b.status in PINNED_STATUSES for b in found)


def _cancel_tentative(session: Session, key: str, *, actor: User | None, now: dt.datetime) -> None:
    phase = _phase(session, key)
    query = select(Booking).where(
        Booking.phase_id == phase.id, Booking.status == BookingStatus.TENTATIVE
    )
    for found in session.exec(query).all():
        for booking in [found, *stack_partners(session, found.id or 0)]:
            if booking.status != BookingStatus.TENTATIVE:
                continue
            before = audit.snapshot(booking)
            booking.status = BookingStatus.CANCELLED
            booking.note = f"{booking.note}\n{REPLACED_NOTE}".strip()
            booking.updated_at = now
            audit.record(session, actor=actor, now=now, action="replan", row=booking, before=before)


def _book(
    session: Session,
    scenario: Scenario,
    assignment: Assignment,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Booking:
    phase = _phase(session, assignment.phase)
    if assignment.environment not in scenario.environment_by_id:  # a stack: every member
        placed = place_stack(
            session,
            assignment.environment,
            scenario.date(assignment.start),
            scenario.date(assignment.end),
            phase=phase,
            status=BookingStatus.TENTATIVE,
            note=f"proposed by the planner ({scenario.name})",
            actor=actor,
            now=now,
            field="plan",
        )
        members = [session.get_one(Booking, part.booking) for part in placed.bookings]
        return next(b for b in members if b.phase_id is not None)  # the phase's own
    env = environment_named(session, assignment.environment, field="plan")
    assert env.id is not None
    env_id = env.id
    env = lock_environment(session, env_id)
    start, end = scenario.date(assignment.start), scenario.date(assignment.end)
    check_placement(session, phase, env, start, end, today=now.date())
    check_fits(session, env, start, end, release_id=phase.release_id)
    check_quota(session, env, start, end, actor.id if actor else None, asking="this plan")
    booking = Booking(
        environment_id=env_id,
        phase_id=phase.id,
        start=start,
        end=end,
        status=BookingStatus.TENTATIVE,
        exclusive=env.capacity == 1,
        note=f"proposed by the planner ({scenario.name})",
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(booking)
    audit.record(session, actor=actor, now=now, action="propose", row=booking)
    return booking
