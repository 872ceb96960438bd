"""An environment manager adds a UAT environment from the keyboard alone, is told next
to the field when a name is taken, then blocks days for maintenance and sees both on
the environment's page, and removes the window (after saying no to the question once).
Every step is photographed into ``tests/e2e/screenshots/``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from envsched.days import days_text
from tests.e2e.conftest import LiveServer, answer_with
from tests.e2e.test_booking_flow import Visit

NAME = "UAT-14"
FIELDS_IN_ORDER = [
    "Name",
    "Type",
    "Status",
    "Owner",
    "Capacity",
    "Changeover days",
    "Tags",
    "Deployed components",
    "Description",
]


def test_an_environment_manager_adds_an_environment_and_a_maintenance_window(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.page
    page.get_by_role("link", name="Environments", exact=True).click()
    page.get_by_role("link", name="New environment").click()
    expect(page.get_by_role("heading", name="New environment", level=1)).to_be_visible()
    eric.shot("environment-new")
    for label in FIELDS_IN_ORDER:  # every field has a label that names it
        expect(page.get_by_label(label)).to_be_visible()
    fill_by_keyboard(page, name="UAT-1")  # a name in use: the server says so
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    name_field = page.get_by_label("Name", exact=True)
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name-error")).to_have_text("Error: environment 'UAT-1' already exists")
    expect(page.get_by_label("Owner")).to_have_value("Mainframe UAT team")  # kept as typed
    eric.shot("environment-new-name-taken")
    assert [e for e in eric.errors if "400 (BAD REQUEST)" in e] == eric.errors != []
    eric.errors.clear()  # the refused form itself answered 400, as it should
    expect(page.locator(".error-summary")).to_be_focused()  # the page starts at the problems
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name="Name: environment 'UAT-1' already exists")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(name_field).to_be_focused()  # the summary leads to the field
    page.keyboard.press("Control+A")
    page.keyboard.type(NAME)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"{NAME} (UAT)")).to_be_visible()
    expect(page.get_by_text(f"Environment {NAME} is added.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("2 parallel bookings")
    expect(facts).to_contain_text("mainframe, payments")
    expect(page.locator("table", has_text="Component")).to_contain_text("payments-api")
    eric.shot("environment-added")
    add_a_maintenance_window(eric)
    eric.assert_clean()
    eric.page.close()


def fill_by_keyboard(page: Page, *, name: str) -> None:
    """Every field in tab order, typed: no mouse."""
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type(name)
    for keys in (
        ["Tab"],
        ["U"],
        ["Tab"],
        ["Tab"],
        list("Mainframe UAT team"),
        ["Tab", "Control+A"],
        ["2"],
        ["Tab", "Control+A"],
        ["1"],
        ["Tab"],
        list("mainframe, payments"),
        ["Tab"],
        list("payments-api 4.2.1"),
        ["Enter"],
        list("core-banking 12.4.9"),
        ["Tab"],
        list("second mainframe UAT"),
        ["Tab"],
    ):
        for key in keys:
            page.keyboard.press(key)
    expect(page.get_by_role("button", name="Add environment")).to_be_focused()
    expect(page.get_by_label("Type")).to_have_value("UAT")
    page.keyboard.press("Enter")


def add_a_maintenance_window(eric: Visit) -> None:
    page = eric.page
    first = dt.date.today() + dt.timedelta(days=10)
    last = first + dt.timedelta(days=2)
    form = page.get_by_role("form", name="Add a maintenance window")
    form.get_by_label("First day").fill(first.isoformat())
    form.get_by_label("Last day").fill(last.isoformat())
    form.get_by_label("Reason").fill("OS patching")
    eric.shot("window-form-filled")
    form.get_by_role("button", name="Add window").click()
    days = days_text(first, last + dt.timedelta(days=1))  # as every page says days
    expect(page.get_by_text(f"Maintenance window {days} is added to {NAME}.")).to_be_visible()
    windows = page.locator("table", has_text="Bookings in the way")
    expect(windows).to_contain_text(days)
    expect(windows).to_contain_text("OS patching")
    expect(windows.get_by_role("button", name=f"Remove maintenance window {days}")).to_be_visible()
    page.wait_for_load_state("networkidle")
    eric.shot("window-added")
    remove_it_after_saying_no_once(page, days)


def remove_it_after_saying_no_once(page: Page, days: str) -> None:
    remove = page.get_by_role("button", name=f"Remove maintenance window {days}")
    questions: list[str] = []
    page.once("dialog", answer_with(questions, accept=False))
    remove.click()
    expect(remove).to_be_visible()  # "no": nothing happened
    page.once("dialog", answer_with(questions, accept=True))
    remove.click()
    expect(page.get_by_text(f"is removed from {NAME}")).to_be_visible()
    expect(page.get_by_text("No maintenance windows.")).to_be_visible()
    assert questions == [f"Remove the maintenance window {days} from {NAME}?"] * 2
