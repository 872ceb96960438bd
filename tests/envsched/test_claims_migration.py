"""Migration 0006 adds the run claims (what-if owner and time limit, the round lock's
``stale_at``) and frees a round lock held while upgrading; on SQLite and PostgreSQL,
up and down. ``empty_engine`` is in ``tests.fixtures.database``."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from envsched import migrations


def columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_0006_adds_the_claims_frees_a_held_lock_and_goes_back_down(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, "0005")
    with empty_engine.begin() as c:  # held by a process the upgrade stopped
        c.execute(text("DELETE FROM plan_lock"))
        c.execute(
            text(
                "INSERT INTO plan_lock (name, holder, claimed_at) "
                "VALUES ('replan', 'host:1:gone', '2027-01-04 09:00:00')"
            )
        )
    migrations.upgrade(empty_engine, "0006")
    assert {"run_owner", "run_time_limit"} <= columns(empty_engine, "what_if")
    assert "stale_at" in columns(empty_engine, "plan_lock")
    with empty_engine.connect() as c:
        assert c.execute(text("SELECT holder, claimed_at, stale_at FROM plan_lock")).all() == [
            (None, None, None)
        ]
    migrations.downgrade(empty_engine, "0005")
    assert "run_owner" not in columns(empty_engine, "what_if")
    assert "stale_at" not in columns(empty_engine, "plan_lock")
