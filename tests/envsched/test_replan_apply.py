"""Accepting a round: every proposal that fits applies, the rest are refused one by one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import col, select

from envsched.days import day_text, days_text
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, InvalidState, PermissionDenied
from envsched.insight.my_work import my_booking_ids
from envsched.inventory.availability import environment_named
from envsched.models import (
    AuditEntry,
    Booking,
    BookingRequest,
    BookingStatus,
    Notification,
    Phase,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    Release,
    RequestStatus,
    Role,
)
from envsched.models.round_results import RoundDiff
from envsched.planning.rounds.apply import last_accept
from envsched.planning.rounds.replan import accept_proposal, accept_run, drop_proposal
from envsched.planning.rounds.words import applied_words
from envsched.settings import Settings
from tests.envsched import factories
from tests.envsched.factories import DAY0, NOW, Factory, diff_of
from tests.envsched.test_replan import DAY, bookings, run_round


def proposing_round(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> PlanRun:
    make_environment(name="UAT-A")
    for key in ("R1", "R2"):
        release = make_release(key=key, earliest_start=DAY0 + 10 * DAY, due=DAY0 + 30 * DAY)
        make_phase(release, key=f"{key}-UAT")
    return run_round(sessions)


def block_the_second(sessions: SessionFactory, make_booking: Factory) -> Booking:
    """Book days of the round's second proposal by hand, as someone might meanwhile."""
    with sessions() as session:
        env = environment_named(session, "UAT-A")
    return make_booking(env, start=DAY0 + 16 * DAY, end=DAY0 + 18 * DAY)


