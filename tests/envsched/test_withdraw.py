"""Withdrawing a request: open ones close; approved ones take their booking along while it
has not started, and its days go to the waitlist; a started one is refused by name, and
one whose booking is over, handed back or cancelled is refused as leaving nothing to
withdraw. A withdrawal is not a decision: who decided the request stays on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlmodel import select

from envsched.booking.bookings import approve_request, start_booking, waitlist_request
from envsched.booking.giveback import cancel_booking, release_early
from envsched.booking.withdraw import may_withdraw, withdraw_request
from envsched.db import SessionFactory
from envsched.errors import InvalidState, PermissionDenied
from envsched.models import Booking, BookingRequest, BookingStatus, RequestStatus, Role, User
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def tester(make_user: Factory) -> User:
    return make_user(name="tess", role=Role.TEST_MANAGER)


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="mona", role=Role.ENVIRONMENT_MANAGER)


def status_of(sessions: SessionFactory, request_id: int | None) -> RequestStatus:
    with sessions() as session:
        return session.get_one(BookingRequest, request_id).status


def test_withdrawing_an_approved_request_cancels_its_booking_and_offers_its_days(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_environment: Factory,
    make_request: Factory,
) -> None:
    env = make_environment()
    mine = make_request(tester, earliest_start=day(3))
    booking = approve_request(sessions, mine.id, actor=manager, now=NOW)
    waiting = make_request(earliest_start=day(3), latest_end=day(8))
    waitlist_request(sessions, waiting.id, actor=manager, now=NOW)
    withdrawn = withdraw_request(sessions, mine.id, actor=tester, now=NOW)
    assert withdrawn.status == RequestStatus.CANCELLED
    with sessions() as session:
        assert session.get_one(Booking, booking.id).status == BookingStatus.CANCELLED
        offered = session.exec(select(Booking).where(Booking.request_id == waiting.id)).one()
    assert (offered.environment_id, offered.start) == (env.id, day(3))
    assert status_of(sessions, waiting.id) == RequestStatus.APPROVED


def test_a_request_whose_booking_started_is_not_withdrawn(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_environment: Factory,
    make_request: Factory,
) -> None:
    make_environment()
    mine = make_request(tester, earliest_start=DAY0)
    booking = approve_request(sessions, mine.id, actor=manager, now=NOW)
    start_booking(sessions, booking.id or 0, actor=manager, now=NOW)
    with pytest.raises(InvalidState, match="has started; hand it back early"):
        withdraw_request(sessions, mine.id, actor=tester, now=NOW)
    assert status_of(sessions, mine.id) == RequestStatus.APPROVED


def test_only_the_requester_or_an_environment_manager_withdraws(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_user: Factory,
    make_environment: Factory,
    make_request: Factory,
) -> None:
    make_environment()
    mine = make_request(tester, earliest_start=day(3))
    with pytest.raises(PermissionDenied):
        withdraw_request(sessions, mine.id, actor=make_user(role=Role.TEST_MANAGER), now=NOW)
    assert (
        withdraw_request(sessions, mine.id, actor=manager, now=NOW).status
        == RequestStatus.CANCELLED
    )
    with pytest.raises(InvalidState, match="the request is cancelled; only a pending request"):
        withdraw_request(sessions, mine.id, actor=tester, now=NOW)


def test_withdrawing_an_approved_request_keeps_who_approved_it(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_environment: Factory,
    make_request: Factory,
) -> None:
    make_environment()
    mine = make_request(tester, earliest_start=day(3))
    approve_request(sessions, mine.id, actor=manager, now=NOW)
    withdraw_request(sessions, mine.id, actor=tester, now=NOW + dt.timedelta(hours=2))
    with sessions() as session:
        row = session.get_one(BookingRequest, mine.id)
    assert (row.status, row.decided_by_id, row.decided_at) == (
        RequestStatus.CANCELLED,
        manager.id,
        NOW,
    )
    assert row.decision_reason == "withdrawn by the requester"


def test_withdrawing_a_pending_request_names_no_decider(
    sessions: SessionFactory, tester: User, make_environment: Factory, make_request: Factory
) -> None:
    make_environment()
    mine = make_request(tester, earliest_start=day(3))
    withdraw_request(sessions, mine.id, actor=tester, now=NOW)
    with sessions() as session:
        row = session.get_one(BookingRequest, mine.id)
    assert (row.status, row.decided_by_id, row.decided_at) == (RequestStatus.CANCELLED, None, None)


def _handed_back(sessions: SessionFactory, booking_id: int, manager: User) -> None:
    start_booking(sessions, booking_id, actor=manager, now=NOW + dt.timedelta(days=3))
    release_early(sessions, booking_id, actor=manager, now=NOW + dt.timedelta(days=5))


def _cancelled(sessions: SessionFactory, booking_id: int, manager: User) -> None:
    cancel_booking(sessions, booking_id, actor=manager, now=NOW, reason="not needed")


@pytest.mark.parametrize(
    ("end_it", "said"),
    [
        (_handed_back, "is released"),  # used, then handed back: long over
        (_cancelled, "is cancelled"),  # cancelled on its own page
        (lambda sessions, booking_id, manager: None, "is over"),  # its days are past
    ],
    ids=["handed-back", "cancelled", "past"],
)
def test_a_request_whose_booking_is_over_is_not_withdrawn_and_keeps_its_decider(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_environment: Factory,
    make_request: Factory,
    end_it: Callable[[SessionFactory, int, User], None],
    said: str,
) -> None:
    make_environment()
    mine = make_request(tester, earliest_start=day(3))
    booking = approve_request(sessions, mine.id, actor=manager, now=NOW)
    end_it(sessions, booking.id or 0, manager)
    later = NOW + dt.timedelta(days=30)
    with sessions() as session:
        assert not may_withdraw(session, session.get_one(BookingRequest, mine.id), later.date())
    with pytest.raises(InvalidState, match=f"\\) {said}; only a pending"):
        withdraw_request(sessions, mine.id, actor=tester, now=later)
    with sessions() as session:
        row = session.get_one(BookingRequest, mine.id)
    assert (row.status, row.decided_by_id) == (RequestStatus.APPROVED, manager.id)
