"""Migration 0022 adds the health tables and takes them away again, on SQLite and
PostgreSQL (``empty_engine`` is in ``tests.fixtures.database``)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations

ENVIRONMENT = (
    "INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '');"
    "INSERT INTO environment (id, name, capacity, tags, changeover_days, status, owner, "
    "description, type_id) VALUES (1, 'UAT-1', 1, '[]', 0, 'available', '', '', 1)"
)
HEALTH = (
    "INSERT INTO environment_health (environment_id, url, state, since, detail, told) "
    "VALUES (1, 'https://uat-1.example.test/', :state, '2026-12-03 10:00:00', '', '[]')"
)


def test_0022_adds_the_health_tables_and_going_back_drops_them(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, "0021")
    assert "environment_health" not in inspect(empty_engine).get_table_names()
    migrations.upgrade(empty_engine, "0022")
    with empty_engine.begin() as c:
        for statement in ENVIRONMENT.split(";"):
            c.execute(text(statement))
        c.execute(text(HEALTH), {"state": "down"})
        c.execute(
            text(
                "INSERT INTO health_change (environment_id, at, state, status_code, detail) "
                "VALUES (1, '2026-12-03 10:00:00', 'down', 503, 'HTTP 503 Service Unavailable')"
            )
        )
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text("DELETE FROM environment_health"))
        c.execute(text(HEALTH), {"state": "sideways"})
    migrations.downgrade(empty_engine, "0021")
    tables = inspect(empty_engine).get_table_names()
    assert "environment_health" not in tables and "health_change" not in tables
    assert "environment" in tables


def test_0023_adds_the_workers_recorded_settings_and_going_back_drops_them(
    empty_engine: Engine,
) -> None:
    migrations.upgrade(empty_engine, "0023")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("environment_health")}
    assert {"worker_interval_seconds", "worker_down_minutes"} <= columns
    with empty_engine.begin() as c:
        for statement in ENVIRONMENT.split(";"):
            c.execute(text(statement))
        c.execute(text(HEALTH), {"state": "down"})  # a row from before: nothing recorded
        c.execute(text("UPDATE environment_health SET worker_interval_seconds = 60"))
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text("UPDATE environment_health SET worker_interval_seconds = 0"))
    migrations.downgrade(empty_engine, "0022")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("environment_health")}
    assert "worker_interval_seconds" not in columns and "worker_down_minutes" not in columns
    with empty_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM environment_health")).scalar_one() == 1
