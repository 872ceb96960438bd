"""Cadences become go-live dates twelve months ahead, across year ends and leap years."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from envsched.lifecycle.cadence import Cadence, add_months, generate_windows
from envsched.models import CadenceKind

D = dt.date


def go_lives(
    kind: CadenceKind, start: dt.date, months: int = 12, after: dt.date | None = None
) -> list[dt.date]:
    return [w.go_live for w in generate_windows(Cadence(kind), start, months, after=after)]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2028, 2, 29), 3, D(2028, 5, 29)),  # leap day keeps its day in a long month
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # ... and falls back in a common year
        (D(2027, 1, 31), 1, D(2027, 2, 28)),  # the 31st in February
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # ... of a leap year
        (D(2027, 11, 30), 2, D(2028, 1, 30)),  # across the year end
        (D(2027, 12, 15), -12, D(2026, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_short_months(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def test_biweekly_from_2027_12_20_crosses_the_year_end_and_the_leap_day() -> None:
    days = go_lives(CadenceKind.BIWEEKLY, D(2027, 12, 20))
    assert days[:3] == [D(2027, 12, 20), D(2028, 1, 3), D(2028, 1, 17)]
    assert all(b - a == dt.timedelta(days=14) for a, b in itertools.pairwise(days))
    # 2028 has 366 days: 27 go-lives fit before 2028-12-20, the last on 2028-12-18
    assert len(days) == 27 and days[-1] == D(2028, 12, 18)
    assert D(2028, 2, 28) in days  # 2027-12-20 + 70 days, the day before the leap day


def test_quarterly_from_the_leap_day_keeps_the_29th_and_stops_within_twelve_months() -> None:
    assert go_lives(CadenceKind.QUARTERLY, D(2028, 2, 29)) == [
        D(2028, 2, 29),
        D(2028, 5, 29),
        D(2028, 8, 29),
        D(2028, 11, 29),
    ]


def test_quarterly_two_years_from_the_leap_day_falls_back_to_the_28th() -> None:
    days = go_lives(CadenceKind.QUARTERLY, D(2028, 2, 29), months=24)
    assert days[4] == D(2029, 2, 28) and days[5] == D(2029, 5, 29)


def test_monthly_on_the_31st_returns_to_the_31st_after_short_months() -> None:
    days = go_lives(CadenceKind.MONTHLY, D(2027, 10, 31))
    assert days[:6] == [
        D(2027, 10, 31),
        D(2027, 11, 30),
        D(2027, 12, 31),
        D(2028, 1, 31),
        D(2028, 2, 29),
        D(2028, 3, 31),
    ]
    assert len(days) == 12 and days[-1] == D(2028, 9, 30)


def test_explicit_dates_are_sorted_deduplicated_and_cut_to_the_horizon() -> None:
    cadence = Cadence(
        CadenceKind.DATES,
        dates=(D(2028, 6, 1), D(2027, 12, 31), D(2028, 6, 1), D(2029, 1, 2), D(2027, 1, 1)),
    )
    assert [w.go_live for w in generate_windows(cadence, D(2027, 12, 31))] == [
        D(2027, 12, 31),
        D(2028, 6, 1),
    ]


def test_a_window_opens_and_freezes_before_its_go_live_across_the_year_end() -> None:
    cadence = Cadence(CadenceKind.MONTHLY, window_days=10, freeze_days=4)
    first = generate_windows(cadence, D(2028, 1, 3))[0]
    assert (first.name, first.start, first.cutoff, first.go_live) == (
        "2028-01",
        D(2027, 12, 24),
        D(2027, 12, 30),
        D(2028, 1, 3),
    )


@pytest.mark.parametrize(
    ("kind", "go_live", "name"),
    [
        (CadenceKind.QUARTERLY, D(2028, 2, 29), "2028 Q1"),
        (CadenceKind.MONTHLY, D(2028, 2, 29), "2028-02"),
        (CadenceKind.BIWEEKLY, D(2027, 12, 20), "2027-W51"),
        (CadenceKind.BIWEEKLY, D(2029, 12, 31), "2030-W01"),  # ISO week of the next year
        (CadenceKind.DATES, D(2028, 6, 1), "2028-06-01"),
    ],
)
def test_windows_are_named_after_their_go_live(
    kind: CadenceKind, go_live: dt.date, name: str
) -> None:
    cadence = Cadence(kind, dates=(go_live,))
    assert generate_windows(cadence, go_live)[0].name == name


def test_regenerating_later_keeps_the_anchor_rhythm() -> None:
    """From a later day, the go-lives are still the anchor's, not a new rhythm."""
    days = go_lives(CadenceKind.BIWEEKLY, D(2027, 12, 20), after=D(2028, 1, 10))
    assert days[0] == D(2028, 1, 17) and days[-1] < D(2029, 1, 10)


def test_a_freeze_longer_than_the_window_is_refused() -> None:
    with pytest.raises(ValueError, match="freeze_days"):
        Cadence(CadenceKind.MONTHLY, window_days=3, freeze_days=3)
