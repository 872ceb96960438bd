"""Check-in and no-shows, on both databases: a booking of a check-in type not checked in
within ENVSCHED_CHECKIN_HOURS of its start is released by the worker's job, its days go
to the waitlist and its owner is told (in the app and by mail); a check-in, or a type
without check-in, keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from envsched.booking import request_booking, waitlist_request
from envsched.booking.checkin import check_in, release_no_shows
from envsched.booking.shapes import BookingRequestIn
from envsched.days import day_text, days_text
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidState, PermissionDenied
from envsched.inventory import set_checkin_required
from envsched.models import (
    Booking,
    BookingRequest,
    BookingStatus,
    Delivery,
    EnvironmentType,
    Notification,
    RequestStatus,
    Role,
    User,
)
from envsched.notify import Notifier
from envsched.settings import Settings
from envsched.solves.runner import utc_now
from envsched.solves.worker import build_scheduler, release_no_shows_job
from tests.envsched.factories import NOW, Factory, id_of

HOURS = 4


def checkin_type(sessions: SessionFactory, name: str = "UAT", required: bool = True) -> None:
    with sessions.begin() as session:
        row = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).one()
        row.checkin_required = required


def owned_booking(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
    start: dt.date,
    *,
    type_name: str = "UAT",
) -> Booking:
    """A confirmed 5-day booking from ``start``, of an approved request of ``owner``."""
    env = make_environment(type=type_name, name=f"{type_name}-1")
    request = make_request(
        owner, type=type_name, earliest_start=start, status=RequestStatus.APPROVED
    )
    made = moment(start - dt.timedelta(days=7), 9)
    return make_booking(
        env,
        start=start,
        end=start + dt.timedelta(days=5),
        request_id=request.id,
        created_at=made,
        updated_at=made,
    )


def waiting_request(sessions: SessionFactory, tester: User, manager: User, start: dt.date) -> int:
    asked = BookingRequestIn(type="UAT", duration_days=3, earliest_start=start)
    request = request_booking(sessions, asked, actor=tester, now=moment(start, 0))
    assert request.id is not None
    waitlist_request(sessions, request.id, actor=manager, now=moment(start, 0))
    return request.id


def moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def stored(sessions: SessionFactory, model: type, row_id: int) -> object:
    with read_transaction(sessions) as session:
        return session.get_one(model, row_id)


@pytest.fixture
def owner(make_user: Factory) -> User:
    return make_user(name="tess", role=Role.TEST_MANAGER, email="tess@example.com")


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="erin", role=Role.ENVIRONMENT_MANAGER)


def test_the_workers_job_releases_a_no_show_offers_it_to_the_waitlist_and_tells_the_owner(
    sessions: SessionFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    make_user: Factory,
    owner: User,
    manager: User,
) -> None:
    today = utc_now().date()
    booking = owned_booking(
        sessions, make_environment, make_request, make_booking, owner, today - dt.timedelta(1)
    )
    checkin_type(sessions)
    other = make_user(name="otto", role=Role.TEST_MANAGER)
    waiting = waiting_request(sessions, other, manager, today)
    monkeypatch.setenv("ENVSCHED_DATABASE_URL", database_url)
    monkeypatch.setenv("ENVSCHED_CHECKIN_HOURS", str(HOURS))
    mailer = Notifier(Settings(database_url=database_url, smtp_host="mail.example.com"))
    mailer.audit_events(sessions, utc_now())  # the worker's notify job has looked before

    assert release_no_shows_job() == 1
    assert release_no_shows_job() == 0  # nothing left: the release is done once

    released = stored(sessions, Booking, id_of(booking))
    assert isinstance(released, Booking)
    assert (released.status, released.end) == (BookingStatus.RELEASED, today)
    deadline = f"{day_text(today - dt.timedelta(1))}, 04:00 UTC"  # its first day + HOURS
    assert released.note == f"released: not checked in by {deadline}"
    offered = stored(sessions, BookingRequest, waiting)
    assert isinstance(offered, BookingRequest) and offered.status == RequestStatus.APPROVED
    with read_transaction(sessions) as session:
        taken = session.exec(select(Booking).where(Booking.request_id == waiting)).one()
        assert (taken.environment_id, taken.start) == (booking.environment_id, today)
        told = session.exec(select(Notification).where(Notification.user_id == owner.id)).one()
        offered_told = session.exec(
            select(Notification).where(Notification.user_id == other.id)
        ).one()
    assert offered_told.text.startswith(
        "Your request for 3 days of UAT was booked from the waitlist: "
    )
    assert told.event == "booking.released_no_show"
    assert told.text == (  # named as it was, not by the note its release adds
        f"Your booking on UAT-1, {days_text(today - dt.timedelta(1), today + dt.timedelta(4))} "
        "was released: it was not checked in in time, and its days went back to the waitlist."
    )
    mailer.audit_events(sessions, utc_now())
    with read_transaction(sessions) as session:
        mails = session.exec(
            select(Delivery).where(Delivery.event == "booking.released_no_show")
        ).all()
    assert [m.target for m in mails] == ["tess@example.com"]
    assert mails[0].subject == "envsched: your booking released: not checked in"


def test_the_worker_stores_the_no_show_job(database_url: str, sessions: SessionFactory) -> None:
    scheduler = build_scheduler(Settings(database_url=database_url), sessions)
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job("envsched-no-shows").func is release_no_shows_job
    finally:
        scheduler.shutdown(wait=False)


def test_a_checked_in_booking_is_never_released(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
) -> None:
    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    checkin_type(sessions)
    with pytest.raises(InvalidState, match="opens on the first day"):
        check_in(
            sessions, id_of(booking), actor=owner, now=moment(start, 0) - dt.timedelta(hours=1)
        )
    checked = check_in(sessions, id_of(booking), actor=owner, now=moment(start, 2))
    assert checked.checked_in_at == moment(start, 2)
    check_in(sessions, id_of(booking), actor=owner, now=moment(start, 3))  # again: no change
    assert release_no_shows(sessions, hours=HOURS, now=moment(start + dt.timedelta(2), 9)) == []
    kept = stored(sessions, Booking, id_of(booking))
    assert isinstance(kept, Booking)
    assert (kept.status, kept.checked_in_at) == (BookingStatus.CONFIRMED, moment(start, 2))


def test_a_tentative_booking_is_not_checked_in_and_never_released(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
) -> None:
    """A tentative booking is pencilled in, not promised: the job never releases it, so a
    check-in would be a flag nothing reads; it is refused, naming why."""
    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    with sessions.begin() as session:
        pencilled = session.get_one(Booking, booking.id)
        pencilled.status, pencilled.note = BookingStatus.TENTATIVE, "regression"
    checkin_type(sessions)
    with pytest.raises(InvalidState) as refused:
        check_in(sessions, id_of(booking), actor=owner, now=moment(start, 2))
    assert refused.value.message == (
        "regression on UAT-1 (4–8 Jan 2027) is tentative: it is never released for want of "
        "a check-in, so it needs none"
    )
    assert release_no_shows(sessions, hours=HOURS, now=moment(start + dt.timedelta(2), 9)) == []
    kept = stored(sessions, Booking, id_of(booking))
    assert isinstance(kept, Booking)
    assert (kept.status, kept.checked_in_at) == (BookingStatus.TENTATIVE, None)


def test_a_booking_is_released_only_once_its_deadline_has_passed(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
) -> None:
    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    checkin_type(sessions)
    assert release_no_shows(sessions, hours=HOURS, now=moment(start, HOURS - 1)) == []
    assert release_no_shows(sessions, hours=HOURS, now=moment(start, HOURS)) == [booking.id]
    released = stored(sessions, Booking, id_of(booking))
    assert isinstance(released, Booking)
    # released on its first day: it keeps that day on record, the rest is offered
    assert (released.status, released.end) == (BookingStatus.RELEASED, start + dt.timedelta(1))


def test_switching_check_in_on_gives_started_bookings_the_full_hours_from_then(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
    make_user: Factory,
) -> None:
    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    admin = make_user(role=Role.ADMIN)
    switched = moment(start + dt.timedelta(days=2), 10)  # the booking runs since two days
    set_checkin_required(sessions, "UAT", True, actor=admin, now=switched)
    later = switched + dt.timedelta(hours=HOURS)
    assert release_no_shows(sessions, hours=HOURS, now=switched) == []  # not at once
    assert release_no_shows(sessions, hours=HOURS, now=later - dt.timedelta(minutes=1)) == []
    assert release_no_shows(sessions, hours=HOURS, now=later) == [booking.id]


def test_a_late_check_in_before_the_worker_releases_the_booking_keeps_it(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
) -> None:
    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    checkin_type(sessions)
    late = moment(start, HOURS) + dt.timedelta(minutes=3)  # overdue; the worker runs at :05
    checked = check_in(sessions, id_of(booking), actor=owner, now=late)
    assert checked.checked_in_at == late
    assert release_no_shows(sessions, hours=HOURS, now=late + dt.timedelta(minutes=2)) == []


def test_a_type_without_check_in_is_never_released(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
) -> None:
    start = dt.date(2027, 1, 4)
    booking = owned_booking(
        sessions, make_environment, make_request, make_booking, owner, start, type_name="SIT"
    )
    make_environment(type="UAT")
    checkin_type(sessions, "UAT")  # another type requires it; this one does not
    assert release_no_shows(sessions, hours=HOURS, now=moment(start + dt.timedelta(3), 9)) == []
    kept = stored(sessions, Booking, id_of(booking))
    assert isinstance(kept, Booking) and kept.status == BookingStatus.CONFIRMED


def test_only_the_owner_or_an_environment_manager_checks_a_booking_in(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    make_user: Factory,
    owner: User,
    manager: User,
) -> None:
    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    stranger = make_user(name="sam", role=Role.TEST_MANAGER)
    viewer = make_user(name="vic", role=Role.VIEWER)
    for nobody in (stranger, viewer):
        with pytest.raises(PermissionDenied):
            check_in(sessions, id_of(booking), actor=nobody, now=moment(start, 1))
    assert check_in(sessions, id_of(booking), actor=manager, now=moment(start, 1)).checked_in_at


def test_two_workers_releasing_at_once_release_each_booking_once(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    owner: User,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start = dt.date(2027, 1, 4)
    booking = owned_booking(sessions, make_environment, make_request, make_booking, owner, start)
    checkin_type(sessions)
    at = moment(start + dt.timedelta(1), 9)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: release_no_shows(sessions, hours=HOURS, now=at), [1, 2]))
    assert sorted(map(len, runs)) == [0, 1]
    with read_transaction(sessions) as session:
        told = session.exec(select(Notification).where(Notification.user_id == owner.id)).all()
        assert len(told) == 1
    released = stored(sessions, Booking, id_of(booking))
    assert isinstance(released, Booking) and released.status == BookingStatus.RELEASED


@pytest.fixture
def stack_booking(sessions: SessionFactory, make_environment: Factory, manager: User) -> list[int]:
    """Stack UAT-3 (an application of type UAT, which requires check-in, and a database of
    type DB, which does not) booked whole by ``manager`` a week before its first day,
    4 Jan 2027, for five days; its member bookings, the application's first."""
    from envsched.booking import StackBookingIn, book_stack
    from envsched.inventory import StackIn, create_stack

    make_environment(type="UAT", name="UAT-3-APP")
    make_environment(type="DB", name="UAT-3-DB")
    create_stack(
        sessions, StackIn(name="UAT-3", members=["UAT-3-APP", "UAT-3-DB"]), actor=None, now=NOW
    )
    start = dt.date(2027, 1, 4)
    done = book_stack(
        sessions,
        "UAT-3",
        StackBookingIn(start=start, end=start + dt.timedelta(days=5)),
        actor=manager,
        now=moment(start - dt.timedelta(days=7), 9),
    )
    checkin_type(sessions)
    return [p.booking for p in sorted(done.bookings, key=lambda p: p.environment)]


