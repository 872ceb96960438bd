"""An environment's capacity changes the same way through the API's update and through
an import: refused below what its live bookings hold on one day (naming ``capacity``),
and every booking's ``exclusive`` flag — PostgreSQL's double-booking guard — follows
it. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from envsched.booking.bookings import book_direct
from envsched.booking.shapes import BookingIn
from envsched.db import SessionFactory
from envsched.errors import BookingConflict
from envsched.inventory import environments as inventory
from envsched.inventory.shapes import EnvironmentPatch
from envsched.models import Booking, Environment
from envsched.transfer.tables import TransferRejected, import_table
from tests.envsched.factories import DAY0, NOW, Factory

SetCapacity = Callable[[SessionFactory, str, int], None]


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def by_update(sessions: SessionFactory, name: str, capacity: int) -> None:
    inventory.update_environment(
        sessions, name, EnvironmentPatch(capacity=capacity), actor=None, now=NOW
    )


def by_import(tmp_path: Path) -> SetCapacity:
    def set_capacity(sessions: SessionFactory, name: str, capacity: int) -> None:
        path = tmp_path / "environments.csv"
        path.write_text(f"name,type,capacity\n{name},UAT,{capacity}\n")
        import_table(sessions, "environments", path, actor=None, now=NOW)

    return set_capacity


@pytest.fixture(params=["update", "import"])
def set_capacity(request: pytest.FixtureRequest, tmp_path: Path) -> SetCapacity:
    return by_update if request.param == "update" else by_import(tmp_path)


def flags(sessions: SessionFactory, env: Environment) -> list[bool]:
    with sessions() as session:
        return [
            b.exclusive
            for b in session.exec(select(Booking).where(Booking.environment_id == env.id)).all()
        ]


def capacity_of(sessions: SessionFactory, env: Environment) -> int:
    with sessions() as session:
        return session.get_one(Environment, env.id).capacity


def test_raising_capacity_lets_a_second_booking_take_the_same_days(
    sessions: SessionFactory,
    make_environment: Factory,
    make_booking: Factory,
    set_capacity: SetCapacity,
) -> None:
    env = make_environment(name="UAT-1")
    make_booking(env, start=day(0), end=day(5))
    set_capacity(sessions, "UAT-1", 2)
    assert flags(sessions, env) == [False]
    # on PostgreSQL a booking still marked exclusive would make the guard refuse this one
    second = book_direct(
        sessions, BookingIn(environment="UAT-1", start=day(1), end=day(4)), actor=None, now=NOW
    )
    assert not second.exclusive
    assert flags(sessions, env) == [False, False]


def test_cutting_capacity_to_one_makes_the_bookings_exclusive(
    sessions: SessionFactory,
    make_environment: Factory,
    make_booking: Factory,
    set_capacity: SetCapacity,
) -> None:
    env = make_environment(name="UAT-1", capacity=2)
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(5), end=day(9))
    set_capacity(sessions, "UAT-1", 1)
    assert (capacity_of(sessions, env), flags(sessions, env)) == (1, [True, True])


def test_capacity_cannot_go_below_the_live_bookings_of_one_day(
    sessions: SessionFactory,
    make_environment: Factory,
    make_booking: Factory,
    set_capacity: SetCapacity,
) -> None:
    env = make_environment(name="UAT-1", capacity=3)
    for start in (0, 1, 2):
        make_booking(env, start=day(start), end=day(start + 5))
    make_booking(env, start=day(3), end=day(6), status="cancelled")  # takes no room
    with pytest.raises((BookingConflict, TransferRejected)) as caught:
        set_capacity(sessions, "UAT-1", 2)
    error = caught.value
    if isinstance(error, TransferRejected):
        [row] = error.errors
        column, problem = row.column, row.problem
    else:
        [(column, problem)] = error.fields.items()
    assert column == "capacity" and problem.startswith("UAT-1 holds 3 live bookings")
    assert (capacity_of(sessions, env), flags(sessions, env)) == (3, [False] * 4)
    set_capacity(sessions, "UAT-1", 3)  # what they need is fine


def test_the_api_update_names_capacity_in_its_refusal(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="UAT-1", capacity=2)
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(3), end=day(8))
    with pytest.raises(BookingConflict) as caught:
        by_update(sessions, "UAT-1", 1)
    assert caught.value.code == "booking_conflict" and "capacity" in caught.value.fields
    assert caught.value.fields == {
        "capacity": (
            f"UAT-1 holds 2 live bookings on {day(3)}; capacity 1 is below that: move or cancel "
            "bookings first"
        )
    }


def test_an_import_refusal_names_the_row_and_the_capacity_column(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory, tmp_path: Path
) -> None:
    env = make_environment(name="UAT-1", capacity=2)
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(3), end=day(8))
    with pytest.raises(TransferRejected) as caught:
        by_import(tmp_path)(sessions, "UAT-1", 1)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "capacity")
    assert "holds 2 live bookings" in error.problem
    assert capacity_of(sessions, env) == 2
