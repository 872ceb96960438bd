"""Withdrawing a request: open ones close; approved ones take their booking along while it
has not started, and its days go to the waitlist; a started one is refused by name."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from envsched.booking.bookings import approve_request, start_booking, waitlist_request
from envsched.booking.withdraw import withdraw_request
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
    with pytest.raises(InvalidState, match="only an open or approved request"):
        withdraw_request(sessions, mine.id, actor=tester, now=NOW)
