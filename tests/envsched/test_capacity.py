"""Capacity report: demand, supply and shortfall per type per ISO week, on both databases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.models import BookingStatus, EnvironmentStatus, RequestStatus
from envsched.planning.capacity import COLUMNS, capacity_report
from tests.envsched.factories import DAY0, Factory

# DAY0 (2027-01-04) is a Monday: week n runs over days [7n, 7n + 7).


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def week(frame: pd.DataFrame, type_name: str, n: int) -> dict[str, int]:
    row = frame[(frame["type"] == type_name) & (frame["week_start"] == pd.Timestamp(day(7 * n)))]
    assert len(row) == 1
    return {c: int(row.iloc[0][c]) for c in ("demand_days", "supply_days", "shortfall_days")}


def test_report_has_one_row_per_type_and_week_with_typed_columns(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    make_environment(type="SIT")
    make_environment(type="UAT")
    frame = capacity_report(sessions, day(3), weeks=4)  # a Thursday: its week starts on day 0
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 8
    assert frame["type"].dtype == "str"
    assert pd.api.types.is_datetime64_any_dtype(frame["week_start"])
    assert frame["week_start"].min() == pd.Timestamp(DAY0)
    assert frame["demand_days"].dtype == "int64"


def test_supply_counts_capacity_on_days_free_of_windows_freezes_and_bad_statuses(
    sessions: SessionFactory, make_environment: Factory, make_window: Factory, make_freeze: Factory
) -> None:
    shared = make_environment(type="PERF", capacity=2)
    make_window(shared, start=day(1), end=day(3))  # two days of maintenance
    make_environment(type="PERF")
    make_environment(type="PERF", status=EnvironmentStatus.RETIRED)
    make_environment(type="PERF", status=EnvironmentStatus.DOWN)
    make_freeze(start=day(7), end=day(9), types=["PERF"])  # two frozen days in week 1
    frame = capacity_report(sessions, DAY0, weeks=2)
    assert week(frame, "PERF", 0)["supply_days"] == 2 * 5 + 7
    assert week(frame, "PERF", 1)["supply_days"] == 3 * 5


def test_demand_counts_live_booked_days_in_the_week_they_fall(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(type="UAT")
    make_booking(env, start=day(5), end=day(10))  # 2 days in week 0, 3 in 1
    make_booking(env, start=day(0), end=day(4), status=BookingStatus.CANCELLED)
    frame = capacity_report(sessions, DAY0, weeks=2)
    assert week(frame, "UAT", 0)["demand_days"] == 2
    assert week(frame, "UAT", 1)["demand_days"] == 3


def test_unbooked_phases_land_at_their_earliest_start_after_their_predecessors(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    sit = make_environment(type="SIT")
    make_environment(type="UAT")
    release = make_release(earliest_start=day(0))
    first = make_phase(release, type="SIT", duration_days=5)
    make_phase(release, type="UAT", duration_days=4, gap_days=2)  # forecast: days 9..12
    make_booking(sit, phase_id=first.id, start=day(2), end=day(7))
    frame = capacity_report(sessions, DAY0, weeks=3)
    assert week(frame, "SIT", 0)["demand_days"] == 5
    assert [week(frame, "UAT", n)["demand_days"] for n in range(3)] == [0, 4, 0]


def test_open_requests_without_a_phase_add_demand_closed_ones_do_not(
    sessions: SessionFactory, make_environment: Factory, make_request: Factory
) -> None:
    make_environment(type="UAT")
    make_request(duration_days=3, earliest_start=day(8))
    make_request(duration_days=3, earliest_start=day(8), status=RequestStatus.REJECTED)
    frame = capacity_report(sessions, DAY0, weeks=2)
    assert week(frame, "UAT", 1)["demand_days"] == 3


def test_shortfall_is_demand_beyond_supply_never_negative(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(type="STAGING", capacity=1)
    make_environment(type="UAT")
    for _ in range(2):
        make_booking(env, start=day(0), end=day(7), exclusive=False)
    frame = capacity_report(sessions, DAY0, weeks=1)
    assert week(frame, "STAGING", 0) == {"demand_days": 14, "supply_days": 7, "shortfall_days": 7}
    assert week(frame, "UAT", 0)["shortfall_days"] == 0


def test_report_for_one_type_and_an_unknown_type(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    make_environment(type="SIT")
    make_environment(type="UAT")
    assert set(capacity_report(sessions, DAY0, 2, type_name="SIT")["type"]) == {"SIT"}
    with pytest.raises(InvalidInput, match="no environment type 'QA'"):
        capacity_report(sessions, DAY0, 2, type_name="QA")
