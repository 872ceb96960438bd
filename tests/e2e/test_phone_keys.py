"""On a phone (390 px), a key (PAY-2.2-SIT, CBS-6.0.1) never breaks across lines, nor a
window's name (2026-11) or a date (15–24 Feb 2027) in a table, on the gates page, a
planning round's page, the releases, the KPIs, the release windows and a request's page
(at 1280 px too, the windows' names); the bar of
bulk approvals does not stay over the queue as it scrolls. Screenshots:
``tests/e2e/screenshots/phone-keys-*.png``.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import sign_in
from tests.e2e.test_phone_and_words import PHONE

# Each key or date in the page's text, and whether its letters sit on more than one line.
SPLIT = r"""() => {
  const key = /[A-Z]{2,}-\d+(?:\.\d+)*(?:-[A-Z]+)?/.source;  // PAY-2.2-SIT, CBS-6.0.1
  const month = /(?<![\d-])\d{4}-\d{2}(?![\d-])/.source;  // a window's name: 2026-11
  const date = /\d{1,2}(?:–\d{1,2})? [A-Z][a-z]{2} \d{4}/.source;
  const words = new RegExp(`${key}|${month}|${date}`, 'g');
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const split = [];
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const inCell = node.parentElement.closest('td, th') !== null;
    for (const match of node.data.matchAll(words)) {
      if (!inCell && !/^[A-Z]/.test(match[0])) continue;  // a date in running prose wraps
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size === 0) continue;  // not shown (a closed <details>, a hidden field)
      seen += 1;
      if (tops.size > 1) split.push(match[0]);
    }
  }
  return {seen, split};
}"""


def unsplit(page: Page, path: str, shots: Path, name: str) -> int:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / f"phone-keys-{name}.png"), full_page=True)
    found = page.evaluate(SPLIT)
    assert found["split"] == [], f"{path}: split across lines: {found['split']}"
    return int(found["seen"])


def test_keys_and_dates_stay_on_one_line_on_a_phone(
    browser: Browser, live_server: LiveServer, crawl_world: None, screenshots: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url)
    assert unsplit(page, f"{live_server.url}/gates", screenshots, "gates") > 0
    page.goto(f"{live_server.url}/plan-runs")
    run = page.locator("main a[href^='/plan-runs/']").first.get_attribute("href")
    assert run is not None
    assert unsplit(page, live_server.url + run, screenshots, "plan-run") > 10
    for name in ("releases", "kpis", "release-windows"):
        assert unsplit(page, f"{live_server.url}/{name}", screenshots, name) > 3, name
    page.goto(f"{live_server.url}/approvals")
    asked = page.evaluate(
        "() => [...document.querySelectorAll('main a[href^=\"/requests/\"]')]"
        ".map(a => a.getAttribute('href')).find(h => /^\\/requests\\/\\d+$/.test(h))"
    )
    assert asked is not None
    assert unsplit(page, live_server.url + asked, screenshots, "request") > 0
    page.set_viewport_size({"width": 1280, "height": 900})
    assert unsplit(page, f"{live_server.url}/release-windows", screenshots, "windows-1280") > 10
    page.close()


def test_the_bulk_approval_bar_scrolls_away_on_a_phone(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/approvals")
    bar = page.locator(".bulk").first
    assert bar.count() == 1, "the demo's queue has suggested slots to approve at once"
    assert bar.evaluate("b => getComputedStyle(b).position") != "sticky"
    page.screenshot(path=str(screenshots / "phone-keys-approvals.png"))
    page.close()


def test_the_check_in_switch_of_a_type_is_in_reach_on_a_phone(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/environment-types")
    switch = page.get_by_role("button", name="check-in of PERF bookings")
    box = switch.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-keys-environment-types.png"), full_page=True)
    page.close()


def test_the_audit_log_reads_as_cards_on_a_phone(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    """Each entry stacks its columns, so "To what" and "What changed" are on screen, not
    off to the right in a box that scrolls sideways."""
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/audit")
    table = page.locator("#audit-entries")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    row = table.locator("tbody tr").first
    for cell in range(5):
        box = row.locator("td").nth(cell).bounding_box()
        assert box is not None and box["x"] >= 0, cell
        assert box["x"] + box["width"] <= PHONE["width"], cell
    assert row.get_by_text("What changed:").is_visible()
    page.screenshot(path=str(screenshots / "phone-keys-audit.png"), full_page=True)
    page.close()
