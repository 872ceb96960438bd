"""What-if services on SQLite and PostgreSQL: create, change, run, compare, promote, export.

The hand-made ``state`` (in ``conftest.py``): one UAT environment, R1 (confirmed on UAT-1
for days 0–5) and R2, each one 5-day UAT phase due on day 5. R2 has to wait for R1, so
the baseline has one release 5 days late; a second UAT environment removes that lateness.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from envsched.claims import new_owner
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from envsched.models import (
    Booking,
    BookingStatus,
    Release,
    ReleaseStatus,
    Role,
    WhatIf,
    WhatIfStatus,
    metadata,
)
from envsched.planning.whatif.environment_changes import AddEnvironment
from envsched.planning.whatif.release_changes import DelayRelease, DropRelease
from envsched.planning.whatif.service import (
    add_change,
    compare,
    create_whatif,
    export_whatif,
    get_whatif,
    list_whatifs,
    promote_whatif,
    remove_change,
    run_whatif,
    start_whatif_run,
)
from envsched.planning.whatif.store import changed_scenario
from solver.scenario_file import load_scenario, scenario_to_dict
from tests.envsched.factories import DAY0, NOW, Factory

TIME_LIMIT = 5.0


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def live_rows(sessions: SessionFactory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the what-ifs', in primary-key order."""
    rows = {}
    with sessions() as session:
        for table in metadata.sorted_tables:
            if table.name != "what_if":
                query = sa_select(table).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(r) for r in session.execute(query).all()]
    return rows


def new_whatif(sessions: SessionFactory, name: str = "more-uat", **kwargs: Any) -> WhatIf:
    return create_whatif(sessions, name, actor=None, now=NOW, start=DAY0, horizon_days=60, **kwargs)


def row_of(comparison: dict[str, Any], metric: str) -> tuple[int, int]:
    (row,) = [r for r in comparison["rows"] if r["metric"] == metric]
    return row["baseline"], row["whatif"]


# -- create, change, list ---------------------------------------------------------------------


def test_a_new_whatif_starts_from_the_stored_state(
    sessions: SessionFactory, state: None, make_user: Factory
) -> None:
    planner = make_user(name="pat", role=Role.PLANNER)
    made = create_whatif(
        sessions,
        "more-uat",
        actor=planner,
        now=NOW,
        start=DAY0,
        horizon_days=60,
        description="one more UAT",
    )
    assert (made.status, made.created_by, made.changes) == (WhatIfStatus.DRAFT, "pat", [])
    assert [e["id"] for e in made.base["environments"]] == ["UAT-1"]
    assert [r["id"] for r in made.base["releases"]] == ["R1", "R2"]
    assert made.base["bookings"] == [
        {"phase": "R1-UAT", "environment": "UAT-1", "start": DAY0.isoformat(), "pinned": True}
    ]
    assert [w.name for w in list_whatifs(sessions)] == ["more-uat"]


def test_names_are_unique_and_viewers_may_not_make_whatifs(
    sessions: SessionFactory, state: None, make_user: Factory
) -> None:
    new_whatif(sessions)
    with pytest.raises(InvalidInput, match="already exists"):
        new_whatif(sessions)
    with pytest.raises(PermissionDenied):
        create_whatif(sessions, "mine", actor=make_user(role=Role.VIEWER), now=NOW)


def test_changes_are_checked_when_added_and_can_be_removed(
    sessions: SessionFactory, state: None
) -> None:
    new_whatif(sessions)
    add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT"), actor=None)
    add_change(
        sessions, "more-uat", {"kind": "delay_release", "release": "R2", "days": 2}, actor=None
    )
    with pytest.raises(InvalidInput) as error:
        add_change(sessions, "more-uat", DelayRelease("R7", 2), actor=None)
    assert error.value.field == "changes[2].delay_release.release"
    assert [c["kind"] for c in get_whatif(sessions, "more-uat").changes] == [
        "add_environment",
        "delay_release",
    ]
    remove_change(sessions, "more-uat", 1, actor=None)
    assert [c["kind"] for c in get_whatif(sessions, "more-uat").changes] == ["add_environment"]
    with pytest.raises(InvalidInput, match="no change 5"):
        remove_change(sessions, "more-uat", 5, actor=None)


