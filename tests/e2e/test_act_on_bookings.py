"""An environment manager acts on what they see, in the browser, on the demo bank: clicks a
booking's bar on the timeline, lands on its page, moves it to a free slot of its phase
and then cancels it; and resolves the dashboard's clashes: one by moving the booking that
runs into maintenance (and coming back to the dashboard), one by cancelling a booking
from an overbooked environment. Pages are photographed at desktop width and at 390 px
into ``tests/e2e/screenshots/``."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import LiveServer, answer_with
from tests.e2e.test_booking_flow import Visit

PHONE: ViewportSize = {"width": 390, "height": 844}
DAYS = re.compile(r"\d{1,2}( \w{3})?( \d{4})? ?– ?\d{1,2} \w{3} \d{4}|\d{1,2} \w{3} \d{4}")
PHASE = "TRY-10.1-UAT"  # a confirmed UAT booking of the demo, starting in a few days


def click_bar(page: Page, text: str) -> None:
    """Click the timeline bar labelled ``text``, after its tooltip has said what it is."""
    bar = page.locator("#timeline .vis-item.booking", has_text=text).first
    expect(bar).to_be_visible()
    bar.hover()
    expect(page.locator(".vis-tooltip")).to_contain_text(text)
    bar.click()


def phone_shot(visit: Visit, name: str) -> None:
    visit.page.set_viewport_size(PHONE)
    visit.shot(f"{name}-390px")
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide at 390 px"
    visit.page.set_viewport_size({"width": 1366, "height": 768})


def test_a_manager_moves_then_cancels_a_booking_found_on_the_timeline(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.open("/timeline?type=UAT", "act-timeline")
    click_bar(page, PHASE)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{PHASE} on ")
    assert re.search(r"/bookings/\d+$", page.url), page.url
    was = page.locator("dl.facts dd").first.inner_text()
    eric.shot("act-booking-page")
    phone_shot(eric, "act-booking-page")
    slot = page.locator("#move-h ~ ul.slots li").first
    target = slot.locator("span").inner_text()  # "UAT-1, 9–18 Jan 2027"
    slot.get_by_role("button", name=re.compile(r"^Move to ")).click()
    expect(page.locator(".flash-success")).to_contain_text(f"Moved: {PHASE} on {target}.")
    environment, days = target.split(", ")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{PHASE} on {environment}")
    expect(page.locator("dl.facts dd").first).to_contain_text(days)
    print("moved from", was, "to", target)
    eric.shot("act-moved")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Why").fill("release slipped a quarter")
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Cancelled: {PHASE} on {target}.")
    expect(page.locator("h1 .badge")).to_have_text("cancelled")
    expect(page.get_by_role("heading", name="Move")).to_have_count(0)
    eric.shot("act-cancelled")
    page = eric.open("/timeline?type=UAT", "act-timeline-after")
    expect(page.locator("#timeline[data-ready=true]")).to_be_attached()
    expect(page.locator("#timeline .vis-item.booking", has_text=PHASE)).to_have_count(0)
    eric.assert_clean()
    eric.page.close()


def test_a_manager_resolves_the_dashboard_clashes_by_moving_and_cancelling(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.open("/", "act-dashboard-clashes")
    phone_shot(eric, "act-dashboard-clashes")
    clashes = page.locator("section[aria-labelledby=clashes-h] tbody tr")
    maintenance = clashes.filter(has_text="runs into maintenance")
    expect(maintenance).to_have_count(1)
    booking = maintenance.locator("ul.clash-bookings li").first
    words = booking.locator("a").first.inner_text()  # "… on UAT-3, 14–18 Dec 2026"
    assert " on UAT-3, " in words and DAYS.search(words), words
    booking.get_by_role("link", name=f"Move {words}").click()
    expect(page.get_by_role("heading", name="Move")).to_be_visible()
    eric.shot("act-clash-booking")
    page.locator("#move-h ~ ul.slots li").first.get_by_role(
        "button", name=re.compile(r"^Move to ")
    ).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator(".flash-success")).to_contain_text("Moved: ")
    expect(clashes.filter(has_text="runs into maintenance")).to_have_count(0)
    eric.shot("act-dashboard-moved")
    overbooked = clashes.filter(has_text="live bookings")
    expect(overbooked).to_have_count(1)
    last = overbooked.locator("ul.clash-bookings li").last
    cancel = last.get_by_role("button", name=re.compile(r"^Cancel "))
    questions: list[str] = []
    page.once("dialog", answer_with(questions, accept=True))
    cancel.click()
    expect(page.locator(".flash-success")).to_contain_text("Cancelled: ")
    assert questions and questions[0].endswith("Its days go to the waitlist."), questions
    expect(clashes.filter(has_text="live bookings")).to_have_count(0)
    eric.shot("act-dashboard-resolved")
    phone_shot(eric, "act-dashboard-resolved")
    eric.assert_clean()
    eric.page.close()
