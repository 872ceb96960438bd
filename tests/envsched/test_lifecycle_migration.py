"""Migration 0004 maps the old release statuses onto the new flow and keeps every row,
on SQLite (which rebuilds the table) and PostgreSQL (which alters it). ``empty_engine``
is in ``tests.fixtures.database``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations

OLD = {"R1": "planned", "R2": "in_progress", "R3": "released", "R4": "cancelled"}


def _old_releases_with_a_phase(engine: Engine) -> None:
    migrations.upgrade(engine, "0003")
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '')")
        )
        for number, (key, status) in enumerate(OLD.items(), start=1):
            c.execute(
                text(
                    "INSERT INTO release (id, key, title, type, priority, status, owner) "
                    "VALUES (:id, :key, '', 'minor', 1, :status, '')"
                ),
                {"id": number, "key": key, "status": status},
            )
        c.execute(
            text(
                "INSERT INTO phase (key, name, duration_days, gap_days, required_tags, "
                "release_id, type_id, position) "
                "VALUES ('R2-UAT', '', 5, 0, '[]', 2, 1, 0)"
            )
        )


def _statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT key, status FROM release")).all()
    return {str(key): str(status) for key, status in rows}


def _phase_keys(engine: Engine) -> list[str]:
    with engine.connect() as c:
        return list(c.execute(text("SELECT key FROM phase")).scalars().all())


def test_upgrade_maps_old_statuses_and_keeps_phases(empty_engine: Engine) -> None:
    _old_releases_with_a_phase(empty_engine)
    migrations.upgrade(empty_engine)
    assert _statuses(empty_engine) == {
        "R1": "planned",
        "R2": "in_test",
        "R3": "deployed",
        "R4": "cancelled",
    }
    assert _phase_keys(empty_engine) == ["R2-UAT"]


def test_upgraded_database_refuses_an_old_status(empty_engine: Engine) -> None:
    _old_releases_with_a_phase(empty_engine)
    migrations.upgrade(empty_engine)
    with pytest.raises(IntegrityError, match="ck_release_status"), empty_engine.begin() as c:
        c.execute(text("UPDATE release SET status = 'in_progress' WHERE key = 'R1'"))


def test_upgraded_database_still_refuses_a_bad_priority(empty_engine: Engine) -> None:
    """SQLite's rebuild of the release table keeps its other CHECK constraints."""
    _old_releases_with_a_phase(empty_engine)
    migrations.upgrade(empty_engine)
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text("UPDATE release SET priority = 0 WHERE key = 'R1'"))


def test_downgrade_brings_back_the_old_statuses(empty_engine: Engine) -> None:
    _old_releases_with_a_phase(empty_engine)
    migrations.upgrade(empty_engine)
    with empty_engine.begin() as c:
        c.execute(text("UPDATE release SET status = 'ready' WHERE key = 'R1'"))
    migrations.downgrade(empty_engine, "0003")
    assert _statuses(empty_engine) == {
        "R1": "in_progress",
        "R2": "in_progress",
        "R3": "released",
        "R4": "cancelled",
    }
    assert _phase_keys(empty_engine) == ["R2-UAT"]
