"""Every new release starts its status history, whichever way it is made: the API's
create, a releases file import, a scenario import, a template. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.lifecycle import releases
from envsched.lifecycle.shapes import ReleaseIn
from envsched.lifecycle.status import status_history
from envsched.models import ReleaseStatus, ReleaseStatusChange, Role, User
from envsched.transfer import tables as transfer
from envsched.transfer.scenario_import import import_scenario
from tests.envsched.factories import NOW, Factory

S = ReleaseStatus


@pytest.fixture
def rm(make_user: Factory) -> User:
    return make_user(name="rita", role=Role.RELEASE_MANAGER)


def history(sessions: SessionFactory, key: str) -> list[tuple[Any, ...]]:
    return [
        (h.from_status, h.to_status, h.by, h.at, h.reason) for h in status_history(sessions, key)
    ]


def test_a_release_created_without_a_template_has_its_first_status(
    sessions: SessionFactory, rm: User
) -> None:
    releases.create_release(sessions, ReleaseIn(key="R1", status=S.DRAFT), actor=rm, now=NOW)
    assert history(sessions, "R1") == [(None, S.DRAFT, "rita", NOW, "created")]


def test_an_imported_release_has_its_first_status_and_a_reimport_adds_none(
    sessions: SessionFactory, rm: User, tmp_path: Path
) -> None:
    path = tmp_path / "releases.csv"
    path.write_text("release,title,status\nR1,Payments,in_test\n")
    transfer.import_table(sessions, "releases", path, actor=rm, now=NOW)
    transfer.import_table(sessions, "releases", path, actor=rm, now=NOW)
    assert history(sessions, "R1") == [(None, S.IN_TEST, "rita", NOW, "imported")]


def test_a_status_changed_by_import_is_the_next_step_of_the_history(
    sessions: SessionFactory, rm: User, tmp_path: Path
) -> None:
    path = tmp_path / "releases.csv"
    path.write_text("release,status\nR1,planned\n")
    transfer.import_table(sessions, "releases", path, actor=rm, now=NOW)
    path.write_text("release,status\nR1,in_test\n")
    transfer.import_table(sessions, "releases", path, actor=rm, now=NOW)
    assert [(f, t) for f, t, *_ in history(sessions, "R1")] == [
        (None, S.PLANNED),
        (S.PLANNED, S.IN_TEST),
    ]


def test_every_release_of_an_imported_scenario_has_its_first_status(
    sessions: SessionFactory, rm: User, tmp_path: Path
) -> None:
    scenario = {
        "format": "envsched-scenario/1",
        "name": "tiny",
        "start": "2027-01-04",
        "horizon_days": 60,
        "environments": [{"id": "UAT-1", "type": "UAT"}],
        "releases": [
            {"id": key, "phases": [{"id": f"{key}-UAT", "type": "UAT", "duration_days": 5}]}
            for key in ("R1", "R2")
        ],
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(scenario))
    import_scenario(sessions, path, NOW, actor=rm)
    with sessions() as session:
        rows = session.exec(select(ReleaseStatusChange).order_by(col(ReleaseStatusChange.id))).all()
    assert [(r.from_status, r.to_status, r.reason) for r in rows] == [
        (None, S.PLANNED, "imported from scenario tiny")
    ] * 2
