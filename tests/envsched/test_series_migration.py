"""Migration 0019 adds the booking series tables and takes them away again, on SQLite and
PostgreSQL; ``empty_engine`` is in ``tests.fixtures.database``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations

SERIES = (
    "INSERT INTO booking_series (id, environment_id, repeat, every, weekdays, first_day, "
    "length_days, until, times, pinned, note, created_at) VALUES (:id, 1, 'weekly', :every, "
    "'[1]', '2027-01-04', 1, NULL, 4, false, '', '2027-01-04 09:00:00')"
)
RUN = (
    'INSERT INTO series_occurrence (series_id, start, "end", booking_id, rule, reason) '
    "VALUES (1, :start, '2027-01-06', NULL, 'freeze', 'a freeze covers UAT')"
)
TABLES = {"booking_series", "series_occurrence"}


def test_0019_adds_the_series_tables_and_going_back_drops_them(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, "0018")
    assert not TABLES & set(inspect(empty_engine).get_table_names())
    migrations.upgrade(empty_engine, "0019")
    with empty_engine.begin() as c:
        c.execute(
            text("INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '')")
        )
        c.execute(
            text(
                "INSERT INTO environment (id, name, capacity, tags, changeover_days, status, "
                "owner, description, type_id) VALUES (1, 'UAT-1', 1, '[]', 0, 'available', "
                "'', '', 1)"
            )
        )
        c.execute(text(SERIES), {"id": 1, "every": 1})
        c.execute(text(RUN), {"start": "2027-01-05"})
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text(SERIES), {"id": 2, "every": 0})
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text(RUN), {"start": "2027-01-07"})  # ends before it starts
    migrations.downgrade(empty_engine, "0018")
    assert not TABLES & set(inspect(empty_engine).get_table_names())
