"""Moving a booking: same row and id, new days or environment, length kept; refused with a
named error on a clash, for a role that may not move, for a phase's wrong environment and
for a booking that is missing, over or in use. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from envsched.booking.bookings import waitlist_request
from envsched.booking.move import move_booking, move_choices
from envsched.booking.rulebook import RuleBroken
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from envsched.models import AuditEntry, Booking, BookingStatus, RequestStatus, Role, User
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="mona", role=Role.ENVIRONMENT_MANAGER)


def stored(sessions: SessionFactory, booking_id: int | None) -> Booking:
    with sessions() as session:
        return session.get_one(Booking, booking_id)


def test_a_move_keeps_the_booking_its_id_and_its_length_and_audits_before_and_after(
    sessions: SessionFactory, manager: User, make_environment: Factory, make_booking: Factory
) -> None:
    uat1, uat2 = make_environment(name="UAT-1"), make_environment(name="UAT-2")
    booking = make_booking(uat1, start=day(10), end=day(15), note="regression")
    moved = move_booking(
        sessions, booking.id, environment="UAT-2", start=day(20), actor=manager, now=NOW
    )
    assert moved.id == booking.id
    again = stored(sessions, booking.id)
    assert (again.environment_id, again.start, again.end) == (uat2.id, day(20), day(25))
    assert (again.status, again.note) == (BookingStatus.CONFIRMED, "regression")
    with sessions() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "move")).one()
    assert entry.entity_id == str(booking.id) and entry.actor == "mona"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["start"], entry.before["environment_id"]) == (str(day(10)), uat1.id)
    assert (entry.after["start"], entry.after["end"]) == (str(day(20)), str(day(25)))


def test_a_move_may_overlap_the_booking_s_own_old_days(
    sessions: SessionFactory, manager: User, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(10), end=day(15))
    move_booking(sessions, booking.id, environment=env.name, start=day(12), actor=manager, now=NOW)
    assert (stored(sessions, booking.id).start, stored(sessions, booking.id).end) == (
        day(12),
        day(17),
    )


def test_a_move_onto_another_booking_is_refused_and_changes_nothing(
    sessions: SessionFactory, manager: User, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(10), end=day(15))
    other = make_booking(env, start=day(20), end=day(25))
    with pytest.raises(BookingConflict) as caught:
        move_booking(
            sessions, booking.id, environment=env.name, start=day(18), actor=manager, now=NOW
        )
    assert [c.booking_id for c in caught.value.clashes] == [other.id]
    assert stored(sessions, booking.id).start == day(10)
    with sessions() as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "move")).all() == []


def test_a_move_into_a_maintenance_window_is_refused(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    make_window: Factory,
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(10), end=day(15))
    make_window(env, start=day(30), end=day(32), reason="patching")
    with pytest.raises(BookingConflict, match="maintenance"):
        move_booking(
            sessions, booking.id, environment=env.name, start=day(28), actor=manager, now=NOW
        )


@pytest.mark.parametrize(
    "role", [Role.TEST_MANAGER, Role.RELEASE_MANAGER, Role.PLANNER, Role.VIEWER]
)
def test_only_environment_managers_move_bookings(
    sessions: SessionFactory,
    make_user: Factory,
    make_environment: Factory,
    make_booking: Factory,
    role: Role,
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(10), end=day(15))
    with pytest.raises(PermissionDenied):
        move_booking(
            sessions,
            booking.id,
            environment=env.name,
            start=day(20),
            actor=make_user(role=role),
            now=NOW,
        )
    assert stored(sessions, booking.id).start == day(10)


def test_moving_a_missing_booking_is_not_found(
    sessions: SessionFactory, manager: User, make_environment: Factory
) -> None:
    env = make_environment()
    with pytest.raises(NotFound):
        move_booking(sessions, 4242, environment=env.name, start=day(3), actor=manager, now=NOW)


@pytest.mark.parametrize(
    "status", [BookingStatus.CANCELLED, BookingStatus.RELEASED, BookingStatus.IN_USE]
)
def test_a_booking_over_or_in_use_does_not_move(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    status: BookingStatus,
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(10), end=day(15), status=status)
    with pytest.raises(InvalidState):
        move_booking(
            sessions, booking.id, environment=env.name, start=day(20), actor=manager, now=NOW
        )


@pytest.mark.parametrize(
    ("first", "to"),
    [
        (-3, 3),  # started three days ago, confirmed but not marked in use: dragged later
        (-3, -3),  # its own days, on another environment: the days had stay where they were
    ],
)
def test_a_booking_that_has_started_does_not_move(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    first: int,
    to: int,
) -> None:
    env, other = make_environment(name="PERF-1"), make_environment(name="PERF-2")
    booking = make_booking(env, start=day(first), end=day(first + 7), note="LOS-9.1-PERF")
    with pytest.raises(InvalidState, match=r"started on .*hand it back early"):
        move_booking(
            sessions,
            booking.id,
            environment=other.name if first == to else env.name,
            start=max(day(to), DAY0),
            actor=manager,
            now=NOW,
        )
    assert stored(sessions, booking.id).start == day(first)


def test_a_move_names_the_field_it_cannot_take(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    make_phase: Factory,
) -> None:
    uat = make_environment(name="UAT-1", tags=["mainframe"])
    make_environment(name="UAT-2")
    make_environment(name="SIT-1", type="SIT")
    phase = make_phase(type="UAT", required_tags=["mainframe"])
    booking = make_booking(uat, start=day(10), end=day(15), phase_id=phase.id)
    for name, problem in (("UAT-2", "lacks the tag mainframe"), ("SIT-1", "and SIT-1 is SIT")):
        with pytest.raises(RuleBroken, match=problem) as broken:  # the phase's rule
            move_booking(
                sessions, booking.id, environment=name, start=day(20), actor=manager, now=NOW
            )
        assert list(broken.value.fields) == ["environment"]
    with pytest.raises(InvalidInput, match="no environment named") as caught:
        move_booking(
            sessions, booking.id, environment="UAT-9", start=day(20), actor=manager, now=NOW
        )
    assert caught.value.field == "environment"
    with pytest.raises(InvalidInput) as past:
        move_booking(
            sessions, booking.id, environment="UAT-1", start=day(-1), actor=manager, now=NOW
        )
    assert past.value.field == "start"


def test_the_old_days_go_to_the_waitlist(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    make_request: Factory,
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(2), end=day(7))
    waiting = make_request(duration_days=5, earliest_start=day(2), latest_end=day(7))
    waitlist_request(sessions, waiting.id, actor=manager, now=NOW)
    move_booking(sessions, booking.id, environment=env.name, start=day(30), actor=manager, now=NOW)
    with sessions() as session:
        offered = session.exec(select(Booking).where(Booking.request_id == waiting.id)).one()
        status = session.get_one(type(waiting), waiting.id).status
    assert (offered.start, offered.end, status) == (day(2), day(7), RequestStatus.APPROVED)


def test_the_choices_are_free_slots_of_the_phase_not_before_its_release(
    sessions: SessionFactory,
    make_environment: Factory,
    make_booking: Factory,
    make_phase: Factory,
    make_release: Factory,
) -> None:
    uat = make_environment(name="UAT-1", tags=["mainframe"])
    make_environment(name="UAT-2")  # no mainframe tag: never offered
    release = make_release(earliest_start=day(9))
    phase = make_phase(release, type="UAT", required_tags=["mainframe"], duration_days=4)
    booking = make_booking(uat, start=day(20), end=day(24), phase_id=phase.id)
    choices = move_choices(sessions, booking.id or 0, today=DAY0)
    assert [(s.environment, s.start, s.end) for s in choices.slots] == [("UAT-1", day(9), day(13))]
    assert choices.environments == ["UAT-1"]
    with sessions() as session:
        ids = session.exec(select(Booking.id).order_by(col(Booking.id))).all()
    assert ids == [booking.id]  # choosing reads only


def test_a_free_slot_keeps_the_changeover_after_a_booking_that_ended_just_before(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    make_phase: Factory,
) -> None:
    env = make_environment(name="UAT-1", changeover_days=2)
    make_booking(env, start=day(-5), end=day(1))  # another release's, over tomorrow
    phase = make_phase(type="UAT", duration_days=3)
    booking = make_booking(env, start=day(20), end=day(23), phase_id=phase.id)
    [slot] = move_choices(sessions, booking.id or 0, today=day(1)).slots
    assert slot.start == day(3)  # days 1 and 2 are the changeover
    moved = move_booking(
        sessions,
        booking.id,
        environment="UAT-1",
        start=slot.start,
        actor=manager,
        now=NOW + dt.timedelta(days=1),
    )
    assert moved.start == day(3)


def test_a_move_before_its_release_may_start_is_refused_by_the_rulebook_unless_forced(
    sessions: SessionFactory,
    manager: User,
    make_environment: Factory,
    make_booking: Factory,
    make_phase: Factory,
    make_release: Factory,
) -> None:
    env = make_environment(name="UAT-1")
    phase = make_phase(make_release(earliest_start=day(10)), type="UAT", duration_days=5)
    booking = make_booking(env, start=day(20), end=day(25), phase_id=phase.id)
    with pytest.raises(RuleBroken) as broken:
        move_booking(
            sessions, booking.id, environment="UAT-1", start=day(5), actor=manager, now=NOW
        )
    assert [b.rule for b in broken.value.breaks] == ["earliest_start"]
    assert stored(sessions, booking.id).start == day(20)
    move_booking(
        sessions,
        booking.id,
        environment="UAT-1",
        start=day(5),
        actor=manager,
        now=NOW,
        force_reason="vendor window",
    )
    forced = stored(sessions, booking.id)
    assert (forced.start, forced.forced_reason) == (day(5), "vendor window")
