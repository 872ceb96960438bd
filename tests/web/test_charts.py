"""Charts are pure functions: rows in, figure out; asserted on the figure's data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from plotly.graph_objects import Figure

from web.charts import MS_PER_DAY, capacity_heatmap, share, timeline_figure, utilisation_figure
from web.queries import BookingRow

D = dt.date.fromisoformat


def booking(
    id_: int, env: str, start: str, end: str, status: str = "confirmed", phase: str | None = None
) -> BookingRow:
    return BookingRow(
        id_, env, "UAT", D(start), D(end), status, phase, "R1" if phase else None, None, ""
    )


def test_the_timeline_draws_each_booking_from_its_start_for_its_days() -> None:
    rows = [
        booking(1, "UAT-1", "2027-01-04", "2027-01-09", phase="R1-UAT"),
        booking(2, "UAT-2", "2027-01-06", "2027-01-07"),
    ]
    figure = timeline_figure(
        rows, set(), environments=["UAT-1", "UAT-2"], start=D("2027-01-01"), end=D("2027-02-01")
    )
    booked = next(t for t in figure.data if t.name == "Booked")
    assert list(booked.y) == ["UAT-1", "UAT-2"]
    assert list(booked.base) == ["2027-01-04", "2027-01-06"]
    assert list(booked.x) == [5 * MS_PER_DAY, 1 * MS_PER_DAY]
    assert list(booked.text) == ["R1-UAT", "a booking"]  # never "booking 2"


def test_the_timeline_puts_clashes_and_tentative_bookings_in_their_own_traces() -> None:
    rows = [
        booking(1, "UAT-1", "2027-01-04", "2027-01-09"),
        booking(2, "UAT-1", "2027-01-05", "2027-01-07"),
        booking(3, "UAT-2", "2027-01-05", "2027-01-07", status="tentative"),
    ]
    figure = timeline_figure(
        rows, {1, 2}, environments=["UAT-1", "UAT-2"], start=D("2027-01-01"), end=D("2027-02-01")
    )
    by_name = {t.name: t for t in figure.data}
    assert len(by_name["Booked"].y) == 0
    assert [c[0] for c in by_name["Clash"].customdata] == [1, 2]
    assert [c[0] for c in by_name["Tentative"].customdata] == [3]
    assert by_name["Clash"].marker.color == "#a4161a"


def test_the_timeline_keeps_a_line_for_each_idle_environment_top_down() -> None:
    figure = timeline_figure(
        [],
        set(),
        environments=["A", "B", "C"],
        start=D("2027-01-01"),
        end=D("2027-01-15"),
        today=D("2027-01-03"),
    )
    assert list(figure.layout.yaxis.categoryarray) == ["C", "B", "A"]
    assert list(figure.layout.xaxis.range) == ["2027-01-01", "2027-01-15"]
    assert figure.layout.shapes[0].x0 == "2027-01-03"  # the "today" line


def lines_of(figure: Figure) -> dict[int, str]:
    """The line each booking is drawn on, by booking id, over every trace."""
    return {
        c[0]: y for trace in figure.data for c, y in zip(trace.customdata, trace.y, strict=True)
    }


def shared_timeline(rows: list[BookingRow], clash_ids: set[int] | None = None) -> Figure:
    """SHARED-1 of capacity 2 between two capacity-1 environments."""
    return timeline_figure(
        rows,
        clash_ids or set(),
        environments=["A-1", "SHARED-1", "Z-1"],
        capacities={"A-1": 1, "SHARED-1": 2, "Z-1": 1},
        start=D("2027-01-01"),
        end=D("2027-02-01"),
    )


@pytest.mark.parametrize(
    ("second", "lane"),
    [
        (("2027-01-01", "2027-01-04"), "SHARED-1"),  # before the first, ends as it starts
        (("2027-01-10", "2027-01-12"), "SHARED-1"),  # touching: starts the day it ends
        (("2027-01-08", "2027-01-12"), "SHARED-1 · 2"),  # overlapping its last days
        (("2027-01-04", "2027-01-10"), "SHARED-1 · 2"),  # the same days
        (("2027-01-05", "2027-01-06"), "SHARED-1 · 2"),  # inside it
        (("2027-01-15", "2027-01-20"), "SHARED-1"),  # after it
    ],
)
def test_a_second_booking_on_a_shared_environment_gets_a_lane_only_when_it_overlaps(
    second: tuple[str, str], lane: str
) -> None:
    first = booking(1, "SHARED-1", "2027-01-04", "2027-01-10", phase="R1-SIT")
    figure = shared_timeline([first, booking(2, "SHARED-1", *second, phase="R2-SIT")])
    assert lines_of(figure)[2] == lane
    assert lines_of(figure)[1] == ("SHARED-1 · 1" if lane.endswith("2") else "SHARED-1")


def test_two_overlapping_bookings_on_a_capacity_two_environment_sit_on_two_lanes() -> None:
    rows = [
        booking(1, "SHARED-1", "2027-01-04", "2027-01-09", phase="R1-SIT"),
        booking(2, "SHARED-1", "2027-01-06", "2027-01-12", phase="R2-SIT"),
        booking(3, "A-1", "2027-01-06", "2027-01-12"),
    ]
    figure = shared_timeline(rows)
    assert lines_of(figure) == {1: "SHARED-1 · 1", 2: "SHARED-1 · 2", 3: "A-1"}
    assert list(figure.layout.yaxis.categoryarray) == [
        "Z-1",
        "SHARED-1 · 2",
        "SHARED-1 · 1",
        "A-1",
    ]  # bottom up: A-1 stays on top
    band = figure.layout.shapes[0]  # one shaded band across both lanes of SHARED-1
    assert (band.y0, band.y1) == pytest.approx((0.54, 2.46))
    assert band.fillcolor == "#eef2f7" and len(figure.layout.shapes) == 1
    assert figure.layout.height == 120 + 28 * 4


def test_a_booking_that_no_longer_overlaps_takes_the_first_lane_again() -> None:
    rows = [
        booking(1, "SHARED-1", "2027-01-04", "2027-01-09"),
        booking(2, "SHARED-1", "2027-01-06", "2027-01-12"),
        booking(3, "SHARED-1", "2027-01-09", "2027-01-14"),  # lane 1 is free from the 9th
        booking(4, "SHARED-1", "2027-01-12", "2027-01-20"),
    ]  # lane 2 free from the 12th
    assert lines_of(shared_timeline(rows)) == {
        1: "SHARED-1 · 1",
        2: "SHARED-1 · 2",
        3: "SHARED-1 · 1",
        4: "SHARED-1 · 2",
    }


def test_a_booking_past_the_capacity_gets_a_lane_of_its_own_and_stays_red() -> None:
    rows = [
        booking(1, "SHARED-1", "2027-01-04", "2027-01-09", phase="R1-SIT"),
        booking(2, "SHARED-1", "2027-01-05", "2027-01-09", phase="R2-SIT"),
        booking(3, "SHARED-1", "2027-01-06", "2027-01-08", phase="R3-SIT"),
    ]
    figure = shared_timeline(rows, clash_ids={1, 2, 3})
    clash = next(t for t in figure.data if t.name == "Clash")
    assert clash.marker.color == "#a4161a"
    assert list(clash.y) == ["SHARED-1 · 1", "SHARED-1 · 2", "SHARED-1 · 3 (over)"]
    assert [c[0] for c in clash.customdata] == [1, 2, 3]
    over = [s for s in figure.layout.shapes if s.fillcolor == "#fbe9e9"]
    assert [(s.y0, s.y1) for s in over] == [pytest.approx((0.54, 1.46))]  # above Z-1


def test_a_clash_on_a_capacity_one_environment_shows_both_bookings() -> None:
    rows = [
        booking(1, "A-1", "2027-01-04", "2027-01-09"),
        booking(2, "A-1", "2027-01-05", "2027-01-07"),
    ]
    figure = shared_timeline(rows, clash_ids={1, 2})
    assert lines_of(figure) == {1: "A-1 · 1", 2: "A-1 · 2 (over)"}


def test_a_capacity_one_environment_keeps_one_line_named_as_ever() -> None:
    rows = [
        booking(1, "A-1", "2027-01-04", "2027-01-09"),
        booking(2, "A-1", "2027-01-09", "2027-01-12"),
    ]
    figure = shared_timeline(rows)
    assert lines_of(figure) == {1: "A-1", 2: "A-1"}
    assert list(figure.layout.yaxis.categoryarray) == ["Z-1", "SHARED-1", "A-1"]
    assert len(figure.layout.shapes) == 0


def test_the_hover_of_a_lane_names_the_environment_release_phase_days_and_status() -> None:
    rows = [
        booking(1, "SHARED-1", "2027-01-04", "2027-01-09", phase="R1-SIT"),
        booking(2, "SHARED-1", "2027-01-06", "2027-01-12", status="tentative"),
    ]
    figure = shared_timeline(rows)
    tentative = next(t for t in figure.data if t.name == "Tentative")
    assert list(tentative.customdata[0]) == [
        2,
        "6–11 Jan 2027 (6 days)",
        "tentative",
        "no release",
        "SHARED-1",
    ]
    booked = next(t for t in figure.data if t.name == "Booked")
    assert list(booked.customdata[0]) == [1, "4–8 Jan 2027 (5 days)", "confirmed", "R1", "SHARED-1"]
    assert booked.text == ("R1-SIT",)
    assert booked.hovertemplate.startswith("%{text}<br>%{customdata[4]}: %{customdata[1]}<br>")
    assert "release %{customdata[3]}, %{customdata[2]}" in booked.hovertemplate


def test_the_heatmap_shows_demand_over_supply_per_type_and_week() -> None:
    frame = pd.DataFrame(
        {
            "type": ["SIT", "SIT", "UAT", "UAT"],
            "week_start": pd.to_datetime(["2027-01-04", "2027-01-11"] * 2),
            "demand_days": [7, 21, 0, 5],
            "supply_days": [14, 14, 7, 0],
            "shortfall_days": [0, 7, 0, 5],
        }
    )
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


@pytest.mark.parametrize(
    ("shares", "top"),
    [
        ([("SIT", 23.0), ("UAT", 4.0)], 100),  # low shares: the axis still runs to 100 %
        ([("SIT", 80.0), ("UAT", 140.0)], 154),  # over supply: room for the longest bar
    ],
)
def test_the_utilisation_axis_runs_to_100_percent_at_least(
    shares: list[tuple[str, float]], top: float
) -> None:
    axis = utilisation_figure(shares).layout.xaxis
    assert list(axis.range) == [0, top]
    assert axis.ticksuffix == " %"
