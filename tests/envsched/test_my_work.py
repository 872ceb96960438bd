"""What waits for one person: their bookings, and the gates their role signs whose step is
near (an entry gate two weeks before its booking, an exit gate once the booking is under
way or over, a go/no-go once its release is ready)."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.db import SessionFactory, read_transaction
from envsched.insight.my_work import due_gates, my_booking_ids
from envsched.lifecycle.gates import GateRef, sign_gate
from envsched.models import BookingStatus, GateKind, ReleaseStatus, Role, User
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def due(sessions: SessionFactory, user: User) -> list[str]:
    with read_transaction(sessions) as session:
        return [g.name for g in due_gates(session, user, DAY0)]


# the phase's booking: (first day, last day + 1, status) -> its gates that are due
DUE_CASES = [
    pytest.param(
        day(10), day(15), BookingStatus.CONFIRMED, ["R1-UAT entry"], id="starts-within-two-weeks"
    ),
    pytest.param(
        day(14),
        day(19),
        BookingStatus.CONFIRMED,
        ["R1-UAT entry"],
        id="starts-in-exactly-two-weeks",
    ),
    pytest.param(day(15), day(20), BookingStatus.CONFIRMED, [], id="starts-later"),
    pytest.param(day(-2), day(3), BookingStatus.IN_USE, ["R1-UAT exit"], id="in-use"),
    pytest.param(day(-9), day(-2), BookingStatus.RELEASED, ["R1-UAT exit"], id="over"),
    pytest.param(day(-9), day(-2), BookingStatus.CANCELLED, [], id="cancelled"),
]


@pytest.mark.parametrize(("start", "end", "status", "names"), DUE_CASES)
def test_a_phase_gate_is_due_for_its_test_manager_when_its_booking_is_near(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
    make_user: Factory,
    start: dt.date,
    end: dt.date,
    status: BookingStatus,
    names: list[str],
) -> None:
    release = make_release(key="R1", status=ReleaseStatus.IN_TEST)
    phase = make_phase(release, key="R1-UAT")
    make_booking(make_environment(), phase_id=phase.id, start=start, end=end, status=status)
    assert due(sessions, make_user(role=Role.TEST_MANAGER)) == names
    assert due(sessions, make_user(role=Role.RELEASE_MANAGER)) == []  # not theirs to sign


def test_a_signed_gate_waits_no_more(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
    make_user: Factory,
) -> None:
    release = make_release(key="R1", status=ReleaseStatus.IN_TEST)
    phase = make_phase(release, key="R1-UAT")
    make_booking(make_environment(), phase_id=phase.id, start=day(3), end=day(8))
    tester = make_user(role=Role.TEST_MANAGER)
    sign_gate(sessions, GateRef("R1", "R1-UAT", GateKind.ENTRY), actor=tester, now=NOW)
    assert due(sessions, tester) == []


def test_the_go_no_go_is_due_for_the_release_manager_once_the_release_is_ready(
    sessions: SessionFactory, make_release: Factory, make_user: Factory
) -> None:
    make_release(key="R1", status=ReleaseStatus.READY)
    make_release(key="R2", status=ReleaseStatus.IN_TEST)
    make_release(key="R3", status=ReleaseStatus.DEPLOYED)
    assert due(sessions, make_user(role=Role.RELEASE_MANAGER)) == ["R1 go/no-go"]
    assert due(sessions, make_user(role=Role.ADMIN)) == ["R1 go/no-go"]
    assert due(sessions, make_user(role=Role.TEST_MANAGER)) == []


def test_my_bookings_are_those_of_my_requests_and_those_i_booked(
    sessions: SessionFactory,
    make_environment: Factory,
    make_booking: Factory,
    make_request: Factory,
    make_user: Factory,
) -> None:
    tom, eric = make_user(role=Role.TEST_MANAGER), make_user()
    env = make_environment()
    asked = make_request(tom)
    # eric approved tom's request: the booking is tom's, not eric's
    mine = make_booking(env, request_id=asked.id, created_by_id=eric.id, start=day(20), end=day(25))
    direct = make_booking(env, created_by_id=tom.id, start=day(2), end=day(4))
    make_booking(
        env, created_by_id=tom.id, start=day(5), end=day(7), status=BookingStatus.CANCELLED
    )
    eric_own = make_booking(env, created_by_id=eric.id, start=day(8), end=day(9))
    with read_transaction(sessions) as session:
        assert my_booking_ids(session, tom) == [direct.id, mine.id]
        assert my_booking_ids(session, eric) == [eric_own.id]
