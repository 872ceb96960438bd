"""The copy of the stored state survives a bad row (issue 12): a blank tag stored before
the edge refused it made every new what-if fail and ``envsched export --scenario`` write
a file ``envsched plan`` refuses. Rows are written straight to the database, as an older
version or raw SQL left them; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from envsched.db import SessionFactory
from envsched.models import Role, User
from envsched.planning.mapping import export_scenario
from envsched.planning.whatif import service as whatif
from envsched.planning.whatif.snapshot import snapshot_of
from envsched.planning.whatif.store import base_scenario, changed_scenario_document
from solver.scenario_file import load_scenario, parse_scenario
from tests.envsched import factories

NOW = factories.NOW
D = dt.date.fromisoformat


def _stored_state(sessions: SessionFactory) -> None:
    factories.make_environment(sessions, name="UAT-1", type="UAT", tags=["", "  ", "gpu"])
    factories.make_environment(sessions, name="UAT-2", type="UAT")
    release = factories.make_release(sessions, key="R1", earliest_start=D("2027-01-10"))
    factories.make_phase(
        sessions, release, key="R1-UAT", type="UAT", duration_days=5, required_tags=[" "]
    )


def _planner(sessions: SessionFactory) -> User:
    return factories.make_user(sessions, name="pat", role=Role.PLANNER)


def test_a_what_if_made_over_a_blank_tag_reads_back(sessions: SessionFactory) -> None:
    _stored_state(sessions)
    row = whatif.create_whatif(sessions, "blank-tags", actor=_planner(sessions), now=NOW)
    scenario = base_scenario(row)
    assert scenario.environment_by_id["UAT-1"].tags == frozenset({"gpu"})
    assert scenario.phase_by_id["R1-UAT"].requires_tags == frozenset()
    assert parse_scenario(changed_scenario_document(row))


def test_a_row_the_scenario_cannot_hold_is_left_out_and_named(sessions: SessionFactory) -> None:
    _stored_state(sessions)
    factories.make_environment(sessions, name="   ", type="UAT")
    row = whatif.create_whatif(sessions, "blank-name", actor=_planner(sessions), now=NOW)
    assert set(base_scenario(row).environment_by_id) == {"UAT-1", "UAT-2"}
    [note] = snapshot_of(row).left_out
    assert note.startswith("environment    :") and "must not be empty" in note


def test_the_exported_scenario_is_one_plan_reads(sessions: SessionFactory, tmp_path: Path) -> None:
    _stored_state(sessions)
    path = tmp_path / "state.json"
    export_scenario(sessions, path)
    scenario = load_scenario(path)
    assert scenario.environment_by_id["UAT-1"].tags == frozenset({"gpu"})
