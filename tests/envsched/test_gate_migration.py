"""Migration 0005 merges duplicate gates (keeping the one the service acted on, logging
the rest) and then refuses a second gate for one phase and kind, or a second go/no-go
for one release; on SQLite and PostgreSQL, up and down. ``empty_engine`` is in
``tests.fixtures.database``."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations

SIGNED_AT = "2027-01-04 09:00:00"
INSERT_GATE = text(
    "INSERT INTO gate (id, release_id, phase_id, kind, criteria, signoff_role, state, "
    "signed_by, signed_at, reason) VALUES (:id, :release, :phase, :kind, :criteria, "
    "'test_manager', :state, :by, :at, '')"
)


def add_gate(
    engine: Engine,
    gate_id: int,
    kind: str,
    state: str,
    *,
    release: int = 1,
    phase: int | None = 1,
    criteria: str = "",
) -> None:
    decided = state != "open"
    with engine.begin() as c:
        c.execute(
            INSERT_GATE,
            {
                "id": gate_id,
                "release": release,
                "phase": phase,
                "kind": kind,
                "criteria": criteria,
                "state": state,
                "by": "tm" if decided else None,
                "at": SIGNED_AT if decided else None,
            },
        )


@pytest.fixture
def at_0004(empty_engine: Engine) -> Engine:
    """Two releases (1 and 2) at revision 0004, release 1 with phase 1, release 2 with 2."""
    migrations.upgrade(empty_engine, "0004")
    with empty_engine.begin() as c:
        c.execute(
            text("INSERT INTO environment_type (id, name, description) VALUES (1, 'UAT', '')")
        )
        for number in (1, 2):
            c.execute(
                text(
                    "INSERT INTO release (id, key, title, type, priority, status, "
                    "owner) VALUES (:id, :key, '', 'minor', 1, 'planned', '')"
                ),
                {"id": number, "key": f"R{number}"},
            )
            c.execute(
                text(
                    "INSERT INTO phase (id, key, name, duration_days, gap_days, "
                    "required_tags, release_id, type_id, position) VALUES "
                    "(:id, :key, '', 5, 0, '[]', :id, 1, 0)"
                ),
                {"id": number, "key": f"R{number}-UAT"},
            )
    return empty_engine


def gates(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, phase_id, kind, state, criteria FROM gate")).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def merge_entries(engine: Engine) -> dict[str, Any]:
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT entity_id, actor, before, after FROM audit_entry "
                "WHERE entity = 'gate' AND action = 'merge_duplicate'"
            )
        ).all()
    return {str(row[0]): (row[1], _json(row[2]), _json(row[3])) for row in rows}


def _json(value: Any) -> Any:
    """JSON columns read by raw SQL: text on SQLite, decoded already on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def with_duplicates(engine: Engine) -> None:
    # phase 1 entry: signed, open, waived -> the open one is what blocked the phase
    add_gate(engine, 1, "entry", "signed", criteria="smoke test")
    add_gate(engine, 2, "entry", "open", criteria="data loaded")
    add_gate(engine, 3, "entry", "waived", criteria="smoke test")
    add_gate(engine, 4, "exit", "signed")  # alone: untouched
    # release 1 go/no-go twice, both signed -> the first is kept
    add_gate(engine, 5, "go_no_go", "signed", phase=None, criteria="CAB approved")
    add_gate(engine, 6, "go_no_go", "signed", phase=None, criteria="back-out rehearsed")
    add_gate(engine, 7, "go_no_go", "open", release=2, phase=None)  # another release


def test_upgrade_keeps_the_undecided_duplicate_with_every_criterion(
    at_0004: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with_duplicates(at_0004)
    with caplog.at_level(logging.WARNING):
        migrations.upgrade(at_0004)
    assert gates(at_0004) == {
        2: (1, "entry", "open", "data loaded\nsmoke test"),
        4: (1, "exit", "signed", ""),
        5: (None, "go_no_go", "signed", "CAB approved\nback-out rehearsed"),
        7: (None, "go_no_go", "open", ""),
    }
    assert "kept gate 2 (open), merged 1 (signed), 3 (waived)" in caplog.text
    assert "kept gate 5 (signed), merged 6 (signed)" in caplog.text


def test_upgrade_logs_every_merged_gate_in_the_audit_log(at_0004: Engine) -> None:
    with_duplicates(at_0004)
    migrations.upgrade(at_0004)
    merged = merge_entries(at_0004)
    assert sorted(merged) == ["1", "3", "6"]
    actor, before, after = merged["3"]
    assert actor == "migration 0005"
    assert (before["state"], before["signed_by"], before["criteria"]) == (
        "waived",
        "tm",
        "smoke test",
    )
    assert after == {"kept_gate_id": 2}


def test_upgrade_without_duplicates_changes_no_gate(at_0004: Engine) -> None:
    add_gate(at_0004, 1, "entry", "signed")
    add_gate(at_0004, 2, "exit", "open")
    migrations.upgrade(at_0004)
    assert gates(at_0004) == {1: (1, "entry", "signed", ""), 2: (1, "exit", "open", "")}
    assert merge_entries(at_0004) == {}


@pytest.mark.parametrize(("kind", "phase"), [("entry", 1), ("exit", 1), ("go_no_go", None)])
def test_upgraded_database_refuses_a_second_gate_of_one_kind(
    at_0004: Engine, kind: str, phase: int | None
) -> None:
    migrations.upgrade(at_0004)
    add_gate(at_0004, 1, kind, "open", phase=phase)
    with pytest.raises(IntegrityError):
        add_gate(at_0004, 2, kind, "signed", phase=phase)


def test_upgraded_database_takes_one_gate_of_each_kind_everywhere(at_0004: Engine) -> None:
    migrations.upgrade(at_0004)
    add_gate(at_0004, 1, "entry", "open")
    add_gate(at_0004, 2, "exit", "open")
    add_gate(at_0004, 3, "go_no_go", "open", phase=None)
    add_gate(at_0004, 4, "entry", "open", release=2, phase=2)
    add_gate(at_0004, 5, "go_no_go", "open", release=2, phase=None)
    assert len(gates(at_0004)) == 5


def test_downgrade_allows_duplicates_again_and_upgrade_merges_them(at_0004: Engine) -> None:
    migrations.upgrade(at_0004)
    add_gate(at_0004, 1, "go_no_go", "open", phase=None)
    migrations.downgrade(at_0004, "0004")
    assert migrations.current_revision(at_0004) == "0004"
    add_gate(at_0004, 2, "go_no_go", "open", phase=None)  # no longer refused
    migrations.upgrade(at_0004)
    assert gates(at_0004) == {1: (None, "go_no_go", "open", "")}
    assert sorted(merge_entries(at_0004)) == ["2"]
