"""Migration 0015 cleans the blank tags already stored: stripped, blanks and repeats
dropped, on environments and on the required tags of phases and requests; on SQLite and
PostgreSQL. ``empty_engine`` is in ``tests.fixtures.database``."""

from __future__ import annotations

import json

from sqlalchemy import Engine, text

from envsched import migrations


def test_0015_strips_tags_and_drops_the_blank_ones(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, "0014")
    with empty_engine.begin() as c:
        c.execute(
            text("INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '')")
        )
        c.execute(
            text(
                "INSERT INTO environment (id, name, capacity, tags, changeover_days, status, "
                "owner, description, type_id) VALUES (1, 'UAT-1', 1, :blank, 0, 'available', "
                "'', '', 1), (2, 'UAT-2', 1, :fine, 0, 'available', '', '', 1)"
            ),
            {"blank": json.dumps(["", " gpu ", "  ", "gpu"]), "fine": json.dumps(["gpu"])},
        )
        c.execute(
            text(
                "INSERT INTO release (id, key, title, type, priority, status, owner) "
                "VALUES (1, 'R1', '', 'minor', 1, 'planned', '')"
            )
        )
        c.execute(
            text(
                "INSERT INTO phase (id, key, name, duration_days, gap_days, required_tags, "
                "release_id, type_id, position) VALUES (1, 'R1-UAT', '', 5, 0, :tags, 1, 1, 0)"
            ),
            {"tags": json.dumps([" "])},
        )
    migrations.upgrade(empty_engine, "0015")
    with empty_engine.connect() as c:
        tags: dict[str, str] = dict(c.execute(text("SELECT name, tags FROM environment")).all())
        required = c.execute(text("SELECT required_tags FROM phase")).scalar_one()
    assert {name: _list(value) for name, value in tags.items()} == {
        "UAT-1": ["gpu"],
        "UAT-2": ["gpu"],
    }
    assert _list(required) == []
    migrations.downgrade(empty_engine, "0014")


def _list(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value