def test_checking_in_one_member_checks_in_the_whole_stack_booking(
    sessions: SessionFactory, stack_booking: list[int], manager: User
) -> None:
    start = dt.date(2027, 1, 4)
    app, db = stack_booking
    check_in(sessions, db, actor=manager, now=moment(start, 2))  # the database's, no check-in type
    for member in (app, db):
        checked = stored(sessions, Booking, member)
        assert isinstance(checked, Booking) and checked.checked_in_at == moment(start, 2)
    assert release_no_shows(sessions, hours=HOURS, now=moment(start + dt.timedelta(2), 9)) == []


def test_a_stack_booking_not_checked_in_is_released_whole_and_its_owner_told_once(
    sessions: SessionFactory,
    stack_booking: list[int],
    make_environment: Factory,
    make_user: Factory,
    manager: User,
) -> None:
    start = dt.date(2027, 1, 4)
    app, db = stack_booking
    other = make_user(name="otto", role=Role.TEST_MANAGER)
    waiting = {}
    for kind in ("UAT", "DB"):
        asked = BookingRequestIn(type=kind, duration_days=3, earliest_start=start)
        request = request_booking(sessions, asked, actor=other, now=moment(start, 0))
        waitlist_request(sessions, request.id or 0, actor=manager, now=moment(start, 0))
        waiting[kind] = request.id
    at = moment(start + dt.timedelta(days=1), 9)

    assert sorted(release_no_shows(sessions, hours=HOURS, now=at)) == [app, db]
    for member in (app, db):
        released = stored(sessions, Booking, member)
        assert isinstance(released, Booking)
        assert (released.status, released.end) == (BookingStatus.RELEASED, at.date())
    with read_transaction(sessions) as session:
        offered = session.exec(
            select(col(Booking.environment_id), col(Booking.start)).where(
                col(Booking.request_id).in_(list(waiting.values()))
            )
        ).all()
        told = session.exec(select(Notification).where(Notification.user_id == manager.id)).all()
    members = (environment_of(sessions, app), environment_of(sessions, db))
    assert sorted(offered) == [(env, at.date()) for env in sorted(members)]  # each its own
    assert [n.text for n in told] == [
        "Your booking of the stack UAT-3 on UAT-3-APP, UAT-3-DB, 4–8 Jan 2027 was released: it "
        "was not checked in in time, and its days went back to the waitlist."
    ]


def environment_of(sessions: SessionFactory, booking_id: int) -> int:
    found = stored(sessions, Booking, booking_id)
    assert isinstance(found, Booking)
    return found.environment_id
