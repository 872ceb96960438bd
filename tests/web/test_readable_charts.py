"""Charts people read: KPI axes on whole numbers, the what-if comparison marking what
differs, and the release calendar as a month grid (pure functions, asserted on their
output)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from envsched.lifecycle.calendar import FREEZES_LANE, WINDOWS_LANE, CalendarItem
from envsched.planning.whatif.differences import plan_differences
from web.month_grid import Cell, Month, month_grid
from web.release_charts import (
    clashes_and_lead_time_figure,
    releases_trend_figure,
    time_to_implement_figure,
    utilisation_trend_figure,
    whole_axis,
)
from web.ui.whatif_view import comparison
from web.whatif_charts import comparison_figure

D = dt.date.fromisoformat
MONTHLY = [  # lead times that once gave ticks of 6.7, 13.4 …
    {
        "month": "2027-01",
        "on_time": 1,
        "late": 0,
        "backed_out": 0,
        "failed": 0,
        "clashes": 3,
        "lead_time_days": 13.4,
        "utilisation_UAT": 23.0,
    },
    {
        "month": "2027-02",
        "on_time": 2,
        "late": 1,
        "backed_out": 1,
        "failed": 0,
        "clashes": 7,
        "lead_time_days": 33.5,
        "utilisation_UAT": 48.0,
    },
]


@pytest.mark.parametrize(
    ("values", "step", "top"),
    [
        ([0, 3, 7], 2, 8),  # small counts: a step of 2, whole numbers only
        ([13.4, 33.5], 10, 40),
        ([1], 1, 2),
        ([], 1, 1),  # nothing yet: still an axis of whole numbers from 0
        ([0.4, None], 1, 1),
    ],
)
def test_a_whole_axis_ticks_whole_numbers_from_nought(
    values: list[float | None], step: int, top: int
) -> None:
    axis = whole_axis(values, "days")
    assert (axis["tick0"], axis["dtick"], axis["range"]) == (0, step, [0, top])
    assert axis["tickformat"] == "d"


def test_every_kpi_axis_of_counts_or_days_ticks_whole_numbers() -> None:
    clashes = clashes_and_lead_time_figure(MONTHLY).layout
    assert (clashes.yaxis.dtick, clashes.yaxis2.dtick) == (2, 10)
    assert clashes.yaxis2.showgrid is False  # one grid, the left axis's
    releases = releases_trend_figure(MONTHLY).layout.yaxis
    assert releases.dtick == 1 and list(releases.range) == [0, 4]  # 3 stacked, room above
    implement = time_to_implement_figure(
        [{"type": "major", "releases": 2, "average_days": 52.5, "best_days": 37, "worst_days": 68}]
    ).layout.yaxis
    assert implement.tickformat == "d" and implement.dtick == 20
    utilisation = utilisation_trend_figure(MONTHLY).layout.yaxis
    assert list(utilisation.range) == [0, 100] and utilisation.ticksuffix == " %"


def test_the_comparison_marks_moved_added_and_dropped_phases_on_one_chart() -> None:
    baseline = {
        "assignments": [
            {
                "phase": "R1-UAT",
                "release": "R1",
                "environment": "UAT-1",
                "start": "2027-01-04",
                "end": "2027-01-09",
            },
            {
                "phase": "R2-UAT",
                "release": "R2",
                "environment": "UAT-1",
                "start": "2027-01-11",
                "end": "2027-01-16",
            },
            {
                "phase": "R3-SIT",
                "release": "R3",
                "environment": "SIT-1",
                "start": "2027-01-04",
                "end": "2027-01-14",
            },
        ]
    }
    whatif = {
        "assignments": [
            {
                "phase": "R1-UAT",
                "release": "R1",
                "environment": "UAT-1",
                "start": "2027-01-04",
                "end": "2027-01-09",
            },
            {
                "phase": "R2-UAT",
                "release": "R2",
                "environment": "UAT-9",
                "start": "2027-01-11",
                "end": "2027-01-16",
            },
            {
                "phase": "R4-SIT",
                "release": "R4",
                "environment": "SIT-1",
                "start": "2027-01-18",
                "end": "2027-01-21",
            },
        ]
    }
    figure = comparison_figure(
        plan_differences(baseline, whatif), ["SIT-1", "UAT-1"], D("2027-01-01"), D("2027-02-01")
    )
    traces = {t.name: t for t in figure.data}
    assert set(traces) == {"Unchanged", "Moved from here", "Moved to here", "Added", "Dropped"}
    assert (traces["Moved from here"].y, traces["Moved to here"].y) == (("UAT-1",), ("UAT-9",))
    assert traces["Added"].text == ("R4-SIT",) and traces["Dropped"].text == ("R3-SIT",)
    assert traces["Dropped"].base == ("2027-01-04",)  # drawn where it was
    assert list(figure.layout.yaxis.categoryarray) == ["UAT-9", "UAT-1", "SIT-1"]
    assert "R2-UAT (R2) moves" in traces["Moved to here"].hovertext[0]


ITEMS = [
    CalendarItem(
        "window", WINDOWS_LANE, D("2027-03-01"), D("2027-03-28"), "2027-Q1", cutoff=D("2027-03-20")
    ),
    CalendarItem("go_live", WINDOWS_LANE, D("2027-03-27"), D("2027-03-28"), "2027-Q1 go-live"),
    CalendarItem("freeze", FREEZES_LANE, D("2027-03-29"), D("2027-04-02"), "Q1 close"),
    CalendarItem("phase", "R1", D("2027-03-01"), D("2027-03-11"), "R1-SIT"),  # not on the grid
]


def cell(months: list[Month], day: dt.date) -> Cell:
    return next(c for m in months for week in m.weeks for c in week if c.day == day)


def test_the_month_grid_marks_windows_go_lives_and_freezes_on_their_days() -> None:
    months = month_grid(ITEMS, D("2027-03-01"), D("2027-05-01"), today=D("2027-03-10"))
    assert [m.title for m in months] == ["March 2027", "April 2027"]
    march = months[0]
    assert march.weeks[0][0].day == D("2027-03-01")  # Monday first: 1 March 2027 is one
    assert march.weeks[-1][3].day is None  # 31 March is a Wednesday: the rest left blank
    assert [m.text for m in cell(months, D("2027-03-01")).marks] == ["2027-Q1 opens"]
    assert [m.text for m in cell(months, D("2027-03-20")).marks] == ["2027-Q1 code cut-off"]
    assert [m.text for m in cell(months, D("2027-03-27")).marks] == ["2027-Q1 go-live"]
    assert cell(months, D("2027-03-15")).windows == ["2027-Q1"]
    assert cell(months, D("2027-03-28")).windows == []
    assert [m.text for m in cell(months, D("2027-03-29")).marks] == ["Q1 close freeze begins"]
    assert [m.text for m in cell(months, D("2027-04-01")).marks] == ["Q1 close freeze, last day"]
    assert cell(months, D("2027-03-31")).freezes == ["Q1 close"]
    assert cell(months, D("2027-03-10")).today and not cell(months, D("2027-03-11")).today
    assert all(len(week) == 7 for m in months for week in m.weeks)


def test_a_freeze_is_named_on_every_day_it_holds_beside_a_windows_events() -> None:
    easter = CalendarItem("freeze", FREEZES_LANE, D("2027-03-19"), D("2027-03-30"), "Easter")
    months = month_grid([*ITEMS[:2], easter], D("2027-03-01"), D("2027-04-01"))

    def said(day: str) -> list[str]:
        return [m.text for m in cell(months, D(day)).marks]

    assert said("2027-03-19") == ["Easter freeze begins"]
    assert said("2027-03-20") == ["2027-Q1 code cut-off", "Easter freeze"]
    assert said("2027-03-24") == ["Easter freeze"]
    assert said("2027-03-27") == ["2027-Q1 go-live", "Easter freeze"]
    assert said("2027-03-29") == ["Easter freeze, last day"]


def test_the_comparison_lists_environments_by_type_then_number() -> None:
    base = {
        "start": "2027-01-04",
        "environments": [
            {"id": "SIT-10", "type": "SIT"},
            {"id": "SIT-2", "type": "SIT"},
            {"id": "PERF-1", "type": "PERF"},
        ],
    }
    compared = comparison({"baseline_plan": {}, "whatif_plan": {}}, base, base)
    figure = json.loads(compared["figure"])
    top_down = list(reversed(figure["layout"]["yaxis"]["categoryarray"]))
    assert top_down == ["PERF-1", "SIT-2", "SIT-10"]  # SIT-2 before SIT-10
    assert compared["differences"] == [] and compared["unchanged"] == 0
