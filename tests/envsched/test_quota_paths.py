"""Team quotas on the planner's and the import's paths, on both databases: a round's
proposal past its owner's team quota is not auto-applied but refused naming the quota and
kept open for an environment manager, who may accept it alone with a reason; a move
counts only the days it adds; a plan written back and a bookings table imported are
refused naming the quota (an imported row with a ``forced_reason`` goes past it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from envsched.accounts import create_team, set_team
from envsched.booking import RuleBroken, set_quota
from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.models import (
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    Phase,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    RequestStatus,
    Role,
    User,
)
from envsched.models.round_results import RoundDiff
from envsched.planning.rounds.replan import accept_proposal, accept_run
from envsched.settings import Settings
from envsched.transfer import import_table
from envsched.transfer.tables import TransferRejected
from tests.envsched.factories import NOW, Factory, diff_of
from tests.envsched.test_replan import run_round

FEB = dt.date(2027, 2, 1)
OVER = "Team Payments has used 18 of 20 UAT days in February 2027; this proposal needs 5"
ASKS = ": an environment manager approves it past the quota with a reason"  # a refusal's end


def feb(n: int) -> dt.date:
    return FEB + dt.timedelta(days=n - 1)


@pytest.fixture
def tester(sessions: SessionFactory, make_user: Factory, make_environment: Factory) -> User:
    """Tess of team Payments, which may hold 20 UAT days a month; a teammate holds 18 of
    February's on UAT-1 (the 1st to the 18th, an approved request's booking)."""
    admin = make_user(name="ada", role=Role.ADMIN)
    tess = make_user(name="tess", role=Role.TEST_MANAGER)
    mate = make_user(name="matt", role=Role.TEST_MANAGER)
    uat1 = make_environment(name="UAT-1")
    make_environment(name="UAT-2")
    create_team(sessions, "Payments", actor=admin, now=NOW)
    for user in (tess, mate):
        set_team(sessions, user.name, "Payments", actor=admin, now=NOW)
    set_quota(sessions, "Payments", "UAT", 20, actor=admin, now=NOW)
    with sessions.begin() as session:
        asked = BookingRequest(
            requester_id=mate.id or 0,
            environment_type_id=uat1.type_id,
            duration_days=18,
            earliest_start=FEB,
            status=RequestStatus.APPROVED,
            created_at=NOW,
        )
        session.add(asked)
        session.flush()
        session.add(
            Booking(
                environment_id=uat1.id or 0,
                start=feb(1),
                end=feb(19),
                request_id=asked.id,
                exclusive=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    return tess


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="erin", role=Role.ENVIRONMENT_MANAGER)


def asked_for_a_phase(
    make_release: Factory, make_phase: Factory, make_request: Factory, tester: User
) -> Phase:
    """Release R1's 5-day UAT phase, from 1 February, which Tess asked for."""
    release = make_release(key="R1", earliest_start=FEB, due=feb(8))
    phase = make_phase(release, key="R1-UAT")
    make_request(tester, phase_id=phase.id, earliest_start=FEB)
    return phase


def test_a_round_past_the_quota_is_not_auto_applied_and_a_manager_accepts_it_with_a_reason(
    sessions: SessionFactory,
    make_release: Factory,
    make_phase: Factory,
    make_request: Factory,
    tester: User,
    manager: User,
) -> None:
    phase = asked_for_a_phase(make_release, make_phase, make_request, tester)
    run = run_round(sessions, settings=Settings(replan_auto_apply=True))
    placed = diff_of(run).placed[0]
    assert (placed.environment, placed.start) == ("UAT-2", FEB.isoformat())
    assert not run.applied and not placed.applied
    assert placed.refused == OVER + ASKS  # held for an environment manager, the quota named
    with sessions() as session:
        assert session.exec(select(Booking).where(Booking.phase_id == phase.id)).all() == []
    with pytest.raises(RuleBroken) as refused:
        accept_proposal(sessions, run.id or 0, "R1-UAT", actor=manager, now=NOW)
    assert refused.value.breaks[0].rule == "quota" and refused.value.message == OVER + ASKS
    with pytest.raises(InvalidInput) as blank:
        accept_proposal(sessions, run.id or 0, "R1-UAT", actor=manager, now=NOW, quota_reason=" ")
    assert blank.value.field == "quota_reason"

    accepted = accept_proposal(
        sessions, run.id or 0, "R1-UAT", actor=manager, now=NOW, quota_reason="go-live weekend"
    )
    assert accepted.applied
    with sessions() as session:
        booked = session.exec(select(Booking).where(Booking.phase_id == phase.id)).one()
        assert booked.request is not None and booked.request.requester_id == tester.id
        assert f"accepted over the quota ({OVER}): go-live weekend" in booked.note