def test_accepting_a_run_books_every_proposal_tentatively(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    accepted = accept_run(sessions, run.id or 0, actor=manager, now=NOW)
    assert accepted.applied and accepted.applied_by_id == manager.id
    rows = bookings(sessions)
    assert [(r[2], r[4]) for r in rows] == [
        (DAY0 + 10 * DAY, "tentative"),
        (DAY0 + 15 * DAY, "tentative"),
    ]


def test_accepting_one_proposal_leaves_the_others_proposed(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    second = diff_of(run).placed[1].phase
    accepted = accept_proposal(sessions, run.id or 0, second, actor=None, now=NOW)
    assert [p.applied for p in diff_of(accepted).placed] == [False, True]
    assert not accepted.applied and len(bookings(sessions)) == 1


def test_accept_all_applies_what_fits_and_refuses_the_rest_one_by_one(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    first, second = (p.phase for p in diff_of(run).placed)
    blocker = block_the_second(sessions, make_booking)
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    accepted = accept_run(sessions, run.id or 0, actor=manager, now=NOW)
    assert accepted.status == PlanRunStatus.DONE and not accepted.applied
    assert [p.applied for p in diff_of(accepted).placed] == [True, False]
    assert "fully booked" in (diff_of(accepted).placed[1].refused or "")
    accept = last_accept(accepted)
    assert accept is not None and accept.stored() == {
        "at": NOW.isoformat(),
        "by": manager.name,
        "applied": [first],
        "refused": [{"phase": second, "reason": diff_of(accepted).placed[1].refused}],
    }
    assert [(r[2], r[4]) for r in bookings(sessions) if r[0] != blocker.id] == [
        (DAY0 + 10 * DAY, "tentative")
    ]


def test_a_refused_proposal_stays_open_and_applies_alone_once_it_fits(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    second = diff_of(run).placed[1].phase
    blocker = block_the_second(sessions, make_booking)
    accept_run(sessions, run.id or 0, actor=None, now=NOW)
    with pytest.raises(BookingConflict, match="fully booked"):
        accept_proposal(sessions, run.id or 0, second, actor=None, now=NOW)
    with sessions() as session:  # the single refusal is on record too
        stored = session.get_one(PlanRun, run.id)
        assert [entry.refused[0].phase for entry in diff_of(stored).accepts] == [second, second]
    with sessions.begin() as session:
        session.get_one(Booking, blocker.id).status = BookingStatus.CANCELLED
    accepted = accept_proposal(sessions, run.id or 0, second, actor=None, now=NOW)
    assert accepted.applied and "refused" not in diff_of(accepted).placed[1].stored()


def test_a_refused_proposal_dropped_is_closed_and_the_run_applied(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    first, second = (p.phase for p in diff_of(run).placed)
    block_the_second(sessions, make_booking)
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    accept_run(sessions, run.id or 0, actor=manager, now=NOW)
    with pytest.raises(PermissionDenied):
        drop_proposal(sessions, run.id or 0, second, actor=make_user(role=Role.PLANNER), now=NOW)
    with pytest.raises(InvalidInput, match="proposes nothing open"):  # applied: not open
        drop_proposal(sessions, run.id or 0, first, actor=manager, now=NOW)
    later = NOW + dt.timedelta(hours=1)
    dropped = drop_proposal(sessions, run.id or 0, second, actor=manager, now=later)
    assert dropped.applied and dropped.applied_at == later
    assert dropped.applied_by_id == manager.id
    assert diff_of(dropped).placed[1].dropped and not diff_of(dropped).placed[1].applied
    assert [d.stored() for d in diff_of(dropped).drops] == [
        {"at": later.isoformat(), "by": manager.name, "phase": second}
    ]
    assert applied_words(dropped) == "1 of 2 applied, 1 dropped"
    # closed for good: no accept chooses it again, nor can it be dropped twice
    with pytest.raises(InvalidInput, match="proposes nothing open"):
        accept_proposal(sessions, run.id or 0, second, actor=manager, now=later)
    with pytest.raises(InvalidInput, match="proposes nothing open"):
        drop_proposal(sessions, run.id or 0, second, actor=manager, now=later)
    assert len(bookings(sessions)) == 2  # the blocker and the first; nothing for the second


def test_proposals_that_only_fit_together_apply_together_past_a_refused_one(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment(name="UAT-SWAP")
    a, b, c = (
        make_booking(
            env,
            phase_id=make_phase(make_release()).id,
            status=BookingStatus.TENTATIVE,
            start=DAY0 + start * DAY,
            end=DAY0 + (start + 5) * DAY,
        )
        for start in (10, 15, 30)
    )
    stale = dict(
        move(sessions, c, to=DAY0 + 40 * DAY),
        **{"from": {"environment": "UAT-SWAP", "start": "2027-01-01", "end": "2027-01-06"}},
    )
    run = stored_run(
        sessions, [move(sessions, a, to=b.start), stale, move(sessions, b, to=a.start)]
    )
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert [p.applied for p in diff_of(accepted).moved] == [True, False, True]
    assert "changed since the round" in (diff_of(accepted).moved[1].refused or "")
    assert [(r[0], r[2]) for r in bookings(sessions)] == [
        (a.id, DAY0 + 15 * DAY),
        (b.id, DAY0 + 10 * DAY),
        (c.id, DAY0 + 30 * DAY),
    ]


def move(sessions: SessionFactory, booking: Booking, *, to: dt.date) -> dict[str, Any]:
    """A round's proposal to move ``booking`` to day ``to`` of its environment."""

    def days(start: dt.date) -> dict[str, str]:
        return {
            "environment": "UAT-SWAP",
            "start": start.isoformat(),
            "end": (start + (booking.end - booking.start)).isoformat(),
        }

    return {
        "booking": booking.id,
        "phase": _phase_key(sessions, booking),
        "release": "",
        "from": days(booking.start),
        "to": days(to),
        "why": "",
        "applied": False,
    }


def stored_run(sessions: SessionFactory, moved: list[dict[str, Any]]) -> PlanRun:
    """A finished round proposing ``moved``, written as a round stores it (the solver
    has no reason to propose two bookings swapping their days)."""
    run = PlanRun(
        trigger=PlanTrigger.MANUAL,
        status=PlanRunStatus.DONE,
        started_at=NOW,
        finished_at=NOW,
        diff=RoundDiff.model_validate({"moved": moved, "placed": [], "unplaced": [], "gain": ""}),
    )
    with sessions.begin() as session:
        session.add(run)
    return run


def _phase_key(sessions: SessionFactory, booking: Booking) -> str:
    with sessions() as session:
        return session.get_one(Phase, booking.phase_id).key


def test_accepting_a_proposal_approves_the_request_it_keeps_and_cancels_the_rest(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_request: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    phase = diff_of(run).placed[0].phase
    with sessions() as session:
        phase_id = session.exec(select(Phase.id).where(Phase.key == phase)).one()
    waiting = make_request(
        phase_id=phase_id,
        status=RequestStatus.WAITLISTED,
        earliest_start=DAY0 - dt.timedelta(days=30),
    )  # any day from then
    elsewhere = make_request(
        phase_id=phase_id, fixed=True, earliest_start=DAY0 + dt.timedelta(days=200)
    )
    decided = make_request(phase_id=phase_id, status=RequestStatus.REJECTED)
    other = make_request()  # for no phase: not the plan's business
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    accept_proposal(sessions, run.id or 0, phase, actor=manager, now=NOW)
    said = "re-plan of 4 Jan 2027, 09:00"  # the run as its page names it, never its number
    with sessions() as session:
        kept = session.get_one(BookingRequest, waiting.id)
        assert kept.status == RequestStatus.APPROVED and kept.decided_by_id == manager.id
        assert kept.decision_reason.startswith(f"booked by the {said}: ")
        booked = session.exec(select(Booking).where(Booking.phase_id == phase_id)).one()
        assert booked.request_id == waiting.id
        closed = session.get_one(BookingRequest, elsewhere.id)
        assert closed.status == RequestStatus.CANCELLED
        assert closed.decision_reason.startswith(f"phase {phase} was booked by the {said}: ")
        assert session.get_one(BookingRequest, decided.id).status == RequestStatus.REJECTED
        assert session.get_one(BookingRequest, other.id).status == RequestStatus.REQUESTED
        audit = session.exec(
            select(AuditEntry).where(
                AuditEntry.entity == "booking_request", AuditEntry.entity_id == waiting.id
            )
        ).all()
        assert [(a.action, a.actor) for a in audit] == [
            ("approved", f"a plan {manager.name} accepted")
        ]
        [told] = session.exec(
            select(Notification).where(Notification.user_id == waiting.requester_id)
        ).all()
    assert told.text.startswith(
        f"Your request for {phase} was approved by a plan {manager.name} accepted: UAT-A, "
    )


def test_a_round_never_books_a_phase_outside_the_days_its_open_request_asks(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_request: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    placed = diff_of(run).placed[0]
    with sessions() as session:
        phase_id = session.exec(select(Phase.id).where(Phase.key == placed.phase)).one()
    tom = make_user(name="Tom Test", role=Role.TEST_MANAGER)
    late = dt.date.fromisoformat(placed.place.start) + dt.timedelta(days=40)
    asked = make_request(
        tom, phase_id=phase_id, earliest_start=late, latest_end=late + dt.timedelta(days=10)
    )
    with pytest.raises(BookingConflict, match="outside the days asked for it: Tom Test's"):
        accept_proposal(sessions, run.id or 0, placed.phase, actor=None, now=NOW)
    with sessions() as session:
        assert session.get_one(BookingRequest, asked.id).status == RequestStatus.REQUESTED
        assert session.exec(select(Booking).where(Booking.phase_id == phase_id)).all() == []
    assert diff_of(_run(sessions, run)).placed[0].refused_rule == "request_days"
    # its requester hears of it once, in words: which round, what it found, why not
    where = f"UAT-A, {days_text(*_days(placed.place))}"
    assert _told(sessions, tom.id) == [
        f"Your request for {placed.phase} stays open for an approver: the re-plan of "
        f"4 Jan 2027, 09:00 found room for it only on {where}, before the days you asked "
        f"for (from {day_text(late)})."
    ]
    accept_run(sessions, run.id or 0, actor=None, now=NOW)  # the same finding again
    assert len(_told(sessions, tom.id)) == 1
    # the next round finds other days (its first ones are in maintenance now): told again
    with sessions() as session:
        env = environment_named(session, "UAT-A")
    start, end = _days(placed.place)
    factories.make_window(sessions, env, start=start, end=end)
    again = run_round(sessions)
    accept_run(sessions, again.id or 0, actor=None, now=NOW)
    [other] = [p for p in diff_of(again).placed if p.phase == placed.phase]
    assert other.start != placed.start
    told = _told(sessions, tom.id)
    assert len(told) == 2 and f", {days_text(*_days(other.place))}," in told[1]


def test_a_refusal_by_another_rule_tells_the_request_of_its_phase_why(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_request: Factory,
    make_booking: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    placed = diff_of(run).placed[0]
    start, end = _days(placed.place)
    with sessions() as session:
        phase_id = session.exec(select(Phase.id).where(Phase.key == placed.phase)).one()
        env = environment_named(session, "UAT-A")
    tom = make_user(name="Tom Test", role=Role.TEST_MANAGER)
    make_request(tom, phase_id=phase_id, earliest_start=start)  # days the proposal keeps
    make_booking(env, start=start, end=end)  # taken since the round
    accept_run(sessions, run.id or 0, actor=None, now=NOW)
    [told] = _told(sessions, tom.id)
    assert told.startswith(
        f"Your request for {placed.phase} stays open for an approver: the re-plan of "
        f"4 Jan 2027, 09:00 found room for it on UAT-A, {days_text(start, end)}, "
        "but could not book it: "
    )


def _run(sessions: SessionFactory, run: PlanRun) -> PlanRun:
    with sessions() as session:
        return session.get_one(PlanRun, run.id)


def _days(place: Any) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(place.start), dt.date.fromisoformat(place.end)


def _told(sessions: SessionFactory, user_id: int | None) -> list[str]:
    """What ``user_id`` was told of a round refusing a proposal for their request."""
    with sessions() as session:
        return list(
            session.exec(
                select(Notification.text)
                .where(Notification.user_id == user_id)
                .where(Notification.event == "request.round_refused")
                .order_by(col(Notification.id))
            ).all()
        )


def test_a_request_a_round_cancels_or_approves_tells_its_requester(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_request: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    phase = diff_of(run).placed[0].phase
    with sessions() as session:
        phase_id = session.exec(select(Phase.id).where(Phase.key == phase)).one()
    rita, tom = make_user(name="Rita"), make_user(name="Tom")
    kept = make_request(rita, phase_id=phase_id, earliest_start=DAY0 - dt.timedelta(days=30))
    closed = make_request(
        tom, phase_id=phase_id, fixed=True, earliest_start=DAY0 + dt.timedelta(days=200)
    )
    accept_run(sessions, run.id or 0, actor=None, now=NOW)
    with sessions() as session:
        told = session.exec(select(Notification.user_id, Notification.event)).all()
        booked = session.exec(select(Booking).where(Booking.phase_id == phase_id)).one()
        assert booked.request_id == kept.id
        assert booked.id in my_booking_ids(session, rita)
    assert sorted(told) == sorted([(rita.id, "request.approved"), (tom.id, "request.cancelled")])
    with sessions() as session:
        assert session.get_one(BookingRequest, closed.id).status == RequestStatus.CANCELLED


def test_a_round_keeps_a_requests_booking_inside_the_requests_days(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_request: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    placed = diff_of(run).placed[0]
    start = dt.date.fromisoformat(placed.place.start)
    with sessions.begin() as session:
        phase = session.exec(select(Phase).where(Phase.key == placed.phase)).one()
        env = environment_named(session, placed.place.environment, field="plan")
    asked = make_request(phase_id=phase.id, fixed=True, earliest_start=start + 20 * DAY)
    make_booking_for = Booking(
        environment_id=env.id or 0,
        phase_id=phase.id,
        request_id=asked.id,
        start=start + 20 * DAY,
        end=start + 25 * DAY,
        status=BookingStatus.TENTATIVE,
        created_at=NOW,
        updated_at=NOW,
    )
    with sessions.begin() as session:
        session.add(make_booking_for)

    def days(first: dt.date) -> dict[str, str]:
        return {"environment": env.name, "start": f"{first}", "end": f"{first + 5 * DAY}"}

    moved = {"booking": make_booking_for.id, "phase": placed.phase, "release": "", "why": ""}
    moving = stored_run(
        sessions,
        [{**moved, "from": days(start + 20 * DAY), "to": days(start), "applied": False}],
    )
    with pytest.raises(BookingConflict, match="out of the days its request asked for"):
        accept_proposal(sessions, moving.id or 0, placed.phase, actor=None, now=NOW)


def test_only_environment_managers_accept(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_user: Factory,
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    with pytest.raises(PermissionDenied):
        accept_run(sessions, run.id or 0, actor=make_user(role=Role.PLANNER), now=NOW)


def test_an_older_run_or_a_dry_run_cannot_be_accepted(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    old = proposing_round(sessions, make_environment, make_phase, make_release)
    dry = run_round(sessions, dry_run=True)
    newer = run_round(sessions)
    # each run by its name in words, never its number
    with pytest.raises(
        InvalidState, match=r"^the re-plan of .* is out of date: the re-plan of .* is newer$"
    ):
        accept_run(sessions, old.id or 0, actor=None, now=NOW)
    with pytest.raises(InvalidState, match=r"^the dry run of .* has no plan to accept$"):
        accept_run(sessions, dry.id or 0, actor=None, now=NOW)
    with sessions() as session:  # refusing to accept them changed nothing about them
        assert session.get_one(PlanRun, old.id).status == PlanRunStatus.DONE
    assert accept_run(sessions, newer.id or 0, actor=None, now=NOW).applied


def test_auto_apply_moves_a_tentative_booking_in_place(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment()
    lazy = make_release(key="R1", earliest_start=DAY0, due=DAY0 + 60 * DAY)
    urgent = make_release(key="R2", earliest_start=DAY0 + 10 * DAY, due=DAY0 + 15 * DAY)
    booking = make_booking(
        env,
        phase_id=make_phase(lazy).id,
        start=DAY0 + 10 * DAY,
        end=DAY0 + 15 * DAY,
        status=BookingStatus.TENTATIVE,
    )
    make_phase(urgent)
    run = run_round(sessions, settings=Settings(replan_auto_apply=True))
    assert run.applied and run.status == PlanRunStatus.DONE
    moved = {r[0]: r for r in bookings(sessions)}[booking.id or 0]
    assert moved[2] == dt.date.fromisoformat(diff_of(run).moved[0].to.start)
    assert moved[4] == "tentative"


def test_a_proposal_that_now_breaks_a_rule_of_its_phase_is_refused_naming_it(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    with sessions.begin() as session:  # meanwhile R2 is put back: it may not start yet
        release = session.exec(select(Release).where(Release.key == "R2")).one()
        release.earliest_start, release.due = DAY0 + 40 * DAY, DAY0 + 60 * DAY
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert [p.applied for p in diff_of(accepted).placed] == [True, False]
    refused = diff_of(accepted).placed[1].refused or ""
    assert "cannot start before 13 Feb 2027 (R2's earliest start)" in refused
    assert [(r[2], r[4]) for r in bookings(sessions)] == [(DAY0 + 10 * DAY, "tentative")]