def test_removing_a_change_a_later_one_needs_is_refused(
    sessions: SessionFactory, state: None
) -> None:
    new_whatif(sessions)
    add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT"), actor=None)
    add_change(
        sessions,
        "more-uat",
        {
            "kind": "add_maintenance",
            "environment": "UAT-9",
            "start": "2027-01-05",
            "end": "2027-01-07",
        },
        actor=None,
    )
    with pytest.raises(InvalidInput, match="no environment 'UAT-9'"):
        remove_change(sessions, "more-uat", 0, actor=None)


def test_an_unknown_whatif_is_not_found(sessions: SessionFactory) -> None:
    with pytest.raises(NotFound):
        get_whatif(sessions, "nothing")


# -- runs and the comparison ------------------------------------------------------------------


def test_one_more_uat_environment_removes_the_lateness(
    sessions: SessionFactory, state: None
) -> None:
    new_whatif(sessions)
    add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT"), actor=None)
    done = run_whatif(sessions, "more-uat", time_limit=TIME_LIMIT, now=NOW)
    assert done.status == WhatIfStatus.DONE
    result = compare(sessions, "more-uat")
    assert set(result["status"].values()) <= {"OPTIMAL", "FEASIBLE"}
    assert row_of(result, "late_releases") == (1, 0)
    assert row_of(result, "weighted_tardiness") == (5, 0)
    assert row_of(result, "placed_phases") == (2, 2)
    assert result["releases"] == [
        {
            "release": "R2",
            "baseline_late_days": 5,
            "whatif_late_days": 0,
            "baseline_end": "2027-01-14",
            "whatif_end": "2027-01-09",
        }
    ]
    # both over days [0, 10): one environment busy throughout, then two, each half busy
    assert result["utilisation"]["UAT"] == {"baseline": 1.0, "whatif": 0.5}
    assert result["shortfalls"]["UAT"]["baseline"]["days_short"] > 0
    assert result["shortfalls"]["UAT"]["whatif"] is None
    assert result["changes"] == ["add environment UAT-9 (UAT, capacity 1)"]
    placed = {a["phase"]: a["environment"] for a in result["whatif_plan"]["assignments"]}
    assert placed == {"R1-UAT": "UAT-1", "R2-UAT": "UAT-9"}
    assert len(result["baseline_plan"]["assignments"]) == 2


def test_a_run_never_touches_the_live_tables(
    sessions: SessionFactory, state: None, make_booking: Factory, make_environment: Factory
) -> None:
    make_booking(
        make_environment(name="UAT-5"), start=day(20), end=day(25), status=BookingStatus.TENTATIVE
    )
    new_whatif(sessions)
    for change in (AddEnvironment("UAT-9", "UAT"), DropRelease("R1"), DelayRelease("R2", 3)):
        add_change(sessions, "more-uat", change, actor=None)
    before = live_rows(sessions)
    run_whatif(sessions, "more-uat", time_limit=TIME_LIMIT, now=NOW)
    assert get_whatif(sessions, "more-uat").status == WhatIfStatus.DONE
    assert live_rows(sessions) == before


def test_a_background_run_stores_its_progress_until_done(
    sessions: SessionFactory, state: None
) -> None:
    new_whatif(sessions)
    add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT"), actor=None)
    thread = start_whatif_run(sessions, "more-uat", time_limit=TIME_LIMIT, now=NOW)
    thread.join()
    done = get_whatif(sessions, "more-uat")
    assert done.status == WhatIfStatus.DONE and done.started_at == NOW
    assert done.progress is not None
    assert (done.progress["step"], done.progress["step_number"], done.progress["steps"]) == (
        "done",
        2,
        2,
    )
    assert done.progress["elapsed"] >= 0 and done.comparison is not None


def test_a_failing_background_run_is_marked_failed_with_why(
    sessions: SessionFactory, state: None
) -> None:
    made = new_whatif(sessions)
    add_change(sessions, made.id or 0, DelayRelease("R2", 5), actor=None)
    with sessions.begin() as session:  # R2 closes: the run's fresh copy has no R2 to delay
        release = session.exec(select(Release).where(Release.key == "R2")).one()
        release.status = ReleaseStatus.CANCELLED
    start_whatif_run(sessions, made.id or 0, time_limit=TIME_LIMIT, now=NOW).join()
    failed = get_whatif(sessions, "more-uat")
    assert failed.status == WhatIfStatus.FAILED
    assert failed.error.startswith("changes[0].") and "R2" in failed.error
    with pytest.raises(InvalidState, match="run it first"):
        compare(sessions, "more-uat")


