"""The series form's weekdays follow its first day in the browser (issue 16): a fresh
form ticks the first day's weekday, and moving the first day moves the tick, until the
manager ticks a weekday themselves: that replaces the default, and their choice stays.
Photographed into ``tests/e2e/screenshots/``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit
from tests.e2e.test_series_flow import DAY_NAMES


def test_the_weekday_ticked_follows_the_first_day_until_the_manager_chooses(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    first = dt.date.today() + dt.timedelta(days=400)
    page = eric.open(f"/series/new?start={first.isoformat()}", "series-weekday-fresh")
    boxes = page.locator('input[name="weekdays"]')

    def ticked() -> list[str]:
        return [DAY_NAMES[i] for i in range(7) if boxes.nth(i).is_checked()]

    assert ticked() == [DAY_NAMES[first.weekday()]]
    later = first + dt.timedelta(days=2)
    page.get_by_label("From").fill(later.isoformat())
    page.get_by_label("From").dispatch_event("change")
    expect(page.get_by_label(DAY_NAMES[later.weekday()])).to_be_checked()
    assert ticked() == [DAY_NAMES[later.weekday()]]
    eric.shot("series-weekday-followed")

    own = DAY_NAMES[(later.weekday() + 3) % 7]
    page.get_by_label(own).check()
    page.get_by_label("From").fill((later + dt.timedelta(days=1)).isoformat())
    page.get_by_label("From").dispatch_event("change")
    assert ticked() == [own]  # the first box ticked replaces the default, which nobody chose
    again = DAY_NAMES[(later.weekday() + 5) % 7]
    page.get_by_label(again).check()
    assert ticked() == sorted([own, again], key=DAY_NAMES.index)  # further ticks add
    eric.shot("series-weekday-chosen")
    eric.assert_clean()
