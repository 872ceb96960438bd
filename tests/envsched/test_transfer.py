"""CSV and Excel import and export: round trips, per-row error reports, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import col, func, select

from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.models import Booking, Environment, Phase, Release
from envsched.transfer.tables import TransferRejected, export_table, import_table, read_table
from tests.envsched.factories import DAY0, NOW, Factory

ENVIRONMENTS = [
    {
        "name": "SIT-1",
        "type": "SIT",
        "capacity": "2",
        "changeover_days": "0",
        "status": "available",
        "tags": "cloud; mainframe",
        "owner": "ops-sit",
        "description": "shared SIT",
        "components": "core-banking=12.4.1; ledger=3.0",
    },
    {
        "name": "UAT-1",
        "type": "UAT",
        "capacity": "1",
        "changeover_days": "1",
        "status": "maintenance",
        "tags": "",
        "owner": "",
        "description": "",
        "components": "",
    },
]
RELEASES = [
    {
        "release": "PAY-4.2",
        "title": "Payments 4.2",
        "release_type": "major",
        "priority": "3",
        "earliest_start": "2027-01-04",
        "due": "2027-03-31",
        "status": "planned",
        "owner": "rm",
        "phase": "PAY-4.2-SIT",
        "phase_name": "System test",
        "phase_type": "SIT",
        "duration_days": "10",
        "gap_days": "0",
        "after": "",
        "required_tags": "mainframe",
        "environments": "",
        "phase_earliest_start": "",
    },
    {
        "release": "PAY-4.2",
        "title": "Payments 4.2",
        "release_type": "major",
        "priority": "3",
        "earliest_start": "2027-01-04",
        "due": "2027-03-31",
        "status": "planned",
        "owner": "rm",
        "phase": "PAY-4.2-UAT",
        "phase_name": "",
        "phase_type": "UAT",
        "duration_days": "5",
        "gap_days": "1",
        "after": "(none)",
        "required_tags": "",
        "environments": "UAT-1",
        "phase_earliest_start": "2027-02-01",
    },
    {
        "release": "EMPTY-1",
        "title": "",
        "release_type": "minor",
        "priority": "1",
        "earliest_start": "",
        "due": "",
        "status": "planned",
        "owner": "",
        "phase": "",
        "phase_name": "",
        "phase_type": "",
        "duration_days": "",
        "gap_days": "",
        "after": "",
        "required_tags": "",
        "environments": "",
        "phase_earliest_start": "",
    },
]


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    frame = pd.DataFrame(rows, dtype="str")
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path


def table(path: Path) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in row.items()} for row in read_table(path).to_dict("records")]


def count(sessions: SessionFactory, model: type) -> int:
    with sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture(params=[".csv", ".xlsx"])
def suffix(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_environments_survive_import_then_export(
    sessions: SessionFactory, tmp_path: Path, suffix: str
) -> None:
    source = write(tmp_path / f"in{suffix}", ENVIRONMENTS)
    assert import_table(sessions, "environments", source, actor=None, now=NOW).rows == 2
    out = tmp_path / f"out{suffix}"
    export_table(sessions, "environments", out)
    assert table(out) == ENVIRONMENTS


def test_releases_with_phases_survive_import_then_export(
    sessions: SessionFactory, tmp_path: Path, suffix: str
) -> None:
    import_table(
        sessions, "environments", write(tmp_path / f"e{suffix}", ENVIRONMENTS), actor=None, now=NOW
    )
    import_table(
        sessions, "releases", write(tmp_path / f"r{suffix}", RELEASES), actor=None, now=NOW
    )
    with sessions() as session:
        uat = session.exec(select(Phase).where(Phase.key == "PAY-4.2-UAT")).one()
        assert (uat.after, uat.environments, uat.position) == ([], ["UAT-1"], 1)
    out = tmp_path / f"out{suffix}"
    export_table(sessions, "releases", out)
    assert table(out) == [RELEASES[2], RELEASES[0], RELEASES[1]]  # by release key


def test_importing_again_updates_in_place(sessions: SessionFactory, tmp_path: Path) -> None:
    import_table(
        sessions, "environments", write(tmp_path / "a.csv", ENVIRONMENTS), actor=None, now=NOW
    )
    changed = [{**ENVIRONMENTS[0], "capacity": "3", "components": "ledger=3.1"}]
    import_table(sessions, "environments", write(tmp_path / "b.csv", changed), actor=None, now=NOW)
    export_table(sessions, "environments", tmp_path / "out.csv")
    first = table(tmp_path / "out.csv")[0]
    assert (first["capacity"], first["components"]) == ("3", "ledger=3.1")
    assert count(sessions, Environment) == 2


def test_every_bad_row_is_reported_and_nothing_is_written(
    sessions: SessionFactory, tmp_path: Path, suffix: str
) -> None:
    rows = [
        ENVIRONMENTS[0],
        {**ENVIRONMENTS[1], "capacity": "zero"},  # row 3
        {
            **ENVIRONMENTS[1],
            "name": "UAT-2",
            "status": "broken",  # row 4
            "components": "ledger",
        },
        {**ENVIRONMENTS[1], "name": "", "changeover_days": "-1"},
    ]  # row 5
    with pytest.raises(TransferRejected) as caught:
        import_table(
            sessions, "environments", write(tmp_path / f"bad{suffix}", rows), actor=None, now=NOW
        )
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "capacity"),
        (4, "status"),
        (4, "components"),
        (5, "name"),
        (5, "changeover_days"),
    ]
    assert "3 bad rows, nothing imported" in caught.value.message
    assert count(sessions, Environment) == 0


def test_rows_the_database_refuses_are_reported_and_nothing_is_written(
    sessions: SessionFactory, tmp_path: Path, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="UAT-9")
    make_booking(env, start=DAY0, end=DAY0 + dt.timedelta(days=5))
    rows = [
        {"environment": "UAT-9", "start": "2027-01-20", "end": "2027-01-25"},
        {"environment": "UAT-9", "start": "2027-01-06", "end": "2027-01-08"},  # clash
        {"environment": "NOPE", "start": "2027-01-06", "end": "2027-01-08"},
        {"environment": "UAT-9", "start": "2027-02-01", "end": "2027-02-03", "phase": "X-1"},
    ]
    with pytest.raises(TransferRejected) as caught:
        import_table(sessions, "bookings", write(tmp_path / "b.csv", rows), actor=None, now=NOW)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "start"),
        (4, "environment"),
        (5, "phase"),
    ]
    assert "fully booked" in caught.value.errors[0].problem
    assert count(sessions, Booking) == 1


def test_an_imported_booking_breaking_its_phase_order_is_refused_unless_it_says_forced(
    sessions: SessionFactory,
    tmp_path: Path,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
) -> None:
    make_environment(name="SIT-5", type="SIT")
    make_environment(name="UAT-5")
    release = make_release(key="R6")
    make_phase(release, key="R6-SIT", type="SIT", duration_days=10)
    make_phase(release, key="R6-UAT")
    uat = {
        "environment": "UAT-5",
        "start": "2027-01-04",
        "end": "2027-01-09",
        "phase": "R6-UAT",
        "status": "confirmed",
        "pinned": "false",
        "note": "",
    }
    with pytest.raises(TransferRejected) as caught:
        import_table(sessions, "bookings", write(tmp_path / "a.csv", [uat]), actor=None, now=NOW)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "start")]
    assert "R6-SIT" in caught.value.errors[0].problem
    forced = uat | {"forced_reason": "legacy plan"}
    import_table(sessions, "bookings", write(tmp_path / "b.csv", [forced]), actor=None, now=NOW)
    with sessions() as session:
        assert session.exec(select(Booking.forced_reason)).one() == "legacy plan"


def test_bookings_export_and_import_into_an_environment(
    sessions: SessionFactory, tmp_path: Path, make_environment: Factory, make_phase: Factory
) -> None:
    make_environment(name="UAT-5")
    phase = make_phase(key="R5-UAT")
    rows = [
        {
            "environment": "UAT-5",
            "start": "2027-01-04",
            "end": "2027-01-09",
            "phase": "R5-UAT",
            "status": "tentative",
            "pinned": "false",
            "note": "first cut",
        },
        {
            "environment": "UAT-5",
            "start": "2027-01-02",
            "end": "2027-01-04",
            "phase": "",
            "status": "released",
            "pinned": "true",
            "note": "",
        },
    ]
    import_table(sessions, "bookings", write(tmp_path / "b.xlsx", rows), actor=None, now=NOW)
    export_table(sessions, "bookings", tmp_path / "out.csv")
    assert table(tmp_path / "out.csv") == [r | {"forced_reason": ""} for r in (rows[1], rows[0])]
    with sessions() as session:
        assert (
            session.exec(select(Booking.phase_id).where(Booking.note == "first cut")).one()
            == phase.id
        )


def test_release_rows_must_agree_and_phases_name_known_things(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    import_table(
        sessions, "environments", write(tmp_path / "e.csv", ENVIRONMENTS), actor=None, now=NOW
    )
    rows = [
        RELEASES[0],
        {**RELEASES[1], "priority": "4", "after": "PAY-4.2-PERF"},
        {
            **RELEASES[1],
            "phase": "PAY-4.2-STG",
            "phase_type": "STAGING",
            "environments": "UAT-1; UAT-7",
        },
    ]
    with pytest.raises(TransferRejected) as caught:
        import_table(sessions, "releases", write(tmp_path / "r.csv", rows), actor=None, now=NOW)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "priority"),
        (3, "after"),
        (4, "environments"),
    ]
    assert count(sessions, Release) == 0


def test_excel_dates_and_numbers_typed_as_such_are_read(
    sessions: SessionFactory, tmp_path: Path, make_environment: Factory
) -> None:
    make_environment(name="UAT-6")
    typed = pd.DataFrame(
        {
            "environment": ["UAT-6"],
            "start": [pd.Timestamp(2027, 1, 4)],
            "end": [pd.Timestamp(2027, 1, 6)],
        }
    )
    typed.to_excel(tmp_path / "typed.xlsx", index=False)  # real Excel dates, not text
    import_table(sessions, "bookings", tmp_path / "typed.xlsx", actor=None, now=NOW)
    with sessions() as session:
        assert session.exec(select(col(Booking.start), col(Booking.end))).one() == (
            dt.date(2027, 1, 4),
            dt.date(2027, 1, 6),
        )


def test_a_wrong_header_is_reported_before_any_row(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    path = write(tmp_path / "h.csv", [{"nam": "SIT-1", "type": "SIT"}])
    with pytest.raises(TransferRejected) as caught:
        import_table(sessions, "environments", path, actor=None, now=NOW)
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "name"), (1, "nam")]


def test_only_csv_and_excel_files_and_known_kinds(sessions: SessionFactory, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"csv or \.xlsx"):
        export_table(sessions, "environments", tmp_path / "x.json")
    with pytest.raises(InvalidInput, match="not one of"):
        export_table(sessions, "users", tmp_path / "x.csv")
