"""Migration 0005 repairs bookings' ``exclusive`` flags left behind by capacity changed
through an import, except where PostgreSQL's guard would refuse them; on SQLite and
PostgreSQL. ``empty_engine`` is in ``tests.fixtures.database``."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine, text

from envsched import migrations

INSERT_BOOKING = text(
    'INSERT INTO booking (id, environment_id, start, "end", pinned, note, status, exclusive, '
    "created_at, updated_at) VALUES (:id, :env, :start, :end, false, '', :status, :exclusive, "
    "'2027-01-04 09:00:00', '2027-01-04 09:00:00')"
)


@pytest.fixture
def stale_flags(empty_engine: Engine) -> Engine:
    """Environment 1 has capacity 1, environment 2 capacity 2; every flag is the wrong one."""
    migrations.upgrade(empty_engine, "0004")
    with empty_engine.begin() as c:
        c.execute(
            text("INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '')")
        )
        for env, capacity in ((1, 1), (2, 2)):
            c.execute(
                text(
                    "INSERT INTO environment (id, name, capacity, tags, "
                    "changeover_days, status, owner, description, type_id) VALUES "
                    "(:id, :name, :capacity, '[]', 0, 'available', '', '', 1)"
                ),
                {"id": env, "name": f"UAT-{env}", "capacity": capacity},
            )
        for booking_id, env, start, end, status, exclusive in [
            (1, 1, "2027-01-04", "2027-01-09", "confirmed", False),
            (2, 1, "2027-01-14", "2027-01-19", "cancelled", False),
            (3, 1, "2027-01-24", "2027-01-29", "tentative", False),  # 3 and 4 overlap
            (4, 1, "2027-01-26", "2027-01-31", "confirmed", False),
            (5, 2, "2027-01-04", "2027-01-09", "confirmed", True),
        ]:
            c.execute(
                INSERT_BOOKING,
                {
                    "id": booking_id,
                    "env": env,
                    "start": start,
                    "end": end,
                    "status": status,
                    "exclusive": exclusive,
                },
            )
    return empty_engine


def flags(engine: Engine) -> dict[int, bool]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, exclusive FROM booking")).all()
    return {int(row[0]): bool(row[1]) for row in rows}


def test_upgrade_makes_the_flags_follow_capacity_but_leaves_overlaps_to_be_moved(
    stale_flags: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        migrations.upgrade(stale_flags)
    assert flags(stale_flags) == {1: True, 2: True, 3: False, 4: False, 5: False}
    assert "bookings 3, 4 overlap on capacity-1 environments" in caplog.text


def test_the_repaired_flags_survive_a_downgrade(stale_flags: Engine) -> None:
    migrations.upgrade(stale_flags)
    migrations.downgrade(stale_flags, "0004")
    assert flags(stale_flags) == {1: True, 2: True, 3: False, 4: False, 5: False}
