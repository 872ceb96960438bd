"""Migration 0024 records when check-in was switched on for a type, on SQLite and
PostgreSQL, without losing the types nor what refers to them (SQLite rebuilds the table)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from envsched import migrations
from tests.envsched.test_health_migration import ENVIRONMENT


def test_0024_adds_when_check_in_was_switched_on_and_going_back_drops_it(
    empty_engine: Engine,
) -> None:
    migrations.upgrade(empty_engine, "0023")
    with empty_engine.begin() as c:
        for statement in ENVIRONMENT.split(";"):
            c.execute(text(statement))
    migrations.upgrade(empty_engine, "0024")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("environment_type")}
    assert "checkin_since" in columns
    with empty_engine.begin() as c:  # a type from before: on since before it was recorded
        assert c.execute(text("SELECT checkin_since FROM environment_type")).scalar_one() is None
        c.execute(text("UPDATE environment_type SET checkin_since = '2026-12-04 09:00:00'"))
    migrations.downgrade(empty_engine, "0023")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("environment_type")}
    assert "checkin_since" not in columns
    with empty_engine.connect() as c:  # the type and the environment of that type are kept
        assert c.execute(text("SELECT name FROM environment_type")).scalar_one() == "UAT"
        assert c.execute(text("SELECT type_id FROM environment")).scalar_one() == 1
