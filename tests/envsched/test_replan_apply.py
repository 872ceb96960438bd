"""Accepting a round: whole or booking by booking, in one transaction, or not at all."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidState, PermissionDenied
from envsched.models import BookingStatus, PlanRun, PlanRunStatus, Role
from envsched.services.availability import environment_named
from envsched.services.replan import accept_proposal, accept_run
from envsched.settings import Settings
from tests.envsched.factories import DAY0, NOW, Factory
from tests.envsched.test_replan import DAY, bookings, run_round


def proposing_round(sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
                    make_release: Factory) -> PlanRun:
    make_environment(name="UAT-A")
    for key in ("R1", "R2"):
        release = make_release(key=key, earliest_start=DAY0 + 10 * DAY, due=DAY0 + 30 * DAY)
        make_phase(release, key=f"{key}-UAT")
    return run_round(sessions)


def test_accepting_a_run_books_every_proposal_tentatively(
        sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
        make_release: Factory, make_user: Factory) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    accepted = accept_run(sessions, run.id or 0, actor=manager, now=NOW)
    assert accepted.applied and accepted.applied_by_id == manager.id
    rows = bookings(sessions)
    assert [(r[2], r[4]) for r in rows] == [(DAY0 + 10 * DAY, "tentative"),
                                            (DAY0 + 15 * DAY, "tentative")]


def test_accepting_one_proposal_leaves_the_others_proposed(
        sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
        make_release: Factory) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    second = run.diff["placed"][1]["phase"]
    accepted = accept_proposal(sessions, run.id or 0, second, actor=None, now=NOW)
    assert [p["applied"] for p in accepted.diff["placed"]] == [False, True]
    assert not accepted.applied and len(bookings(sessions)) == 1


def test_a_failing_accept_leaves_every_booking_as_it_was_and_marks_the_run_failed(
        sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
        make_release: Factory, make_booking: Factory) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    assert bookings(sessions) == []
    # Meanwhile someone books days of the second proposal by hand.
    with sessions() as session:
        env = environment_named(session, "UAT-A")
    make_booking(env, start=DAY0 + 16 * DAY, end=DAY0 + 18 * DAY)
    before = bookings(sessions)
    with pytest.raises(BookingConflict, match=r"fully booked|already booked"):
        accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert bookings(sessions) == before
    with sessions() as session:
        failed = session.get_one(PlanRun, run.id)
        assert failed.status == PlanRunStatus.FAILED and "applying the plan failed" in failed.error


def test_only_environment_managers_accept(
        sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
        make_release: Factory, make_user: Factory) -> None:
    run = proposing_round(sessions, make_environment, make_phase, make_release)
    with pytest.raises(PermissionDenied):
        accept_run(sessions, run.id or 0, actor=make_user(role=Role.PLANNER), now=NOW)


def test_an_older_run_or_a_dry_run_cannot_be_accepted(
        sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
        make_release: Factory) -> None:
    old = proposing_round(sessions, make_environment, make_phase, make_release)
    dry = run_round(sessions, dry_run=True)
    newer = run_round(sessions)
    with pytest.raises(InvalidState, match="out of date"):
        accept_run(sessions, old.id or 0, actor=None, now=NOW)
    with pytest.raises(InvalidState, match="dry run"):
        accept_run(sessions, dry.id or 0, actor=None, now=NOW)
    with sessions() as session:  # refusing to accept them changed nothing about them
        assert session.get_one(PlanRun, old.id).status == PlanRunStatus.DONE
    assert accept_run(sessions, newer.id or 0, actor=None, now=NOW).applied


def test_auto_apply_moves_a_tentative_booking_in_place(
        sessions: SessionFactory, make_environment: Factory, make_phase: Factory,
        make_release: Factory, make_booking: Factory) -> None:
    env = make_environment()
    lazy = make_release(key="R1", earliest_start=DAY0, due=DAY0 + 60 * DAY)
    urgent = make_release(key="R2", earliest_start=DAY0 + 10 * DAY, due=DAY0 + 15 * DAY)
    booking = make_booking(env, phase_id=make_phase(lazy).id, start=DAY0 + 10 * DAY,
                           end=DAY0 + 15 * DAY, status=BookingStatus.TENTATIVE)
    make_phase(urgent)
    run = run_round(sessions, settings=Settings(replan_auto_apply=True))
    assert run.applied and run.status == PlanRunStatus.DONE
    moved = {r[0]: r for r in bookings(sessions)}[booking.id or 0]
    assert moved[2] == dt.date.fromisoformat(run.diff["moved"][0]["to"]["start"])
    assert moved[4] == "tentative"
