"""Team quotas, on both databases: a request that takes its team past its monthly
environment-days of a type is not booked without an environment manager's approval, and
the refusal names the quota; the rule holds on every booking path (approve, bulk
approve, offer of freed days, direct booking, move); who may set quotas and teams."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from envsched.accounts import create_team, set_team
from envsched.booking import (
    BookingIn,
    Choice,
    approve_many,
    approve_request,
    book_direct,
    cancel_booking,
    move_booking,
    quota_usage,
    set_quota,
    waitlist_request,
)
from envsched.booking.rulebook import RuleBroken
from envsched.booking.rulebook.quota import NEEDS_REASON, month_of
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, PermissionDenied
from envsched.models import BookingRequest, Environment, RequestStatus, Role, User
from tests.envsched.factories import NOW, Factory, id_of

DEC = dt.date(2027, 12, 1)
QUOTA_WORDS = "Team Payments has used 18 of 20 UAT days in December 2027; this request needs 5"


def dec(n: int) -> dt.date:
    return DEC + dt.timedelta(days=n - 1)


@pytest.fixture
def admin(make_user: Factory) -> User:
    return make_user(name="ada", role=Role.ADMIN)


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="erin", role=Role.ENVIRONMENT_MANAGER)


@pytest.fixture
def tester(
    sessions: SessionFactory, make_user: Factory, make_environment: Factory, admin: User
) -> User:
    """Tess of team Payments, which may hold 20 UAT days a month and holds 18 in December
    (UAT-1 on the 1st to the 18th, booked for a teammate)."""
    tess = make_user(name="tess", role=Role.TEST_MANAGER)
    mate = make_user(name="matt", role=Role.TEST_MANAGER)
    make_environment(name="UAT-1")
    make_environment(name="UAT-2")
    create_team(sessions, "Payments", actor=admin, now=NOW)
    for user in (tess, mate):
        set_team(sessions, user.name, "Payments", actor=admin, now=NOW)
    set_quota(sessions, "Payments", "UAT", 20, actor=admin, now=NOW)
    return tess


def held_by_mate(
    sessions: SessionFactory, make_request: Factory, make_booking: Factory, days: int = 18
) -> None:
    with read_transaction(sessions) as session:
        mate = session.exec(select(User).where(User.name == "matt")).one()
        uat1 = session.exec(select(Environment).where(Environment.name == "UAT-1")).one()
    asked = make_request(mate, status=RequestStatus.APPROVED, earliest_start=DEC)
    make_booking(uat1, start=dec(1), end=dec(1 + days), request_id=asked.id)


def ask(make_request: Factory, tester: User, start: dt.date = DEC) -> BookingRequest:
    return make_request(tester, earliest_start=start, duration_days=5, fixed=True)


def test_a_request_past_the_quota_is_refused_naming_it_and_an_approval_with_a_reason_books_it(
    sessions: SessionFactory,
    make_request: Factory,
    make_booking: Factory,
    tester: User,
    manager: User,
) -> None:
    held_by_mate(sessions, make_request, make_booking)
    request = ask(make_request, tester)
    with pytest.raises(RuleBroken) as refused:
        approve_request(sessions, id_of(request), actor=manager, now=NOW, environment="UAT-2")
    assert refused.value.breaks[0].rule == "quota"
    assert refused.value.message == f"{QUOTA_WORDS}: {NEEDS_REASON}"
    with pytest.raises(RuleBroken) as blank:  # a blank reason is none: the quota is named
        approve_request(sessions, id_of(request), actor=manager, now=NOW, quota_reason="  ")
    assert blank.value.message == f"{QUOTA_WORDS}: {NEEDS_REASON}"

    booked = approve_request(
        sessions, id_of(request), actor=manager, now=NOW, quota_reason="year-end regression"
    )
    assert (booked.start, booked.end) == (dec(1), dec(6))
    with read_transaction(sessions) as session:
        decided = session.get_one(BookingRequest, request.id)
    assert decided.status == RequestStatus.APPROVED
    assert decided.decision_reason == (
        f"approved over the quota ({QUOTA_WORDS}): year-end regression"
    )
    [used] = quota_usage(sessions, month_of(DEC))
    assert (used.team, used.type, used.used, used.quota, used.over) == (
        "Payments",
        "UAT",
        23,
        20,
        True,
    )


def test_a_request_within_the_quota_is_approved_as_ever(
    sessions: SessionFactory,
    make_request: Factory,
    make_booking: Factory,
    tester: User,
    manager: User,
) -> None:
    held_by_mate(sessions, make_request, make_booking, days=15)
    request = ask(make_request, tester)
    booked = approve_request(sessions, id_of(request), actor=manager, now=NOW, environment="UAT-2")
    assert booked.start == dec(1)


def test_the_quota_counts_only_the_days_in_its_month(
    sessions: SessionFactory,
    make_request: Factory,
    make_booking: Factory,
    tester: User,
    manager: User,
) -> None:
    held_by_mate(sessions, make_request, make_booking, days=19)
    request = ask(make_request, tester, dec(30))  # 30 and 31 December, 1 to 3 January
    with pytest.raises(RuleBroken) as refused:
        approve_request(sessions, id_of(request), actor=manager, now=NOW, environment="UAT-2")
    assert "19 of 20 UAT days in December 2027; this request needs 2" in refused.value.message
    january = ask(make_request, tester, dec(31) + dt.timedelta(days=1))
    approve_request(sessions, id_of(january), actor=manager, now=NOW, environment="UAT-2")


def test_bulk_approval_refuses_a_request_past_the_quota_naming_it_and_approves_the_rest(
    sessions: SessionFactory,
    make_request: Factory,
    make_booking: Factory,
    make_user: Factory,
    tester: User,
    manager: User,
) -> None:
    held_by_mate(sessions, make_request, make_booking)
    over = ask(make_request, tester)
    outsider = make_user(name="olga", role=Role.TEST_MANAGER)  # in no team: no quota
    free = make_request(outsider, earliest_start=dec(10), duration_days=5, fixed=True)
    decided = approve_many(
        sessions,
        [Choice(id_of(over), "UAT-2", dec(1)), Choice(id_of(free), "UAT-2", dec(10))],
        actor=manager,
        now=NOW,
    )
    assert [a.choice.request_id for a in decided.approved] == [free.id]
    [refusal] = decided.refused
    assert refusal.rules == ("quota",) and refusal.message == f"{QUOTA_WORDS}: {NEEDS_REASON}"


def test_freed_days_are_not_offered_to_a_waitlisted_request_past_its_quota(
    sessions: SessionFactory,
    make_request: Factory,
    make_booking: Factory,
    tester: User,
    manager: User,
) -> None:
    held_by_mate(sessions, make_request, make_booking)
    holder = book_direct(
        sessions,
        BookingIn(environment="UAT-2", start=dec(1), end=dec(10), note="hold"),
        actor=manager,
        now=NOW,
    )
    request = ask(make_request, tester)
    waitlist_request(sessions, id_of(request), actor=manager, now=NOW)
    cancel_booking(sessions, holder.id or 0, actor=manager, now=NOW)
    with read_transaction(sessions) as session:
        assert session.get_one(BookingRequest, request.id).status == RequestStatus.WAITLISTED


def test_a_direct_booking_and_a_move_past_the_quota_need_a_reason(
    sessions: SessionFactory,
    make_request: Factory,
    make_booking: Factory,
    tester: User,
    manager: User,
    admin: User,
) -> None:
    held_by_mate(sessions, make_request, make_booking)
    set_team(sessions, manager.name, "Payments", actor=admin, now=NOW)
    direct = BookingIn(environment="UAT-2", start=dec(1), end=dec(4), note="smoke")
    with pytest.raises(RuleBroken) as refused:
        book_direct(sessions, direct, actor=manager, now=NOW)
    assert "this booking needs 3" in refused.value.message
    forced = direct.model_copy(update={"force_reason": "release weekend"})
    booked = book_direct(sessions, forced, actor=manager, now=NOW)
    assert booked.forced_reason == "release weekend"

    request = ask(make_request, tester, dt.date(2028, 1, 3))
    moved = approve_request(sessions, id_of(request), actor=manager, now=NOW, environment="UAT-2")
    with pytest.raises(RuleBroken) as refused:  # the timeline's drag into December
        move_booking(
            sessions, moved.id or 0, environment="UAT-2", start=dec(20), actor=manager, now=NOW
        )
    assert refused.value.breaks[0].rule == "quota"


def test_only_environment_managers_and_admins_set_quotas_and_only_admins_teams(
    sessions: SessionFactory, tester: User, manager: User, admin: User, make_user: Factory
) -> None:
    with pytest.raises(PermissionDenied):
        set_quota(sessions, "Payments", "UAT", 5, actor=tester, now=NOW)
    with pytest.raises(PermissionDenied):
        create_team(sessions, "Cards", actor=manager, now=NOW)
    with pytest.raises(PermissionDenied):
        set_team(sessions, tester.name, None, actor=manager, now=NOW)
    set_quota(sessions, "Payments", "UAT", 30, actor=manager, now=NOW)
    assert [u.quota for u in quota_usage(sessions, month_of(DEC))] == [30]
    with pytest.raises(InvalidInput) as bad:
        set_quota(sessions, "Payments", "UAT", -1, actor=manager, now=NOW)
    assert bad.value.field == "days_per_month"
    with pytest.raises(InvalidInput) as unknown:
        set_quota(sessions, "Cards", "UAT", 3, actor=manager, now=NOW)
    assert unknown.value.field == "team"
    set_quota(sessions, "Payments", "UAT", None, actor=manager, now=NOW)
    assert quota_usage(sessions, month_of(DEC)) == []
