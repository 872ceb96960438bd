"""An environment manager puts two environments in a stack, books the whole stack from
its page, and is refused, naming the environment in the way, when the days are taken:
nothing of that second try is booked. Moving one member's booking from its page moves the
whole stack booking. Photographed at desktop width and at 390 px into
``tests/e2e/screenshots/``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Browser, expect

from envsched.days import days_text
from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit

STACK = "UAT-7-STACK"
MEMBERS = ["UAT-7", "PERF-4"]


def test_a_manager_books_a_whole_stack_and_is_refused_whole(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.page
    page.get_by_role("link", name="Stacks", exact=True).click()
    expect(page.get_by_role("heading", name="Stacks", level=1)).to_be_visible()
    page.get_by_label("Name", exact=True).fill(STACK)
    for name in MEMBERS:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("Description").fill("the UAT-7 application and its performance twin")
    eric.shot("stack-new")
    page.get_by_role("button", name="Add stack").click()
    expect(page.get_by_role("heading", name=f"Stack {STACK}", level=1)).to_be_visible()

    first = dt.date(dt.date.today().year + 2, 6, 7)  # far past the demo's bookings
    page.get_by_label("First day").fill(first.isoformat())
    page.get_by_label("Last day").fill((first + dt.timedelta(days=4)).isoformat())
    page.get_by_label("Note").fill("end-to-end run")
    page.get_by_role("button", name=f"Book {STACK}").click()
    days = days_text(first, first + dt.timedelta(days=5))
    expect(page.get_by_text(f"Booked the stack {STACK}")).to_contain_text(days)
    table = page.locator("table", has_text="Environments")
    expect(table.locator("tbody tr")).to_have_count(1)
    for name in MEMBERS:
        expect(table).to_contain_text(name)
    eric.shot("stack-booked")

    again = first + dt.timedelta(days=3)  # overlaps both members: refused whole
    page.get_by_label("First day").fill(again.isoformat())
    page.get_by_label("Last day").fill((again + dt.timedelta(days=4)).isoformat())
    page.get_by_role("button", name=f"Book {STACK}").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    error = page.locator("#book-start-error")
    expect(error).to_contain_text("UAT-7 is fully booked")
    expect(page.locator("table", has_text="Environments").locator("tbody tr")).to_have_count(1)
    eric.shot("stack-refused")
    assert [e for e in eric.errors if "409 (CONFLICT)" in e] == eric.errors != []
    eric.errors.clear()  # the refused form answered 409, as it should

    later = first + dt.timedelta(days=14)  # one member moved: the whole stack booking moves
    table.get_by_role("link", name="PERF-4").click()
    page.locator("#move-start").fill(later.isoformat())
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("so both members (PERF-4, UAT-7) moved to these days")).to_be_visible()
    page.get_by_role("link", name=STACK, exact=True).first.click()
    moved = page.locator("table", has_text="Environments")
    expect(moved).to_contain_text(days_text(later, later + dt.timedelta(days=5)))
    eric.shot("stack-moved")

    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in ((f"/stacks/{STACK}", "stack-phone"), ("/stacks", "stacks-phone")):
        eric.open(path, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390"
    eric.assert_clean()
    eric.page.close()
