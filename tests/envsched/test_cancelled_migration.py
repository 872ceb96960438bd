"""Migration 0018 lets plan runs and what-ifs be ``cancelled``; going back maps them to
``failed``, what a cancelled solve left before. On SQLite and PostgreSQL; ``empty_engine``
is in ``tests.fixtures.database``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations

RUN = (
    "INSERT INTO plan_run (id, trigger, status, dry_run, started_at, applied, error, "
    "metrics, flags, diff, cause) VALUES (:id, 'api', :status, false, "
    "'2026-12-03 10:00:00', false, 'cancelled by Paul Planner', '{}', '{}', '{}', '')"
)
WHAT_IF = (
    "INSERT INTO what_if (id, name, description, created_by, created_at, status, "
    "base, changes, error) VALUES (:id, :name, '', 'paul', '2026-12-03 10:00:00', "
    ":status, '{}', '[]', 'cancelled by Paul Planner')"
)


def test_0018_allows_cancelled_and_going_back_makes_it_failed(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, "0017")
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text(RUN), {"id": 9, "status": "cancelled"})
    migrations.upgrade(empty_engine, "0018")
    with empty_engine.begin() as c:
        c.execute(text(RUN), {"id": 1, "status": "cancelled"})
        c.execute(text(RUN), {"id": 2, "status": "done"})
        c.execute(text(WHAT_IF), {"id": 1, "name": "gone", "status": "cancelled"})
    migrations.downgrade(empty_engine, "0017")
    with empty_engine.connect() as c:
        runs: dict[int, str] = dict(c.execute(text("SELECT id, status FROM plan_run")).all())
        what_ifs = c.execute(text("SELECT status FROM what_if")).scalars().all()
    assert runs == {1: "failed", 2: "done"} and what_ifs == ["failed"]
    with pytest.raises(IntegrityError), empty_engine.begin() as c:
        c.execute(text(WHAT_IF), {"id": 2, "name": "again", "status": "cancelled"})
