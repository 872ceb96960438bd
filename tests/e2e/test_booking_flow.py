"""A test manager requests a booking and sees the suggested slot; an environment manager
approves it; the booking shows on the timeline and in the environment's iCal feed.
Every page is photographed into ``tests/e2e/screenshots/`` on the way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer

DEMO = {
    "admin": "demo-admin-2027",
    "tom": "demo-test-2027",
    "tara": "demo-test-2027",
    "eric": "demo-envman-2027",
    "vera": "demo-viewer-2027",
}
SUGGESTED = re.compile(r"Suggested: (\S+), (.+)$")  # the environment, its days in words


class Visit:
    """One signed-in browser session that photographs each page it opens and notes any
    request to another host and any console error (a CSP violation shows as one)."""

    def __init__(self, page: Page, server: LiveServer, shots: Path, who: str) -> None:
        self.page, self.server, self.shots, self.who = page, server, shots, who
        self.foreign: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.set_viewport_size({"width": 1366, "height": 768})

    def _request(self, request: object) -> None:
        url = str(getattr(request, "url", ""))
        if not url.startswith((self.server.url, "data:", "blob:")):
            self.foreign.append(url)

    def sign_in(self) -> None:
        self.page.goto(f"{self.server.url}/login")
        self.shot("login")
        self.page.get_by_label("User name").fill(self.who)
        self.page.get_by_label("Password").fill(DEMO[self.who])
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def open(self, path: str, name: str) -> Page:
        self.page.goto(f"{self.server.url}{path}")
        self.page.wait_for_load_state("networkidle")
        self.shot(name)
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{self.who}-{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        assert self.foreign == [], "pages asked other hosts"
        assert self.errors == [], "the browser console reported errors"


def test_request_approve_and_see_the_booking_everywhere(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    environment, start, days = request_as_test_manager(browser, live_server, screenshots)
    approve_as_environment_manager(browser, live_server, screenshots, environment, start, days)
    look_around_as_viewer(browser, live_server, screenshots)


def request_as_test_manager(
    browser: Browser, server: LiveServer, shots: Path
) -> tuple[str, str, str]:
    tom = Visit(browser.new_page(), server, shots, "tom")
    tom.sign_in()
    expect(tom.page.locator(".chart .main-svg").first).to_be_attached()  # Plotly drew
    tom.shot("dashboard")
    page = tom.open("/requests/new", "request-form-empty")
    with page.expect_response(
        lambda r: "/requests/slots" in r.url and f"phase={server.phase}" in r.url
    ) as answer:
        page.get_by_label("Release and phase").select_option(server.phase)
        page.get_by_label("Earliest start", exact=True).fill(dt.date.today().isoformat())
    first = answer.value.json()["slots"][0]
    suggestion = page.locator("#slot-list li.suggested span")
    expect(suggestion).to_have_text(f"Suggested: {first['environment']}, {first['days']}")
    found = SUGGESTED.search(suggestion.inner_text())
    assert found, suggestion.inner_text()
    tom.shot("request-form-with-slots")
    choose_the_slot(page, first)
    page.get_by_label("Why").fill("regression run before go-live")
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_text("is submitted for approval")).to_be_visible()
    expect(page.locator("#suggested-slots li.suggested")).to_have_text(found.group(0))
    tom.shot("request-submitted")
    tom.assert_clean()
    tom.page.close()
    return found.group(1), first["start"], found.group(2)


def choose_the_slot(page: Page, slot: dict[str, str]) -> None:
    """A slot is a button, found by its name, that fills the form with its environment and
    first day and keeps what the phase brought (its days)."""
    days = page.get_by_label("Days needed").input_value()
    expect(page.locator("#environment")).to_have_value("")
    button = page.get_by_role("button", name=f"Choose {slot['environment']}, {slot['days']}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#environment")).to_have_value(slot["environment"])
    expect(page.get_by_label("Earliest start", exact=True)).to_have_value(slot["start"])
    expect(page.get_by_label("Days needed")).to_have_value(days)
    expect(page.locator("#slots-status")).to_contain_text(f"Chosen: {slot['environment']}")


def approve_as_environment_manager(
    browser: Browser, server: LiveServer, shots: Path, environment: str, start: str, days: str
) -> None:
    eric = Visit(browser.new_page(), server, shots, "eric")
    eric.sign_in()
    eric.shot("dashboard")
    page = eric.open("/approvals", "approvals")
    request = page.locator("article.request", has_text=server.phase)
    expect(request.locator("select[name=slot]")).to_have_value(f"{environment}|{start}")
    request.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"approved: {environment}, {days}")).to_be_visible()
    eric.shot("approved")
    page = eric.open(f"/timeline?release={server.release}", "timeline-release")
    expect(page.locator("#timeline .vis-item.booking", has_text=server.phase)).to_be_visible()
    page.get_by_text("Bookings as a table").click()
    expect(page.locator("details table")).to_contain_text(f"{server.phase}")
    expect(page.locator("details table")).to_contain_text(environment)
    page = eric.open(f"/environments/{environment}", "environment-detail")
    feed = page.get_by_role("link", name="Calendar feed (iCal)").get_attribute("href")
    assert feed is not None
    ics = page.request.get(f"{server.url}{feed}")
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    body = ics.text()
    assert f"DTSTART;VALUE=DATE:{start.replace('-', '')}" in body
    assert server.phase in body
    eric.open("/audit", "audit")
    eric.assert_clean()
    eric.page.close()


def look_around_as_viewer(browser: Browser, server: LiveServer, shots: Path) -> None:
    vera = Visit(browser.new_page(), server, shots, "vera")
    vera.sign_in()
    vera.shot("dashboard")
    page = vera.open("/environments", "environments")
    expect(page.get_by_role("heading", name="Environments", level=1)).to_be_visible()
    vera.open("/timeline", "timeline")
    vera.open("/releases", "releases")
    vera.open(f"/releases/{server.release}", "release-detail")
    page = vera.open("/capacity", "capacity")
    expect(page.locator("#capacity-chart .main-svg").first).to_be_attached()
    page = vera.open("/approvals", "approvals-forbidden")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    vera.errors = [e for e in vera.errors if "403" not in e]  # the refused page itself
    vera.assert_clean()
    vera.page.close()
