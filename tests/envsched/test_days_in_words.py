"""Moments and runs of months in words, as every page, mail and message says them."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.days import moment_text, months_text

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("at", "words"),
    [
        (dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC), "4 Jan 2027, 09:00 UTC"),
        (dt.datetime(2027, 1, 4, 9, 0), "4 Jan 2027, 09:00 UTC"),  # naive, as stored: UTC
        (  # another zone: said in UTC, on UTC's day
            dt.datetime(2027, 1, 5, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            "4 Jan 2027, 20:30 UTC",
        ),
    ],
)
def test_a_moment_reads_as_its_day_and_utc_time(at: dt.datetime, words: str) -> None:
    assert moment_text(at) == words


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2027-03-01", "2027-04-01", "March 2027"),  # one month
        ("2027-01-01", "2027-04-01", "January – March 2027"),  # in one year
        ("2026-12-01", "2027-03-01", "December 2026 – February 2027"),  # across years
    ],
)
def test_a_run_of_months_reads_as_its_first_and_last(start: str, end: str, words: str) -> None:
    assert months_text(D(start), D(end)) == words
