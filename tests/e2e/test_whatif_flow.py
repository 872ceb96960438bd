"""A planner's what-if in the browser: make it, add an environment, run it, watch the
progress, read the comparison: what differs, in words and marked on one chart; a
screenshot of each step."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, LiveServer


def test_a_planner_compares_one_more_environment(page: Page, live_server: LiveServer) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("User name").fill("paul")
    page.get_by_label("Password").fill("demo-planner-2027")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="What-ifs").click()
    page.get_by_label("Name").fill("one-more-uat")
    page.get_by_label("Description").fill("What if we had one more UAT environment?")
    page.get_by_role("button", name="New what-if from the current state").click()
    expect(page.get_by_role("heading", name="What-if one-more-uat")).to_be_visible()
    page.get_by_text("Add an environment", exact=True).click()
    form = page.get_by_role("form", name="Add an environment")
    form.get_by_label("Id").fill("UAT-99")
    form.get_by_label("Type").fill("UAT")
    form.get_by_role("button", name="Add this change").click()
    expect(page.locator("#changes")).to_contain_text("add environment UAT-99")
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-editor.png"), full_page=True)
    page.get_by_label("Solver seconds (whole run)").fill("2")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#comparison-table")).to_be_visible(timeout=60_000)
    expect(page.locator("#whatif-chart .main-svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="What the what-if changes in the plan")).to_be_visible()
    expect(page.locator("#baseline-chart")).to_have_count(0)  # one chart, not two look-alikes
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-comparison.png"), full_page=True)
    assert errors == []
