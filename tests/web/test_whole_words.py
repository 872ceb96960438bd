"""The ``|whole`` filter: what it keeps whole, and what it leaves alone."""

from __future__ import annotations

from web.whole_words import whole


def test_keys_dates_and_window_names_are_kept_whole() -> None:
    said = whole("PAY-2.2-SIT and CBS-6.0.1 in window 2026-11, 15–24 Feb 2027")
    for word in ("PAY-2.2-SIT", "CBS-6.0.1", "2026-11", "15–24 Feb 2027"):
        assert f'<span class="nowrap">{word}</span>' in said


def test_an_iso_day_or_a_longer_number_is_not_taken_for_a_window() -> None:
    assert "nowrap" not in whole("on 2027-03-12, ref 12345-67, 2027-123")
