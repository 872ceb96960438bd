"""My work, notifications, the header's search and the approvals queue, in Chromium on the
demo bank: a test manager finds their request and booking on My work and withdraws a
request; is told of an approval (a count in the header) and marks it read; a viewer finds
a release by its key from the header; an environment manager approves two competing
requests from the grouped view at once and sees the one that clashes refused, the rule
named. Each test has a server of its own (they change the demo's requests); pages are
photographed into ``tests/e2e/screenshots/``, at 390 px too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from envsched.db import create_engine
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.servers import copy_demo, serving
from tests.e2e.test_booking_flow import Visit
from web import create_app

PHONE: ViewportSize = {"width": 390, "height": 844}
STAGING = "MOB-4.2-STG"  # tom's open request for a phase of the demo
PEAKS = ("digital channels", "mobile banking")  # tom's two PERF requests wanting cloud days


@pytest.fixture
def server(tmp_path: Path, demo_template: Path) -> Iterator[LiveServer]:
    """A server of this test's own over a fresh demo bank (the tests approve and withdraw)."""
    settings = Settings(
        database_url=copy_demo(demo_template, tmp_path), secret_key="e2e-secret-key"
    )
    engine = create_engine(settings)
    with serving(create_app(settings, engine=engine)) as url:
        yield LiveServer(url, "", "", settings.database_url)
    engine.dispose()


def phone_shot(visit: Visit, name: str) -> None:
    """Photograph the page at 390 px: it must not scroll sideways."""
    visit.page.set_viewport_size(PHONE)
    visit.shot(f"{name}-390px")
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide at 390 px"
    visit.page.set_viewport_size({"width": 1366, "height": 768})


def approve_staging(browser: Browser, server: LiveServer, shots: Path) -> str:
    """Eric approves tom's staging request to its suggested slot; returns "ENV, days"."""
    eric = Visit(browser.new_page(), server, shots, "eric")
    eric.sign_in()
    page = eric.open("/approvals?type=STAGING", "mywork-approvals-staging")
    card = page.locator("article.request", has_text=STAGING)
    suggested = card.locator(".suggested-slot strong").inner_text()
    card.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text(f"{STAGING} for tom approved: {suggested}.")
    eric.assert_clean()
    eric.page.close()
    return suggested


def header_count(page: Page) -> Locator:
    return page.locator(".site-header .inbox-link .count")


def test_a_test_manager_finds_their_request_and_booking_and_withdraws_a_request(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    slot = approve_staging(browser, server, screenshots)
    tom = Visit(browser.new_page(), server, screenshots, "tom")
    tom.sign_in()
    page = tom.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    tom.shot("mywork")
    mine = page.locator("section[aria-labelledby=requests-h] tbody tr")
    expect(mine.filter(has_text=STAGING)).to_contain_text("approved")
    bookings = page.locator("section[aria-labelledby=bookings-h]")
    expect(bookings.get_by_role("link", name=f"{STAGING} on {slot}")).to_be_visible()
    phone_shot(tom, "mywork")
    failover = mine.filter(has_text="7 days of PERF")
    expect(failover).to_contain_text("pending")
    page.once("dialog", lambda dialog: dialog.accept())
    failover.get_by_role("button", name="Withdraw 7 days of PERF").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Request withdrawn: 7 days of PERF for tom (“data-centre failover timing”)."
    )
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(mine.filter(has_text="7 days of PERF")).to_contain_text("cancelled")
    expect(failover.get_by_role("button", name=re.compile("^Withdraw"))).to_have_count(0)
    tom.shot("mywork-withdrawn")
    tom.assert_clean()
    tom.page.close()


def test_a_test_manager_is_told_of_an_approval_and_marks_it_read(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    tom = Visit(browser.new_page(), server, screenshots, "tom")
    tom.sign_in()
    expect(header_count(tom.page)).to_have_count(0)
    slot = approve_staging(browser, server, screenshots)
    page = tom.open("/", "notified-dashboard")
    expect(header_count(page)).to_have_text("1 unread")
    page.locator(".site-header").get_by_role("link", name=re.compile("^Notifications")).click()
    told = page.locator("ul.news li.unread")
    expect(told).to_have_count(1)
    expect(told).to_contain_text(f"Your request for {STAGING} was approved by eric: {slot}.")
    tom.shot("notifications")
    phone_shot(tom, "notifications")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".flash-success")).to_have_text("1 notification marked read.")
    expect(header_count(page)).to_have_count(0)
    expect(page.locator("ul.news li.unread")).to_have_count(0)
    tom.shot("notifications-read")
    page.get_by_role("link", name=re.compile(f"^Your request for {STAGING}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("approved")
    tom.assert_clean()
    tom.page.close()


def test_the_header_search_finds_a_release_by_its_key(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    vera = Visit(browser.new_page(), server, screenshots, "vera")
    vera.sign_in()
    page = vera.page
    box = page.get_by_role("searchbox", name="Search everything")
    box.fill("PAY-2.1")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    releases = page.locator("section", has=page.get_by_role("heading", name="Releases"))
    expect(releases.get_by_role("link").first).to_have_text("PAY-2.1")
    vera.shot("search")
    phone_shot(vera, "search")
    releases.get_by_role("link", name="PAY-2.1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PAY-2.1")
    vera.assert_clean()
    vera.page.close()


def test_an_environment_manager_approves_two_competing_requests_at_once(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), server, screenshots, "eric")
    eric.sign_in()
    page = eric.open("/approvals", "approvals-grouped")
    page.get_by_label("Type").select_option("PERF")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/approvals\?type=PERF"))
    group = page.locator("section.competing").filter(has_text=PEAKS[0]).filter(has_text=PEAKS[1])
    expect(group.get_by_role("heading", level=2)).to_contain_text(
        re.compile(r"\d requests want PERF-\d on overlapping days")
    )
    eric.shot("approvals-perf")
    phone_shot(eric, "approvals-perf")
    slots = []
    for words in PEAKS:
        card = group.locator("article.request", has_text=words)
        slots.append(card.locator(".suggested-slot strong").inner_text())
        card.get_by_role("checkbox").check()
    assert slots[0] == slots[1], slots  # the same days offered to both: they compete
    page.get_by_role("button", name="Approve the ticked suggested slots").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Approved: 10 days of PERF for tom (“Easter peak volume test, {PEAKS[0]}”) on {slots[0]}."
    )
    expect(page.locator(".flash-error")).to_have_text(
        f"Refused: 10 days of PERF for tom (“Easter peak volume test, {PEAKS[1]}”) on "
        f"{slots[0]} — the capacity rule: {slots[0].replace(', ', ' is fully booked on ', 1)}."
    )
    expect(page).to_have_url(re.compile(r"/approvals\?type=PERF"))
    eric.shot("approvals-bulk-decided")
    eric.assert_clean()
    eric.page.close()
