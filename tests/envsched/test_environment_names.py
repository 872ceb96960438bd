"""Environment names every URL can reach: no '/', not '.' or '..', not a word another
route under /environments/ answers to ('new'); refused by create, rename and import, on
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.inventory import environments as inventory
from envsched.inventory.names import natural_key
from envsched.inventory.shapes import EnvironmentIn, EnvironmentPatch
from envsched.models import Environment
from envsched.transfer.tables import TransferRejected, import_table
from tests.envsched import factories
from tests.envsched.factories import NOW

UNREACHABLE = [
    "new",  # /environments/new is the new-environment form
    "UAT/1",  # a '/' never reaches /environments/<name>
    "/",
    "..",  # browsers fold '.' and '..' away
    ".",
]


def names(sessions: SessionFactory) -> list[str]:
    with sessions() as session:
        return sorted(e.name for e in session.exec(select(Environment)).all())


@pytest.mark.parametrize("name", UNREACHABLE)
def test_an_environment_is_not_created_under_a_name_no_url_reaches(
    sessions: SessionFactory, name: str
) -> None:
    factories.make_environment_type(sessions, "UAT")
    with pytest.raises(InvalidInput) as caught:
        inventory.create_environment(
            sessions, EnvironmentIn(name=name, type="UAT"), actor=None, now=NOW
        )
    assert caught.value.field == "name"
    assert repr(name) in caught.value.problem
    assert names(sessions) == []


@pytest.mark.parametrize("name", UNREACHABLE)
def test_an_environment_is_not_renamed_to_a_name_no_url_reaches(
    sessions: SessionFactory, name: str
) -> None:
    factories.make_environment(sessions, name="UAT-1")
    with pytest.raises(InvalidInput) as caught:
        inventory.update_environment(
            sessions, "UAT-1", EnvironmentPatch(name=name), actor=None, now=NOW
        )
    assert caught.value.field == "name"
    assert names(sessions) == ["UAT-1"]


@pytest.mark.parametrize("name", ["New", "new-uat", "renew", "UAT.1", "UAT-1"])
def test_names_near_the_reserved_ones_are_fine(sessions: SessionFactory, name: str) -> None:
    factories.make_environment_type(sessions, "UAT")
    inventory.create_environment(
        sessions, EnvironmentIn(name=name, type="UAT"), actor=None, now=NOW
    )
    assert names(sessions) == [name]


def test_an_import_names_each_row_with_an_unreachable_name_and_adds_nothing(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    factories.make_environment_type(sessions, "UAT")
    rows = [{"name": name, "type": "UAT"} for name in ("UAT-1", "new", "UAT/2")]
    source = tmp_path / "environments.csv"
    pd.DataFrame(rows, dtype="str").to_csv(source, index=False)
    with pytest.raises(TransferRejected) as caught:
        import_table(sessions, "environments", source, actor=None, now=NOW)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "name"), (4, "name")]
    assert "reserved" in caught.value.errors[0].problem
    assert names(sessions) == []


def test_names_sort_as_people_count_them() -> None:
    shuffled = ["SIT-10", "sit-3", "SIT-2", "PERF-1", "SIT-1", "SIT-2b", "UAT", "SIT-11", "10"]
    assert sorted(shuffled, key=natural_key) == [
        "10",
        "PERF-1",
        "SIT-1",
        "SIT-2",
        "SIT-2b",
        "sit-3",
        "SIT-10",
        "SIT-11",
        "UAT",
    ]
