"""In-app notifications: what the audit log says happened to a person's request or booking,
told to them in words, in the change's own transaction; read and marked by them alone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from envsched.booking.bookings import approve_request, reject_request
from envsched.booking.move import move_booking
from envsched.db import SessionFactory, read_transaction
from envsched.demo import load_demo
from envsched.errors import BookingConflict, NotFound, PermissionDenied
from envsched.models import Notification, Phase, Role, User
from envsched.notify import inbox
from tests.envsched.factories import DAY0, NOW, Factory

LATER = NOW + dt.timedelta(hours=1)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def stored(sessions: SessionFactory) -> list[Notification]:
    with read_transaction(sessions) as session:
        return list(session.exec(select(Notification)).all())


def test_an_approval_tells_the_requester_in_words_and_not_the_approver(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_user: Factory,
    make_request: Factory,
) -> None:
    make_environment(name="UAT-7")
    phase = make_phase(key="R9-UAT", duration_days=3)
    tom, eric = make_user(name="tom", role=Role.TEST_MANAGER), make_user(name="eric")
    asked = make_request(tom, phase_id=phase.id, duration_days=3, earliest_start=day(1))
    approve_request(sessions, asked.id, actor=eric, now=NOW)
    assert inbox.unread_count(sessions, tom) == 1 and inbox.unread_count(sessions, eric) == 0
    [told] = inbox.notifications(sessions, tom)
    assert told.text == "Your request for R9-UAT was approved by eric: UAT-7, 5–7 Jan 2027."
    assert (told.event, told.entity, told.entity_id, told.read) == (
        "request.approved",
        "booking_request",
        asked.id,
        False,
    )


def test_a_rejection_tells_the_requester_why(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory, make_request: Factory
) -> None:
    make_environment(type="PERF")
    tom, eric = make_user(name="tom", role=Role.TEST_MANAGER), make_user(name="eric")
    asked = make_request(tom, type="PERF", duration_days=10)
    reject_request(sessions, asked.id, "PERF is full in January", actor=eric, now=NOW)
    [told] = inbox.notifications(sessions, tom)
    assert told.text == (
        "Your request for 10 days of PERF was rejected by eric: PERF is full in January"
    )


def test_a_move_by_a_manager_tells_whose_booking_it_is(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_user: Factory,
    make_request: Factory,
) -> None:
    make_environment(name="UAT-1")
    make_environment(name="UAT-2")
    phase = make_phase(key="R9-UAT", duration_days=3)  # of a release with another key
    release = phase_release_key(sessions, phase.id)
    tom, eric = make_user(name="tom", role=Role.TEST_MANAGER), make_user(name="eric")
    asked = make_request(tom, phase_id=phase.id, duration_days=3, earliest_start=day(1))
    booking = approve_request(
        sessions, asked.id, actor=eric, now=NOW, environment="UAT-1", start=day(1)
    )
    assert booking.id is not None
    move_booking(sessions, booking.id, environment="UAT-2", start=day(8), actor=eric, now=LATER)
    newest = inbox.notifications(sessions, tom)[0]
    assert newest.text == (
        f"R9-UAT of release {release} moved from UAT-1, 5–7 Jan 2027 to "
        "UAT-2, 12–14 Jan 2027 by eric."
    )
    assert (newest.entity, newest.entity_id) == ("booking", booking.id)


def test_a_move_by_no_one_signed_in_says_envsched_did_it(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory, make_booking: Factory
) -> None:
    tom = make_user(name="tom", role=Role.TEST_MANAGER)
    env = make_environment(name="UAT-1")
    own = make_booking(env, start=day(2), end=day(4), created_by_id=tom.id, note="smoke test")
    move_booking(sessions, own.id, environment="UAT-1", start=day(9), actor=None, now=NOW)
    [told] = inbox.notifications(sessions, tom)
    assert told.text == (
        "Smoke test moved from UAT-1, 6–7 Jan 2027 to UAT-1, 13–14 Jan 2027 by envsched."
    )


def test_who_moves_their_own_booking_is_not_told_of_it(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory, make_booking: Factory
) -> None:
    eric = make_user(name="eric")
    env = make_environment(name="UAT-1")
    own = make_booking(env, start=day(2), end=day(4), created_by_id=eric.id)
    move_booking(sessions, own.id, environment="UAT-1", start=day(9), actor=eric, now=NOW)
    assert stored(sessions) == []


def test_a_refused_approval_tells_nobody(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    make_request: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment(name="UAT-1")
    make_booking(env, start=day(0), end=day(30))
    tom, eric = make_user(name="tom", role=Role.TEST_MANAGER), make_user(name="eric")
    asked = make_request(tom, duration_days=3, earliest_start=day(1))
    with pytest.raises(BookingConflict):
        approve_request(sessions, asked.id, actor=eric, now=NOW, environment="UAT-1", start=day(1))
    assert stored(sessions) == []


def test_marking_read_one_then_all_of_ones_own(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory, make_request: Factory
) -> None:
    make_environment(type="PERF")
    tom, tara = (
        make_user(name="tom", role=Role.TEST_MANAGER),
        make_user(name="tara", role=Role.TEST_MANAGER),
    )
    eric = make_user(name="eric")
    for who in (tom, tom, tara):
        reject_request(sessions, make_request(who, type="PERF").id, "no room", actor=eric, now=NOW)
    first, second = inbox.notifications(sessions, tom)
    assert inbox.mark_read(sessions, tom, now=LATER, notification_id=first.id) == 1
    assert inbox.unread_count(sessions, tom) == 1
    assert [n.id for n in inbox.notifications(sessions, tom, unread_only=True)] == [second.id]
    assert inbox.mark_read(sessions, tom, now=LATER) == 1
    assert inbox.unread_count(sessions, tom) == 0 and inbox.unread_count(sessions, tara) == 1


def test_nobody_reads_or_marks_another_persons_notifications(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory, make_request: Factory
) -> None:
    make_environment(type="PERF")
    tom, tara = (
        make_user(name="tom", role=Role.TEST_MANAGER),
        make_user(name="tara", role=Role.TEST_MANAGER),
    )
    reject_request(
        sessions,
        make_request(tara, type="PERF").id,
        "no room",
        actor=make_user(name="eric"),
        now=NOW,
    )
    [theirs] = inbox.notifications(sessions, tara)
    with pytest.raises(NotFound):
        inbox.mark_read(sessions, tom, now=LATER, notification_id=theirs.id)
    with pytest.raises(PermissionDenied):
        inbox.mark_read(sessions, None, now=LATER)
    assert inbox.unread_count(sessions, tara) == 1 and inbox.unread_count(sessions, None) == 0


def test_the_demos_replayed_year_of_news_is_read(sessions: SessionFactory) -> None:
    load_demo(sessions, NOW)
    with read_transaction(sessions) as session:
        rita = session.exec(select(User).where(User.name == "rita")).one()
    assert inbox.notifications(sessions, rita)  # her past releases' requests were approved
    assert inbox.unread_count(sessions, rita) == 0


def phase_release_key(sessions: SessionFactory, phase_id: int | None) -> str:
    with sessions() as session:
        return session.get_one(Phase, phase_id).release.key