def test_a_round_within_the_quota_is_auto_applied_as_ever(
    sessions: SessionFactory,
    make_release: Factory,
    make_phase: Factory,
    make_request: Factory,
    tester: User,
    admin_quota: None,
) -> None:
    asked_for_a_phase(make_release, make_phase, make_request, tester)
    run = run_round(sessions, settings=Settings(replan_auto_apply=True))
    assert run.applied and diff_of(run).placed[0].applied


@pytest.fixture
def admin_quota(sessions: SessionFactory, tester: User) -> None:
    """Payments may hold 23 UAT days a month: room for the phase's 5."""
    with sessions() as session:
        admin = session.exec(select(User).where(User.name == "ada")).one()
    set_quota(sessions, "Payments", "UAT", 23, actor=admin, now=NOW)


def tentative(
    sessions: SessionFactory, make_phase: Factory, tester: User, start: dt.date
) -> Booking:
    """Tess's tentative booking of UAT-2 for a phase, five days from ``start``, for her
    request of five days from 1 January 2027 on (so a round's moves keep to its days)."""
    phase = make_phase(key=f"P-{start:%m%d}")
    with sessions.begin() as session:
        env = session.exec(select(Environment).where(Environment.name == "UAT-2")).one()
        asked = BookingRequest(
            requester_id=tester.id or 0,
            phase_id=phase.id,
            environment_type_id=env.type_id,
            duration_days=5,
            earliest_start=dt.date(2027, 1, 1),
            status=RequestStatus.APPROVED,
            created_at=NOW,
        )
        session.add(asked)
        session.flush()
        booking = Booking(
            environment_id=env.id or 0,
            phase_id=phase.id,
            start=start,
            end=start + dt.timedelta(days=5),
            status=BookingStatus.TENTATIVE,
            request_id=asked.id,
            exclusive=True,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(booking)
    return booking


def proposed_move(booking: Booking, phase: str, to: dt.date) -> dict[str, Any]:
    def days(start: dt.date) -> dict[str, str]:
        end = start + (booking.end - booking.start)
        return {"environment": "UAT-2", "start": start.isoformat(), "end": end.isoformat()}

    return {
        "booking": booking.id,
        "phase": phase,
        "release": "",
        "from": days(booking.start),
        "to": days(to),
    }


def stored_run(sessions: SessionFactory, moved: list[dict[str, Any]]) -> PlanRun:
    run = PlanRun(
        trigger=PlanTrigger.MANUAL,
        status=PlanRunStatus.DONE,
        started_at=NOW,
        finished_at=NOW,
        diff=RoundDiff.model_validate({"moved": moved}),
    )
    with sessions.begin() as session:
        session.add(run)
    return run


def test_a_round_move_counts_only_the_days_it_adds_to_a_month(
    sessions: SessionFactory, make_phase: Factory, tester: User
) -> None:
    """Payments holds 23 February days (18 + Tess's 5): over its 20 already. Moving Tess's
    booking inside February adds nothing and applies; moving her March booking into
    February adds 5 and is refused, naming the quota."""
    inside = tentative(sessions, make_phase, tester, feb(20))
    march = tentative(sessions, make_phase, tester, dt.date(2027, 3, 10))
    run = stored_run(
        sessions,
        [
            proposed_move(inside, "P-0220", feb(22)),
            proposed_move(march, "P-0310", feb(1)),
        ],
    )
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    moved = diff_of(accepted).moved
    assert [m.applied for m in moved] == [True, False]
    assert moved[1].refused == (
        "Team Payments has used 23 of 20 UAT days in February 2027; this proposal needs 5" + ASKS
    )
    with sessions() as session:
        assert session.get_one(Booking, inside.id).start == feb(22)
        assert session.get_one(Booking, march.id).start == dt.date(2027, 3, 10)


def test_a_move_further_into_a_full_month_names_only_the_days_it_adds(
    sessions: SessionFactory, make_phase: Factory, tester: User
) -> None:
    """Tess's booking of 26 February to 2 March holds three February days (the team 21):
    two days earlier it needs two more, and is refused; two days later it holds fewer."""
    edge = tentative(sessions, make_phase, tester, feb(26))
    earlier = stored_run(sessions, [proposed_move(edge, "P-0226", feb(24))])
    refused = accept_run(sessions, earlier.id or 0, actor=None, now=NOW)
    assert diff_of(refused).moved[0].refused == (
        "Team Payments has used 21 of 20 UAT days in February 2027; this proposal needs 2 more"
        + ASKS
    )
    later = stored_run(sessions, [proposed_move(edge, "P-0226", feb(28))])
    assert accept_run(sessions, later.id or 0, actor=None, now=NOW).applied


def test_a_plan_written_back_past_the_quota_is_refused_naming_it(
    sessions: SessionFactory,
    make_release: Factory,
    make_phase: Factory,
    make_request: Factory,
    tester: User,
    manager: User,
) -> None:
    from envsched.planning.mapping import apply_plan_as_tentative, build_scenario
    from solver import Options, plan

    with sessions() as session:
        admin = session.exec(select(User).where(User.name == "ada")).one()
    set_team(sessions, manager.name, "Payments", actor=admin, now=NOW)
    asked_for_a_phase(make_release, make_phase, make_request, tester)
    with sessions() as session:
        scenario = build_scenario(session, start=NOW.date(), horizon_days=90).scenario
    result = plan(scenario, Options(time_limit=2.0))
    with pytest.raises(RuleBroken) as refused:
        apply_plan_as_tentative(sessions, scenario, result, NOW, actor=manager)
    assert refused.value.message == OVER.replace("this proposal", "this plan") + ASKS
    with sessions() as session:
        assert session.exec(select(Booking).where(Booking.phase_id.is_not(None))).all() == []  # type: ignore[union-attr]
    assert apply_plan_as_tentative(sessions, scenario, result, NOW, actor=None)  # no team


def test_an_imported_booking_row_past_the_quota_is_refused_naming_it_unless_forced(
    sessions: SessionFactory, tester: User, tmp_path: Path
) -> None:
    path = tmp_path / "bookings.csv"
    path.write_text(
        "environment,start,end,note,forced_reason\n"
        f"UAT-2,{feb(1)},{feb(4)},smoke,\n"
        f"UAT-2,{feb(10)},{feb(13)},load,release weekend\n"
    )
    with pytest.raises(TransferRejected) as refused:
        import_table(sessions, "bookings", path, actor=tester, now=NOW)
    errors = [(e.row, e.column, e.problem) for e in refused.value.errors]
    assert errors == [
        (
            2,
            "start",
            "Team Payments has used 18 of 20 UAT days in February 2027; this row needs 3" + ASKS,
        )
    ]
    path.write_text(
        f"environment,start,end,note,forced_reason\nUAT-2,{feb(10)},{feb(13)},load,weekend\n"
    )
    import_table(sessions, "bookings", path, actor=tester, now=NOW)
    with sessions() as session:
        forced = session.exec(select(Booking).where(Booking.note == "load")).one()
        assert forced.forced_reason == "weekend"
