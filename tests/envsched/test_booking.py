"""Direct bookings: capacity, windows, freezes, changeover, eligibility; on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from envsched.booking.bookings import book_direct, booking_transaction
from envsched.booking.rulebook import RuleBroken
from envsched.booking.shapes import BookingIn
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, PermissionDenied
from envsched.inventory.availability import check_fits, lock_environment
from envsched.models import AuditEntry, Booking, BookingStatus, EnvironmentStatus, Role
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def direct(env_name: str, start: int, end: int, **extra: object) -> BookingIn:
    return BookingIn.model_validate(
        {"environment": env_name, "start": day(start), "end": day(end), **extra}
    )


def count(sessions: SessionFactory, model: type) -> int:
    with sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


# An existing booking holds days [10, 15); does a new booking [start, end) clash?
OVERLAP_CASES = [
    pytest.param(3, 8, False, id="before"),
    pytest.param(5, 10, False, id="touching-before"),  # ends the day the other starts
    pytest.param(8, 12, True, id="overlapping-start"),
    pytest.param(10, 15, True, id="same"),
    pytest.param(11, 13, True, id="inside"),
    pytest.param(8, 17, True, id="containing"),
    pytest.param(14, 18, True, id="overlapping-end"),
    pytest.param(15, 20, False, id="touching-after"),  # starts the day the other ends
    pytest.param(17, 20, False, id="after"),
]


@pytest.mark.parametrize(("start", "end", "clashes"), OVERLAP_CASES)
def test_capacity_one_environment_takes_a_booking_only_on_free_days(
    sessions: SessionFactory,
    make_environment: Factory,
    make_booking: Factory,
    start: int,
    end: int,
    clashes: bool,
) -> None:
    env = make_environment(capacity=1)
    held = make_booking(env, start=day(10), end=day(15))
    if clashes:
        with pytest.raises(BookingConflict) as caught:
            book_direct(sessions, direct(env.name, start, end), actor=None, now=NOW)
        assert [c.booking_id for c in caught.value.clashes] == [held.id]
        assert count(sessions, Booking) == 1
    else:
        booking = book_direct(sessions, direct(env.name, start, end), actor=None, now=NOW)
        assert (booking.start, booking.end) == (day(start), day(end))


def test_capacity_three_takes_three_overlapping_bookings_and_refuses_a_fourth(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    env = make_environment(capacity=3)
    made = [
        book_direct(sessions, direct(env.name, i, 10 + i), actor=None, now=NOW) for i in range(3)
    ]
    assert all(not b.exclusive for b in made)
    with pytest.raises(BookingConflict):
        book_direct(sessions, direct(env.name, 5, 6), actor=None, now=NOW)
    book_direct(sessions, direct(env.name, 0, 1), actor=None, now=NOW)  # only two on day 0


def test_a_clash_names_only_the_bookings_on_the_full_days_and_their_phases(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory, make_phase: Factory
) -> None:
    # Capacity 2: [0, 4) and [2, 6) fill days 2 and 3; [8, 12) overlaps the request
    # too but leaves room on its days, so it is not part of the clash.
    env = make_environment(capacity=2)
    phase = make_phase()
    early = make_booking(env, start=day(0), end=day(4), phase_id=phase.id)
    middle = make_booking(env, start=day(2), end=day(6))
    make_booking(env, start=day(8), end=day(12))
    with pytest.raises(BookingConflict, match="fully booked") as caught:
        book_direct(sessions, direct(env.name, 3, 10), actor=None, now=NOW)
    assert [(c.booking_id, c.phase) for c in caught.value.clashes] == [
        (early.id, phase.key),
        (middle.id, None),
    ]
    book_direct(sessions, direct(env.name, 4, 10), actor=None, now=NOW)  # one left each day


def test_a_freeze_of_another_type_or_other_days_lets_the_booking_through(
    sessions: SessionFactory, make_environment: Factory, make_freeze: Factory, make_window: Factory
) -> None:
    env = make_environment(type="UAT")
    make_freeze(start=day(0), end=day(30), types=["SIT"])
    make_window(env, start=day(20), end=day(22))
    booking = book_direct(sessions, direct(env.name, 0, 20), actor=None, now=NOW)
    assert booking.id is not None


def test_a_year_long_booking_is_checked_against_every_day(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(capacity=2)
    make_booking(env, start=day(300), end=day(301))
    make_booking(env, start=day(300), end=day(302))
    with pytest.raises(BookingConflict, match="fully booked"):
        book_direct(sessions, direct(env.name, 0, 365), actor=None, now=NOW)
    book_direct(sessions, direct(env.name, 0, 300), actor=None, now=NOW)


def test_the_fit_check_sees_a_booking_moved_earlier_in_the_same_transaction(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    held = make_booking(env, start=day(0), end=day(5))
    with booking_transaction(sessions) as session:
        locked = lock_environment(session, env.id)
        moved = session.get_one(Booking, held.id)
        moved.start, moved.end = day(10), day(15)  # not flushed yet
        check_fits(session, locked, day(0), day(5))
        with pytest.raises(BookingConflict):
            check_fits(session, locked, day(12), day(13))


def test_cancelled_and_released_bookings_leave_their_days_free(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    make_booking(env, status=BookingStatus.CANCELLED)
    make_booking(env, status=BookingStatus.RELEASED)
    book_direct(sessions, direct(env.name, 0, 5), actor=None, now=NOW)


def test_a_maintenance_window_refuses_bookings(
    sessions: SessionFactory, make_environment: Factory, make_window: Factory
) -> None:
    env = make_environment()
    make_window(env, start=day(3), end=day(4), reason="patching")
    with pytest.raises(BookingConflict, match="maintenance"):
        book_direct(sessions, direct(env.name, 0, 5), actor=None, now=NOW)
    book_direct(sessions, direct(env.name, 4, 9), actor=None, now=NOW)


def test_a_retired_environment_takes_no_booking(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    retired = make_environment(status=EnvironmentStatus.RETIRED)
    with pytest.raises(BookingConflict, match="retired") as refused:
        book_direct(sessions, direct(retired.name, 0, 5), actor=None, now=NOW)
    assert refused.value.rule == "retired"
    assert count(sessions, Booking) == 0


def test_a_freeze_refuses_bookings_of_the_types_it_covers_only(
    sessions: SessionFactory, make_environment: Factory, make_freeze: Factory
) -> None:
    uat, sit = make_environment(type="UAT"), make_environment(type="SIT")
    make_freeze(start=day(0), end=day(7), types=["UAT"], reason="year-end")
    with pytest.raises(BookingConflict, match="freeze"):
        book_direct(sessions, direct(uat.name, 5, 10), actor=None, now=NOW)
    book_direct(sessions, direct(sit.name, 5, 10), actor=None, now=NOW)


def test_changeover_days_separate_bookings_of_different_releases_only(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    env = make_environment(changeover_days=2)
    first, second = make_release(), make_release()
    r1_a, r1_b = make_phase(first), make_phase(first)
    r2 = make_phase(second)
    book_direct(sessions, direct(env.name, 0, 5, phase=r1_a.key), actor=None, now=NOW)
    book_direct(sessions, direct(env.name, 5, 8, phase=r1_b.key), actor=None, now=NOW)
    with pytest.raises(BookingConflict, match="changeover"):
        book_direct(sessions, direct(env.name, 9, 12, phase=r2.key), actor=None, now=NOW)
    book_direct(sessions, direct(env.name, 10, 12, phase=r2.key), actor=None, now=NOW)


def test_a_phase_is_booked_only_on_an_environment_of_its_type_and_tags(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory
) -> None:
    sit = make_environment(type="SIT")
    plain_uat = make_environment(type="UAT")
    phase = make_phase(type="UAT", required_tags=["mainframe"])
    with pytest.raises(RuleBroken, match="needs a UAT environment") as wrong_type:
        book_direct(sessions, direct(sit.name, 0, 5, phase=phase.key), actor=None, now=NOW)
    with pytest.raises(RuleBroken, match="mainframe") as no_tag:
        book_direct(sessions, direct(plain_uat.name, 0, 5, phase=phase.key), actor=None, now=NOW)
    for refused in (wrong_type.value, no_tag.value):
        assert refused.breaks[0].rule == "eligibility"
        assert "environment" in refused.fields


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"environment": "NOPE-1", "start": day(0), "end": day(5)}, "environment"),
        ({"start": day(5), "end": day(5)}, "end"),
        ({"start": day(0), "end": day(5), "phase": "R99-UAT"}, "phase"),
        ({"start": day(0), "end": day(5), "status": "released"}, "status"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    sessions: SessionFactory, make_environment: Factory, body: dict[str, object], field: str
) -> None:
    env = make_environment()
    data = BookingIn.model_validate({"environment": env.name, **body})
    with pytest.raises(InvalidInput) as caught:
        book_direct(sessions, data, actor=None, now=NOW)
    assert caught.value.field == field
    assert count(sessions, Booking) == 0
    assert count(sessions, AuditEntry) == 0


def test_only_environment_managers_and_admins_book_directly(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory
) -> None:
    env = make_environment()
    with pytest.raises(PermissionDenied):
        book_direct(
            sessions, direct(env.name, 0, 5), actor=make_user(role=Role.TEST_MANAGER), now=NOW
        )
    for role in (Role.ENVIRONMENT_MANAGER, Role.ADMIN):
        start = 10 if role == Role.ADMIN else 0
        book_direct(
            sessions, direct(env.name, start, start + 5), actor=make_user(role=role), now=NOW
        )


def test_a_direct_booking_is_audited_with_who_and_what(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory
) -> None:
    manager = make_user(name="erin", role=Role.ENVIRONMENT_MANAGER)
    env = make_environment()
    booking = book_direct(sessions, direct(env.name, 0, 5, note="hotfix"), actor=manager, now=NOW)
    with sessions() as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor, entry.entity, entry.entity_id, entry.action) == (
        "erin",
        "booking",
        str(booking.id),
        "book",
    )
    assert entry.before is None and entry.after is not None
    assert entry.after["note"] == "hotfix" and entry.after["start"] == day(0).isoformat()
    assert entry.at == NOW


@pytest.mark.parametrize("backend", ["postgresql"])  # the database's own guard
def test_the_exclusion_constraint_surfaces_as_a_booking_conflict(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    make_booking(env, start=day(0), end=day(5))
    with pytest.raises(BookingConflict), booking_transaction(sessions) as session:
        session.add(
            Booking(
                environment_id=env.id,
                start=day(2),
                end=day(3),
                exclusive=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    assert count(sessions, Booking) == 1
