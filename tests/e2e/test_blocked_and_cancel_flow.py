"""Two things a user could trip over, in the browser: an environment manager is told that
'new' cannot name an environment, adds one, blocks days for maintenance and sees them
hatched on its timeline (with the reason on hover); a release manager's cancel button asks
first, saying what cancelling would give back, and 'no' leaves the release as it was.
Every step is photographed into ``tests/e2e/screenshots/``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, answer_with
from tests.e2e.test_booking_flow import DEMO, Visit

NAME = "SIT-15"
DEMO.setdefault("rita", "demo-release-2027")


def test_a_maintenance_window_shows_hatched_on_the_environment_timeline(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.open("/environments/new", "blocked-new-form")
    page.get_by_label("Name", exact=True).fill("new")
    page.get_by_label("Type").select_option("SIT")
    page.get_by_role("button", name="Add environment").click()
    expect(page.locator("#name-error")).to_contain_text("'new' is reserved")
    eric.shot("blocked-name-new-refused")
    eric.errors.clear()  # the refused form answered 400, as it should
    page.get_by_label("Name", exact=True).fill(NAME)
    page.get_by_role("button", name="Add environment").click()
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    first = dt.date.today() + dt.timedelta(days=8)
    last = first + dt.timedelta(days=4)
    form = page.get_by_role("form", name="Add a maintenance window")
    form.get_by_label("First day").fill(first.isoformat())
    form.get_by_label("Last day").fill(last.isoformat())
    form.get_by_label("Reason").fill("OS patching")
    form.get_by_role("button", name="Add window").click()
    expect(page.get_by_text(f"is added to {NAME}.")).to_be_visible()
    bar = page.locator(".chart .barlayer .point").first
    expect(bar).to_be_visible()
    page.wait_for_load_state("networkidle")
    eric.shot("blocked-window-on-timeline")
    box = bar.bounding_box()  # Plotly's drag layer lies over the bars: move the mouse
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".hoverlayer")).to_contain_text("Maintenance: OS patching")
    expect(page.locator(".hoverlayer")).to_contain_text("(5 days)")
    eric.shot("blocked-window-hover")
    eric.assert_clean()


def test_the_cancel_button_says_what_cancelling_gives_back_and_no_means_no(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    rita = Visit(browser.new_page(), live_server, screenshots, "rita")
    rita.sign_in()
    key = booked_release(rita)
    page = rita.open(f"/releases/{key}/lifecycle", "cancel-before")
    cancel = page.get_by_role("button", name="Cancelled")
    cancel.scroll_into_view_if_needed()
    cancel.hover()
    questions: list[str] = []
    page.once("dialog", answer_with(questions, accept=False))
    cancel.click()
    expect(cancel).to_be_visible()
    rita.shot("cancel-said-no")
    assert len(questions) == 1
    assert re.fullmatch(
        rf"Cancel {key}\? (This also cancels \d+ open booking requests? and "
        r"\d+ bookings? not started yet, and releases \d+ running bookings? from today\."
        r"|It has no open booking requests or live bookings\.)",
        questions[0],
    ), questions
    expect(page.locator("h1")).not_to_contain_text("cancelled")
    print("cancel question:", questions[0])
    rita.assert_clean()


def booked_release(rita: Visit) -> str:
    """A release whose cancelling would give something back, found as a user would: the
    releases with a booked phase, each lifecycle page's cancel button."""
    page = rita.open("/releases", "cancel-releases")
    keys = [
        cells[0]
        for cells in (row.locator("td").all_inner_texts() for row in page.locator("tbody tr").all())
        if not cells[-2].startswith("0 of")
    ]
    for key in keys:
        page.goto(f"{rita.server.url}/releases/{key}/lifecycle")
        cancel = page.locator('button[value="cancelled"]')
        if cancel.count() and "also cancels" in (cancel.get_attribute("data-confirm") or ""):
            return key
    raise AssertionError("no release of the demo bank holds anything to give back")