def test_a_running_whatif_cannot_start_again_or_change(
    sessions: SessionFactory, state: None
) -> None:
    made = new_whatif(sessions)
    with sessions.begin() as session:  # claimed a minute ago by this very process
        row = session.get_one(WhatIf, made.id)
        row.status, row.started_at = WhatIfStatus.RUNNING, NOW - dt.timedelta(minutes=1)
        row.run_owner, row.run_time_limit = new_owner(), TIME_LIMIT
    with pytest.raises(InvalidState, match="is running"):
        run_whatif(sessions, "more-uat", time_limit=TIME_LIMIT, now=NOW)
    with pytest.raises(InvalidState, match="cannot change now"):
        add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT"), actor=None)


# -- promotion --------------------------------------------------------------------------------


def promotable(sessions: SessionFactory) -> WhatIf:
    """R2 slips 5 days: it then runs on UAT-1 after R1, and can become a booking."""
    new_whatif(sessions, "slip")
    add_change(sessions, "slip", DelayRelease("R2", 5), actor=None)
    return run_whatif(sessions, "slip", time_limit=TIME_LIMIT, now=NOW)


def test_an_environment_manager_promotes_the_plan_to_tentative_bookings(
    sessions: SessionFactory, state: None, make_user: Factory
) -> None:
    promotable(sessions)
    manager = make_user(name="eve", role=Role.ENVIRONMENT_MANAGER)
    created = promote_whatif(sessions, "slip", actor=manager, now=NOW)
    assert [(b.start, b.end, b.status) for b in created] == [
        (day(5), day(10), BookingStatus.TENTATIVE)
    ]
    promoted = get_whatif(sessions, "slip")
    assert (promoted.status, promoted.promoted_by) == (WhatIfStatus.PROMOTED, "eve")
    with sessions() as session:
        live = session.exec(select(Booking).order_by(col(Booking.start))).all()
    assert [(b.start, b.status) for b in live] == [
        (DAY0, BookingStatus.CONFIRMED),
        (day(5), BookingStatus.TENTATIVE),
    ]
    with pytest.raises(InvalidState, match="only a what-if that has run"):
        promote_whatif(sessions, "slip", actor=manager, now=NOW)


def test_a_planner_may_not_promote(
    sessions: SessionFactory, state: None, make_user: Factory
) -> None:
    promotable(sessions)
    planner = make_user(role=Role.PLANNER)
    before = live_rows(sessions)
    with pytest.raises(PermissionDenied, match="environment_manager"):
        promote_whatif(sessions, "slip", actor=planner, now=NOW)
    assert live_rows(sessions) == before
    assert get_whatif(sessions, "slip").status == WhatIfStatus.DONE


def test_promotion_is_refused_once_the_stored_state_changed(
    sessions: SessionFactory, state: None, make_environment: Factory
) -> None:
    promotable(sessions)
    make_environment(name="UAT-2")
    before = live_rows(sessions)
    with pytest.raises(InvalidState, match=r"stored state has changed.*environments"):
        promote_whatif(sessions, "slip", actor=None, now=NOW)
    assert live_rows(sessions) == before
    assert get_whatif(sessions, "slip").status == WhatIfStatus.DONE


def test_a_plan_on_an_environment_only_the_whatif_has_cannot_be_promoted(
    sessions: SessionFactory, state: None
) -> None:
    new_whatif(sessions)
    add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT"), actor=None)
    run_whatif(sessions, "more-uat", time_limit=TIME_LIMIT, now=NOW)
    with pytest.raises(InvalidState, match="UAT-9, which exists only in the what-if"):
        promote_whatif(sessions, "more-uat", actor=None, now=NOW)


# -- export -----------------------------------------------------------------------------------


def test_export_writes_the_changed_scenario_that_reads_back(
    sessions: SessionFactory, state: None, tmp_path: Path
) -> None:
    new_whatif(sessions)
    add_change(sessions, "more-uat", AddEnvironment("UAT-9", "UAT", capacity=2), actor=None)
    out = tmp_path / "more-uat.json"
    export_whatif(sessions, "more-uat", out)
    loaded = load_scenario(out)
    assert scenario_to_dict(loaded) == scenario_to_dict(
        changed_scenario(get_whatif(sessions, "more-uat"))
    )
    assert loaded.name == "more-uat"
    assert loaded.environment_by_id["UAT-9"].capacity == 2
