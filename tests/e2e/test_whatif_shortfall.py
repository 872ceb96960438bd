"""A planner on the demo bank: the capacity page shows PERF short in one week (open PERF
requests ask more than the estate has; in December the year-end freeze adds two); a
what-if adding one PERF environment, run in the browser, shows that shortfall as its
baseline and none in the what-if (in December: less, the freeze stays), and says which
copy of the live state it planned. A screenshot of each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, LiveServer


def sign_in_as_planner(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("User name").fill("paul")
    page.get_by_label("Password").fill("demo-planner-2027")
    page.get_by_role("button", name="Sign in").click()


def perf_shortfall(page: Page, url: str) -> tuple[int, str, int]:
    """The PERF environment-days short on the capacity page, the first week short and how
    many weeks are (one; in December the year-end freeze on PERF adds two)."""
    page.goto(f"{url}/capacity?type=PERF&weeks=52")
    rows = page.locator("table tbody tr").filter(has_text="PERF")
    expect(rows.first).to_be_visible()
    weeks = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    short = [int(rows.nth(i).locator("td").nth(4).inner_text()) for i in range(rows.count())]
    page.screenshot(path=str(SCREENSHOTS / "paul-capacity-perf-short.png"), full_page=True)
    return sum(short), weeks[0], sum(1 for days in short if days)


def test_a_planner_removes_the_perf_shortfall_with_one_more_environment(
    page: Page, live_server: LiveServer
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in_as_planner(page, live_server.url)
    days_short, first_week, weeks_short = perf_shortfall(page, live_server.url)
    assert days_short > 0
    page.get_by_role("link", name="What-ifs").click()
    page.get_by_label("Name").fill("one-more-perf")
    page.get_by_label("Description").fill("Does one more PERF environment end the shortfall?")
    page.get_by_role("button", name="New what-if from the current state").click()
    expect(page.locator("#copy-taken")).to_contain_text("open requests included")
    page.get_by_text("Add an environment", exact=True).click()
    form = page.get_by_role("form", name="Add an environment")
    form.get_by_label("Name", exact=True).fill("PERF-7")
    form.get_by_label("Type").fill("PERF")
    form.get_by_role("button", name="Add this change").click()
    expect(page.locator("#changes")).to_contain_text("add environment PERF-7")
    page.get_by_label("Solver seconds (whole run)").fill("10")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#shortfall-table")).to_be_visible(timeout=90_000)
    perf = page.locator("#shortfall-table tr").filter(
        has=page.get_by_role("rowheader", name="PERF", exact=True)
    )
    expect(perf.locator("td").nth(0)).to_have_text(
        re.compile(
            rf"^{days_short} in {weeks_short} weeks?\s+"
            rf"\(from the week of {re.escape(first_week)}\)$"
        )
    )
    if weeks_short == 1:
        expect(perf.locator("td").nth(1)).to_have_text("none")
    else:  # December: no environment added works in the year-end freeze; the rest goes
        expect(perf.locator("td").nth(1)).to_have_text(re.compile(r"^\d+ in \d+ weeks?"))
        left = int(perf.locator("td").nth(1).inner_text().split()[0])
        assert left < days_short
    expect(page.get_by_role("button", name="Run again on a fresh copy")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-perf-removed.png"), full_page=True)
    assert errors == []
