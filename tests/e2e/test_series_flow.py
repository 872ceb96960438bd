"""An environment manager books a repeating booking in the browser (issue 16): from the
environment page to the series form, a preview that lists one run refused (an existing
booking holds its day) with the rule in words, booking the series, and cancelling the
rest from the series page; axe-core finds no serious problem on the form with its
preview or on the series page. Photographed at desktop width and at 390 px into
``tests/e2e/screenshots/``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlmodel import col, select

from envsched.booking import BookingIn, book_direct
from envsched.db import create_engine, read_transaction, session_factory
from envsched.models import Environment
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import axe_problems
from tests.e2e.test_act_on_bookings import phone_shot
from tests.e2e.test_booking_flow import Visit

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _hold_one_day(server: LiveServer, first: dt.date) -> str:
    """Book a UAT environment of the demo on the series' second run day; its name."""
    engine = create_engine(Settings(database_url=server.database_url))
    sessions = session_factory(engine)
    with read_transaction(sessions) as session:
        name = session.exec(
            select(Environment.name).where(col(Environment.name).startswith("UAT"))
        ).first()
    assert name is not None
    second = first + dt.timedelta(weeks=1)
    data = BookingIn(
        environment=name, start=second, end=second + dt.timedelta(days=1), note="db upgrade"
    )
    book_direct(sessions, data, actor=None, now=dt.datetime.now(dt.UTC))
    engine.dispose()
    return name


def test_a_manager_previews_books_and_cancels_a_series(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    first = dt.date.today() + dt.timedelta(days=700)  # clear of what the demo holds
    environment = _hold_one_day(live_server, first)
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.open(f"/environments/{environment}", "series-environment")
    page.get_by_role("link", name="Book a repeating booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a repeating booking")
    expect(page.get_by_label("Environment")).to_have_value(environment)

    page.get_by_label("Repeats").select_option("weekly")
    for box in page.locator('input[name="weekdays"]').all():
        box.uncheck()
    page.get_by_label(DAY_NAMES[first.weekday()]).check()
    page.get_by_label("From").fill(first.isoformat())
    page.get_by_label("Days each run holds").fill("1")
    page.get_by_role("spinbutton", name=re.compile("^Number of runs")).fill("3")
    page.get_by_label("What it is for").fill("weekly regression run")
    eric.shot("series-form")
    phone_shot(eric, "series-form")

    page.get_by_role("button", name="Preview the runs").click()
    expect(page.get_by_role("heading", name=re.compile("^Preview"))).to_have_text(
        "Preview: 2 of 3 runs would be booked"
    )
    refused = page.locator("table.runs tbody tr").nth(1)
    expect(refused).to_contain_text("refused")
    expect(refused).to_contain_text(f"The environment is full: {environment} is fully booked")
    eric.shot("series-preview")
    phone_shot(eric, "series-preview")
    assert axe_problems(page) == []

    page.get_by_role("button", name="Book the series").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Repeating booking on {environment}")
    expect(page.locator(".flash-warning")).to_contain_text(
        f"Booked 2 runs on {environment}; 1 refused"
    )
    rows = page.locator("table.runs tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("confirmed")
    expect(rows.nth(1)).to_contain_text("refused")
    expect(rows.nth(2)).to_contain_text("confirmed")
    eric.shot("series-page")
    phone_shot(eric, "series-page")
    assert axe_problems(page) == []

    page.once("dialog", lambda dialog: dialog.accept())
    rows.nth(0).get_by_role("button", name=re.compile("and every later run$")).click()
    expect(page.locator(".flash-success")).to_contain_text("Cancelled 2 runs")
    expect(rows.nth(0)).to_contain_text("cancelled")
    expect(rows.nth(2)).to_contain_text("cancelled")
    expect(page.get_by_role("button", name=re.compile("^Cancel"))).to_have_count(0)
    eric.shot("series-cancelled")
    phone_shot(eric, "series-cancelled")
    eric.assert_clean()
