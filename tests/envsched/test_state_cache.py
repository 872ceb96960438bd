"""The state's token and what is kept under it: clashes, KPIs and the capacity forecast
are worked out once per stored state, and again after any committed write, whichever path
made it; never kept across a change, on either database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, text, update
from sqlmodel import col

from envsched.accounts import users
from envsched.booking import move
from envsched.booking.clashes import clashes_in, current_clashes, find_clashes
from envsched.db import SessionFactory, read_transaction
from envsched.lifecycle.calendar import release_calendar
from envsched.lifecycle.kpi_history import kpis_for
from envsched.lifecycle.kpis import Period
from envsched.models import Booking, BookingStatus, Role
from envsched.planning.capacity import capacity_report
from envsched.state_version import UNWATCHED, read_token, writes_state
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def token(sessions: SessionFactory) -> str | None:
    with read_transaction(sessions) as session:
        return read_token(session)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends inside the block."""
    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


# -- the token -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT * FROM booking", False),
        ("  select 1", False),
        ("BEGIN IMMEDIATE", False),
        ("SAVEPOINT sa_1", False),
        ("INSERT INTO booking (start) VALUES (?)", True),
        ('UPDATE "booking" SET note=?', True),
        ("DELETE FROM public.phase WHERE id = 1", True),
        ("INSERT INTO audit_entry (actor) VALUES (?)", False),  # no kept result reads it
        ("UPDATE api_token SET last_used_at=%(used_at)s", False),
        ("WITH moved AS (SELECT 1) UPDATE booking SET note = ''", True),  # not sure: a write
        ("ALTER TABLE booking ADD COLUMN x INTEGER", True),
    ],
)
def test_a_statement_writes_the_state_unless_it_reads_or_writes_an_unwatched_table(
    statement: str, writes: bool
) -> None:
    assert writes_state(statement) is writes


def test_a_committed_write_changes_the_token_and_a_read_does_not(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    before = token(sessions)
    find_clashes(sessions)
    assert token(sessions) == before
    make_booking(env)
    assert token(sessions) not in (None, before)


def test_a_rolled_back_write_and_a_write_of_an_unwatched_table_leave_the_token(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    booking = make_booking(make_environment())
    before = token(sessions)
    with sessions() as session:
        session.execute(update(Booking).where(col(Booking.id) == booking.id).values(note="x"))
        session.rollback()
    users.create_user(
        sessions, "tess", Role.TEST_MANAGER, actor=None, now=NOW, password="a long enough password"
    )
    assert token(sessions) == before


def test_a_write_in_plain_sql_changes_the_token(
    sessions: SessionFactory, engine: Engine, make_environment: Factory, make_booking: Factory
) -> None:
    booking = make_booking(make_environment())
    before = token(sessions)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE booking SET note = 'by hand' WHERE id = :id"), {"id": booking.id}
        )
    assert token(sessions) != before


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite's connections always BEGIN
def test_an_autocommitted_write_changes_the_token(
    sessions: SessionFactory, engine: Engine, make_environment: Factory, make_booking: Factory
) -> None:
    booking = make_booking(make_environment())
    before = token(sessions)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("UPDATE booking SET note = 'now' WHERE id = :id"), {"id": booking.id}
        )
    assert token(sessions) != before


# -- what is kept under it ------------------------------------------------------------------------


def test_clashes_are_kept_until_a_booking_moves_then_worked_out_again(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory, make_user: Factory
) -> None:
    env, other = make_environment(capacity=2), make_environment()
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(1), end=day(6))
    second = make_booking(env, start=day(2), end=day(7))
    first = find_clashes(sessions)
    assert [c.kind for c in first] == ["overbooked"]
    assert find_clashes(sessions)[0] is first[0]  # kept, not worked out again
    move.move_booking(
        sessions, second.id, environment=other.name, start=day(2), actor=make_user(), now=NOW
    )
    assert find_clashes(sessions) == []


def test_a_booking_cancelled_in_plain_sql_is_no_longer_a_clash(
    sessions: SessionFactory, engine: Engine, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(capacity=2)
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(1), end=day(6))
    second = make_booking(env, start=day(2), end=day(7))
    assert len(find_clashes(sessions)) == 1
    with engine.begin() as connection:
        connection.execute(
            update(Booking)
            .where(col(Booking.id) == second.id)
            .values(status=BookingStatus.CANCELLED)
        )
    assert find_clashes(sessions) == []


def test_a_session_sees_its_own_uncommitted_writes_in_the_clashes(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(capacity=2)
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(0), end=day(5))
    assert find_clashes(sessions) == []
    with sessions() as session:
        session.add(
            Booking(
                environment_id=env.id or 0,
                start=day(1),
                end=day(3),
                exclusive=False,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        assert [c.kind for c in current_clashes(session)] == ["overbooked"]
        session.rollback()
    assert find_clashes(sessions) == []


def test_kpis_are_kept_per_state_and_follow_a_new_booking(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    period = Period(dt.date(2027, 1, 1), dt.date(2027, 2, 1))
    make_booking(env, start=day(0), end=day(5))
    before = kpis_for(sessions, period)
    again = kpis_for(sessions, period)
    assert again == before and again is not before  # a copy for each caller
    make_booking(env, start=day(10), end=day(20))
    booked = {u["type"]: u["booked_days"] for u in kpis_for(sessions, period).utilisation}
    assert booked == {"UAT": 15}


def test_the_capacity_forecast_follows_a_cancelled_booking(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    booking = make_booking(env, start=day(0), end=day(5))
    assert capacity_report(sessions, DAY0, weeks=1)["demand_days"].tolist() == [5]
    with sessions.begin() as session:
        session.get_one(Booking, booking.id).status = BookingStatus.CANCELLED
    assert capacity_report(sessions, DAY0, weeks=1)["demand_days"].tolist() == [0]


def test_the_kept_reads_read_no_unwatched_table(
    sessions: SessionFactory,
    engine: Engine,
    make_environment: Factory,
    make_booking: Factory,
    make_phase: Factory,
) -> None:
    """A table the token does not watch must not feed a kept result, or a write to it
    would leave a stale one."""
    env = make_environment()
    make_booking(env, phase_id=make_phase().id)
    with statements(engine) as sent:
        with read_transaction(sessions) as session:
            clashes_in(session)
        kpis_for(sessions, Period(dt.date(2027, 1, 1), dt.date(2027, 2, 1)))  # not kept yet
        capacity_report(sessions, DAY0, weeks=2)
        release_calendar(sessions, DAY0, DAY0 + dt.timedelta(days=90))
    assert any("maintenance_window" in s for s in sent)  # the reads did run
    read = " ".join(sent).lower()
    assert [t for t in UNWATCHED - {"state_version"} if f"{t} " in read or f'"{t}"' in read] == []


def test_the_release_calendar_shows_a_booking_made_after_it_was_kept(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory, make_phase: Factory
) -> None:
    env, phase = make_environment(), make_phase(key="R9-UAT")
    months = (DAY0, DAY0 + dt.timedelta(days=90))
    assert [i.label for i in release_calendar(sessions, *months) if i.kind == "phase"] == []
    make_booking(env, phase_id=phase.id, start=day(3), end=day(8))
    assert [i.label for i in release_calendar(sessions, *months) if i.kind == "phase"] == ["R9-UAT"]
