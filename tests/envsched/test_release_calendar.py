"""The release calendar's items from the stored rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.db import SessionFactory
from envsched.lifecycle.calendar import (
    FREEZES_LANE,
    MAINTENANCE_LANE,
    WINDOWS_LANE,
    CalendarItem,
    calendar_months,
    grid_items,
    release_calendar,
)
from envsched.models import BookingStatus, Deployment, Release, ReleaseWindow
from tests.envsched.factories import NOW, Factory

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        ("2027-01-04", "2027-01-01", "2028-01-01"),
        ("2027-11-30", "2027-11-01", "2028-11-01"),  # across the year end
        ("2028-02-29", "2028-02-01", "2029-02-01"),  # from a leap day
    ],
)
def test_the_calendar_covers_twelve_whole_months(day: str, start: str, end: str) -> None:
    assert calendar_months(D(day)) == (D(start), D(end))


@pytest.fixture
def stored(
    sessions: SessionFactory,
    make_release: Factory,
    make_phase: Factory,
    make_environment: Factory,
    make_booking: Factory,
    make_window: Factory,
    make_freeze: Factory,
) -> Release:
    release = make_release(key="R1", title="Payments 4.2", due=D("2027-03-31"))
    sit = make_phase(release, key="R1-SIT", type="SIT")
    uat = make_phase(release, key="R1-UAT", type="UAT")
    sit1 = make_environment(name="SIT-1", type="SIT")
    uat1 = make_environment(name="UAT-1", type="UAT")
    make_booking(sit1, phase_id=sit.id, start=D("2027-02-01"), end=D("2027-02-11"))
    make_booking(
        uat1,
        phase_id=uat.id,
        start=D("2027-02-15"),
        end=D("2027-02-20"),
        status=BookingStatus.TENTATIVE,
    )
    make_booking(
        uat1,
        phase_id=uat.id,
        start=D("2027-01-10"),
        end=D("2027-01-12"),
        status=BookingStatus.CANCELLED,
    )  # not shown
    make_booking(uat1, start=D("2027-05-01"), end=D("2027-05-03"))  # serves no phase
    make_window(uat1, start=D("2027-02-22"), end=D("2027-02-24"), reason="patching")
    make_freeze(name="year end", start=D("2027-12-20"), end=D("2028-01-04"), types=["UAT"])
    make_freeze(name="old", start=D("2026-06-01"), end=D("2026-06-05"))  # before the months
    assert release.id is not None
    with sessions.begin() as session:
        session.add(
            ReleaseWindow(
                name="2027-Q1",
                start=D("2027-03-01"),
                cutoff=D("2027-03-20"),
                go_live=D("2027-03-27"),
            )
        )
        session.add(
            Deployment(
                release_id=release.id,
                deployed_on=D("2027-03-27"),
                backout_plan="redeploy 4.1",
                recorded_at=NOW,
            )
        )
    return release


def test_the_calendar_holds_windows_releases_phases_deployments_freezes_and_maintenance(
    sessions: SessionFactory, stored: Release
) -> None:
    items = release_calendar(sessions, D("2027-01-01"), D("2028-01-01"))
    found = [(i.kind, i.lane, i.start, i.end, i.label) for i in items]
    assert found == [
        ("window", WINDOWS_LANE, D("2027-03-01"), D("2027-03-28"), "2027-Q1"),
        ("go_live", WINDOWS_LANE, D("2027-03-27"), D("2027-03-28"), "2027-Q1 go-live"),
        # the release from its first booked day to the day after its deployment
        ("release", "R1", D("2027-02-01"), D("2027-03-31"), "R1 Payments 4.2"),
        ("phase", "R1", D("2027-02-01"), D("2027-02-11"), "R1-SIT"),
        ("phase", "R1", D("2027-02-15"), D("2027-02-20"), "R1-UAT"),
        ("deployment", "R1", D("2027-03-27"), D("2027-03-28"), "R1 deployed"),
        ("freeze", FREEZES_LANE, D("2027-12-20"), D("2028-01-04"), "year end"),
        ("maintenance", MAINTENANCE_LANE, D("2027-02-22"), D("2027-02-24"), "UAT-1"),
    ]


def test_calendar_items_say_what_they_are_and_have_stable_ids(
    sessions: SessionFactory, stored: Release
) -> None:
    items = {
        i.kind + i.label: i for i in release_calendar(sessions, D("2027-01-01"), D("2028-01-01"))
    }
    assert items["phaseR1-UAT"].detail == "UAT-1, tentative"
    assert items["deploymentR1 deployed"].detail == "back-out plan: redeploy 4.1"
    assert items["freezeyear end"].detail == "UAT"
    assert "code cut-off 20 Mar 2027" in items["window2027-Q1"].detail
    assert items["window2027-Q1"].cutoff == D("2027-03-20")
    assert len({i.uid for i in items.values()}) == len(items)
    assert all(isinstance(i, CalendarItem) and i.uid for i in items.values())


def test_only_what_overlaps_the_months_is_shown(sessions: SessionFactory, stored: Release) -> None:
    items = release_calendar(sessions, D("2027-03-01"), D("2027-04-01"))
    assert {(i.kind, i.label) for i in items} == {
        ("window", "2027-Q1"),
        ("go_live", "2027-Q1 go-live"),
        ("release", "R1 Payments 4.2"),
        ("deployment", "R1 deployed"),
    }


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (
            "2027-01-01",
            "2028-01-01",
            {("window", "2027-Q1"), ("go_live", "2027-Q1 go-live"), ("freeze", "year end")},
        ),
        ("2027-03-01", "2027-04-01", {("window", "2027-Q1"), ("go_live", "2027-Q1 go-live")}),
        ("2027-03-27", "2027-03-28", {("window", "2027-Q1"), ("go_live", "2027-Q1 go-live")}),
        ("2027-03-28", "2027-12-20", set()),  # after the go-live, before the freeze
        ("2028-01-03", "2028-02-01", {("freeze", "year end")}),  # the freeze's last day
    ],
)
def test_the_month_grid_reads_windows_go_lives_and_freezes_of_its_months_only(
    sessions: SessionFactory, stored: Release, start: str, end: str, shown: set[tuple[str, str]]
) -> None:
    items = grid_items(sessions, D(start), D(end))
    assert {(i.kind, i.label) for i in items} == shown
    assert items == [
        i
        for i in release_calendar(sessions, D(start), D(end))
        if i.kind in ("window", "go_live", "freeze")
    ]
