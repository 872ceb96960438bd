"""Charts are pure functions: rows in, figure out; asserted on the figure's data."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from web.charts import MS_PER_DAY, capacity_heatmap, share, timeline_figure, utilisation_figure
from web.ui.queries import BookingRow

D = dt.date.fromisoformat


def booking(id_: int, env: str, start: str, end: str, status: str = "confirmed",
            phase: str | None = None) -> BookingRow:
    return BookingRow(id_, env, "UAT", D(start), D(end), status, phase, "R1" if phase else None,
                      None, "")


def test_the_timeline_draws_each_booking_from_its_start_for_its_days() -> None:
    rows = [booking(1, "UAT-1", "2027-01-04", "2027-01-09", phase="R1-UAT"),
            booking(2, "UAT-2", "2027-01-06", "2027-01-07")]
    figure = timeline_figure(rows, set(), environments=["UAT-1", "UAT-2"],
                             start=D("2027-01-01"), end=D("2027-02-01"))
    booked = next(t for t in figure.data if t.name == "Booked")
    assert list(booked.y) == ["UAT-1", "UAT-2"]
    assert list(booked.base) == ["2027-01-04", "2027-01-06"]
    assert list(booked.x) == [5 * MS_PER_DAY, 1 * MS_PER_DAY]
    assert list(booked.text) == ["R1-UAT", "booking 2"]


def test_the_timeline_puts_clashes_and_tentative_bookings_in_their_own_traces() -> None:
    rows = [booking(1, "UAT-1", "2027-01-04", "2027-01-09"),
            booking(2, "UAT-1", "2027-01-05", "2027-01-07"),
            booking(3, "UAT-2", "2027-01-05", "2027-01-07", status="tentative")]
    figure = timeline_figure(rows, {1, 2}, environments=["UAT-1", "UAT-2"],
                             start=D("2027-01-01"), end=D("2027-02-01"))
    by_name = {t.name: t for t in figure.data}
    assert len(by_name["Booked"].y) == 0
    assert [c[0] for c in by_name["Clash"].customdata] == [1, 2]
    assert [c[0] for c in by_name["Tentative"].customdata] == [3]
    assert by_name["Clash"].marker.color == "#a4161a"


def test_the_timeline_keeps_a_line_for_each_idle_environment_top_down() -> None:
    figure = timeline_figure([], set(), environments=["A", "B", "C"], start=D("2027-01-01"),
                             end=D("2027-01-15"), today=D("2027-01-03"))
    assert list(figure.layout.yaxis.categoryarray) == ["C", "B", "A"]
    assert list(figure.layout.xaxis.range) == ["2027-01-01", "2027-01-15"]
    assert figure.layout.shapes[0].x0 == "2027-01-03"  # the "today" line


def test_the_heatmap_shows_demand_over_supply_per_type_and_week() -> None:
    frame = pd.DataFrame({
        "type": ["SIT", "SIT", "UAT", "UAT"],
        "week_start": pd.to_datetime(["2027-01-04", "2027-01-11"] * 2),
        "demand_days": [7, 21, 0, 5], "supply_days": [14, 14, 7, 0],
        "shortfall_days": [0, 7, 0, 5]})
    heatmap = capacity_heatmap(frame).data[0]
    assert list(heatmap.y) == ["SIT", "UAT"]
    assert list(heatmap.x) == ["2027-W01", "2027-W02"]
    assert [list(row) for row in heatmap.z] == [[50.0, 150.0], [0.0, 150.0]]
    assert [list(row) for row in heatmap.text] == [["7/14", "21/14"], ["0/7", "5/0"]]


def test_share_of_supply_is_capped_where_there_is_no_supply() -> None:
    assert share(3, 4) == 75.0
    assert share(0, 0) == 0.0
    assert share(2, 0) == 150.0


def test_utilisation_bars_mark_types_over_their_supply() -> None:
    bars = utilisation_figure([("SIT", 80.0), ("UAT", 120.0)]).data[0]
    assert list(bars.y) == ["SIT", "UAT"] and list(bars.x) == [80.0, 120.0]
    assert list(bars.marker.color) == ["#0b4f9c", "#a4161a"]
