"""Migration 0020 adds check-in (a flag on the type, a moment on the booking), teams and
their quotas, and takes them away again, on SQLite and PostgreSQL; ``empty_engine`` is in
``tests.fixtures.database``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations


def test_0020_adds_check_in_teams_and_quotas_and_going_back_removes_them(
    empty_engine: Engine,
) -> None:
    migrations.upgrade(empty_engine, "0019")
    with empty_engine.begin() as c:
        c.execute(
            text("INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '')")
        )
    migrations.upgrade(empty_engine, "0020")
    with empty_engine.begin() as c:
        assert c.execute(text("SELECT checkin_required FROM environment_type")).scalar() in (
            0,
            False,
        )
        c.execute(text("INSERT INTO team (id, name) VALUES (1, 'Payments')"))
        c.execute(
            text(
                "INSERT INTO team_quota (team_id, environment_type_id, days_per_month) "
                "VALUES (1, 1, 20)"
            )
        )
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO team_quota (team_id, environment_type_id, days_per_month) "
                "VALUES (1, 1, -1)"
            )
        )
    migrations.downgrade(empty_engine, "0019")
    found = inspect(empty_engine)
    assert not {"team", "team_quota"} & set(found.get_table_names())
    assert "checked_in_at" not in {c["name"] for c in found.get_columns("booking")}
    assert "team_id" not in {c["name"] for c in found.get_columns("app_user")}
    assert "checkin_required" not in {c["name"] for c in found.get_columns("environment_type")}
