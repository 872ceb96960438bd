"""The request workflow: request, suggest, approve, reject, waitlist, offers of freed days."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, func, select

from envsched.booking.bookings import (
    approve_request,
    book_direct,
    reject_request,
    suggest_slots,
    waitlist_request,
)
from envsched.booking.free_slots import find_free_slots
from envsched.booking.giveback import cancel_booking, release_early
from envsched.booking.requests import request_booking
from envsched.booking.shapes import BookingIn, BookingRequestIn
from envsched.booking.withdraw import withdraw_request
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, InvalidState, PermissionDenied
from envsched.models import AuditEntry, BookingRequest, BookingStatus, RequestStatus, Role, User
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def tester(make_user: Factory) -> User:
    return make_user(name="tess", role=Role.TEST_MANAGER)


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="mona", role=Role.ENVIRONMENT_MANAGER)


def ask(**fields: object) -> BookingRequestIn:
    return BookingRequestIn.model_validate(
        {"type": "UAT", "duration_days": 5, "earliest_start": day(0), **fields}
    )


def status_of(sessions: SessionFactory, request_id: int | None) -> RequestStatus:
    with sessions() as session:
        return session.get_one(BookingRequest, request_id).status


def test_a_request_takes_type_tags_and_environments_from_its_phase(
    sessions: SessionFactory, tester: User, make_environment: Factory, make_phase: Factory
) -> None:
    env = make_environment(type="PERF", tags=["mainframe"])
    phase = make_phase(type="PERF", required_tags=["mainframe"], environments=[env.name])
    request = request_booking(
        sessions, ask(type=None, phase=phase.key, required_tags=["x"]), actor=tester, now=NOW
    )
    assert request.phase_id == phase.id and request.environment_type_id == env.type_id
    assert request.required_tags == ["mainframe", "x"]
    assert request.environments == [env.name]
    assert request.status == RequestStatus.REQUESTED and request.requester_id == tester.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "NOSUCH"}, "type"),
        ({"type": None}, "type"),
        ({"phase": "R404-SIT"}, "phase"),
        ({"environments": ["UAT-404"]}, "environments"),
        ({"earliest_start": day(-1)}, "earliest_start"),
        ({"latest_end": day(4)}, "latest_end"),
    ],
)
def test_a_bad_request_names_the_field_and_stores_nothing(
    sessions: SessionFactory,
    tester: User,
    make_environment: Factory,
    fields: dict[str, object],
    field: str,
) -> None:
    make_environment(type="UAT")
    with pytest.raises(InvalidInput) as caught:
        request_booking(sessions, ask(**fields), actor=tester, now=NOW)
    assert caught.value.field == field
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(BookingRequest)).one() == 0
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == 0


def test_viewers_cannot_request(
    sessions: SessionFactory, make_user: Factory, make_environment: Factory
) -> None:
    make_environment()
    with pytest.raises(PermissionDenied):
        request_booking(sessions, ask(), actor=make_user(role=Role.VIEWER), now=NOW)


def test_free_slots_skip_bookings_windows_and_wrong_tags(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory, make_window: Factory
) -> None:
    busy = make_environment(name="UAT-A", tags=["mainframe"])
    patched = make_environment(name="UAT-B", tags=["mainframe"])
    make_environment(name="UAT-C")  # lacks the tag
    make_booking(busy, start=day(0), end=day(10))
    make_window(patched, start=day(2), end=day(3))
    with sessions() as session:
        slots = find_free_slots(session, "UAT", 5, day(0), tags=["mainframe"])
    assert [(s.environment, s.start, s.end) for s in slots] == [
        ("UAT-B", day(3), day(8)),
        ("UAT-A", day(10), day(15)),
    ]


def test_approving_without_a_choice_books_the_earliest_free_slot(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
) -> None:
    early, late = make_environment(name="UAT-E"), make_environment(name="UAT-L")
    make_booking(early, start=day(0), end=day(3))
    make_booking(late, start=day(0), end=day(6))
    request = request_booking(sessions, ask(), actor=tester, now=NOW)
    assert request.id is not None
    assert [s.environment for s in suggest_slots(sessions, request.id)] == ["UAT-E", "UAT-L"]
    booking = approve_request(sessions, request.id, actor=manager, now=NOW)
    assert (booking.environment_id, booking.start, booking.end) == (early.id, day(3), day(8))
    assert booking.request_id == request.id and booking.status == BookingStatus.CONFIRMED
    assert status_of(sessions, request.id) == RequestStatus.APPROVED


def test_approving_to_a_chosen_environment_and_start_checks_the_request_window(
    sessions: SessionFactory, tester: User, manager: User, make_environment: Factory
) -> None:
    env = make_environment()
    request = request_booking(sessions, ask(latest_end=day(10)), actor=tester, now=NOW)
    assert request.id is not None
    with pytest.raises(InvalidInput) as caught:
        approve_request(
            sessions, request.id, actor=manager, now=NOW, environment=env.name, start=day(6)
        )
    assert caught.value.field == "start"
    booking = approve_request(
        sessions, request.id, actor=manager, now=NOW, environment=env.name, start=day(5)
    )
    assert (booking.start, booking.end) == (day(5), day(10))


def test_a_request_with_no_room_stays_open_when_approval_fails(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment()
    make_booking(env, start=day(0), end=day(30))
    request = request_booking(sessions, ask(fixed=True), actor=tester, now=NOW)
    assert request.id is not None
    with pytest.raises(BookingConflict):
        approve_request(sessions, request.id, actor=manager, now=NOW)
    assert status_of(sessions, request.id) == RequestStatus.REQUESTED


def test_rejecting_needs_a_reason_and_closes_the_request(
    sessions: SessionFactory, tester: User, manager: User, make_environment: Factory
) -> None:
    make_environment()
    request = request_booking(sessions, ask(), actor=tester, now=NOW)
    assert request.id is not None
    with pytest.raises(InvalidInput) as caught:
        reject_request(sessions, request.id, "  ", actor=manager, now=NOW)
    assert caught.value.field == "reason"
    rejected = reject_request(sessions, request.id, "no budget", actor=manager, now=NOW)
    assert (rejected.status, rejected.decision_reason) == (RequestStatus.REJECTED, "no budget")
    with pytest.raises(InvalidState):
        approve_request(sessions, request.id, actor=manager, now=NOW)


def test_a_requester_may_withdraw_their_own_request_only(
    sessions: SessionFactory, tester: User, make_user: Factory, make_environment: Factory
) -> None:
    make_environment()
    request = request_booking(sessions, ask(), actor=tester, now=NOW)
    assert request.id is not None
    with pytest.raises(PermissionDenied):
        withdraw_request(sessions, request.id, actor=make_user(role=Role.TEST_MANAGER), now=NOW)
    assert (
        withdraw_request(sessions, request.id, actor=tester, now=NOW).status
        == RequestStatus.CANCELLED
    )


def test_a_cancelled_booking_goes_to_the_highest_priority_waitlisted_request_that_fits(
    sessions: SessionFactory, tester: User, manager: User, make_environment: Factory
) -> None:
    env = make_environment()
    holder = book_direct(
        sessions, BookingIn(environment=env.name, start=day(0), end=day(10)), actor=manager, now=NOW
    )
    low = request_booking(sessions, ask(priority=1), actor=tester, now=NOW)
    high = request_booking(sessions, ask(priority=5), actor=tester, now=NOW)
    too_long = request_booking(
        sessions, ask(priority=9, duration_days=11, fixed=True), actor=tester, now=NOW
    )
    for request in (low, high, too_long):
        assert request.id is not None
        waitlist_request(sessions, request.id, actor=manager, now=NOW)
    assert holder.id is not None
    cancel_booking(sessions, holder.id, actor=manager, now=NOW, reason="project paused")
    assert status_of(sessions, high.id) == RequestStatus.APPROVED
    assert status_of(sessions, low.id) == RequestStatus.APPROVED  # days 5-10 were left
    assert status_of(sessions, too_long.id) == RequestStatus.WAITLISTED


def test_releasing_early_shortens_the_booking_and_offers_the_rest(
    sessions: SessionFactory, tester: User, manager: User, make_environment: Factory
) -> None:
    env = make_environment()
    holder = book_direct(
        sessions, BookingIn(environment=env.name, start=day(0), end=day(10)), actor=manager, now=NOW
    )
    waiting = request_booking(sessions, ask(duration_days=4), actor=tester, now=NOW)
    assert waiting.id is not None and holder.id is not None
    waitlist_request(sessions, waiting.id, actor=manager, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        release_early(sessions, holder.id, actor=manager, now=NOW, on=day(0))
    assert caught.value.field == "on"
    released = release_early(sessions, holder.id, actor=manager, now=NOW, on=day(6))
    assert (released.status, released.end) == (BookingStatus.RELEASED, day(6))
    assert status_of(sessions, waiting.id) == RequestStatus.APPROVED
    with pytest.raises(InvalidState):
        cancel_booking(sessions, holder.id, actor=manager, now=NOW)


def test_a_booking_under_way_today_is_handed_back_keeping_today_and_not_cancelled(
    sessions: SessionFactory, manager: User, make_environment: Factory
) -> None:
    env = make_environment()
    today = book_direct(
        sessions, BookingIn(environment=env.name, start=day(0), end=day(3)), actor=manager, now=NOW
    )
    assert today.id is not None
    later = NOW + dt.timedelta(days=1)  # its first day is past: it is under way
    with pytest.raises(InvalidState, match="under way since 4 Jan 2027; hand it back"):
        cancel_booking(sessions, today.id, actor=manager, now=later)
    released = release_early(sessions, today.id, actor=manager, now=NOW)  # starts today
    assert (released.status, released.start, released.end) == (
        BookingStatus.RELEASED,
        day(0),
        day(1),  # today is kept; the days from tomorrow are given back
    )


def test_the_requester_may_cancel_the_booking_their_request_got(
    sessions: SessionFactory,
    tester: User,
    manager: User,
    make_user: Factory,
    make_environment: Factory,
) -> None:
    make_environment()
    request = request_booking(sessions, ask(), actor=tester, now=NOW)
    assert request.id is not None
    booking = approve_request(sessions, request.id, actor=manager, now=NOW)
    assert booking.id is not None
    with pytest.raises(PermissionDenied):
        cancel_booking(sessions, booking.id, actor=make_user(role=Role.PLANNER), now=NOW)
    assert (
        cancel_booking(sessions, booking.id, actor=tester, now=NOW).status
        == BookingStatus.CANCELLED
    )


def test_every_step_of_the_workflow_is_in_the_audit_log(
    sessions: SessionFactory, tester: User, manager: User, make_environment: Factory
) -> None:
    make_environment()
    request = request_booking(sessions, ask(), actor=tester, now=NOW)
    assert request.id is not None
    booking = approve_request(sessions, request.id, actor=manager, now=NOW)
    assert booking.id is not None
    cancel_booking(sessions, booking.id, actor=manager, now=NOW)
    with sessions() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert [(e.actor, e.entity, e.action) for e in entries] == [
        ("tess", "booking_request", "create"),
        ("mona", "booking", "book"),
        ("mona", "booking_request", "approved"),
        ("mona", "booking", "cancelled"),
    ]
    assert entries[-1].before is not None and entries[-1].before["status"] == "confirmed"
