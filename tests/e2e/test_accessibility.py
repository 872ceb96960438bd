"""Every page, as the browser renders it, checked by axe-core.

The test follows the app's own links breadth-first from the dashboard (two pages of a
kind) and runs axe-core's WCAG 2.x A/AA rules on each page it reaches: no violation of
serious or critical impact is allowed. The admin (who may open every page) crawls at
desktop width and at 390 px, after a dry-run round and a what-if run so that a plan run's
page and a what-if's comparison are in reach; a test manager, whose pages carry other
actions, crawls at desktop width. Each page is photographed into
``tests/e2e/screenshots/axe-*.png``.

axe-core's JavaScript is the copy that the ``axe-playwright-python`` package installs: no
network is needed.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, ViewportSize

from tests.e2e.conftest import LiveServer

MAX_PAGES = 80  # the crawl's bound: enough for every page kind of the demo
PAGES_PER_KIND = 2
SKIPPED_PATHS = ("/logout", "/static/", "/calendar/", "/api/")
SKIPPED_SUFFIXES = (".ics", ".csv", ".json", ".xlsx")
PASSWORDS = {"admin": "demo-admin-2027", "tom": "demo-test-2027"}
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
FAILING_IMPACTS = ("serious", "critical")
AXE = Axe()
# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's own best practices
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}

Check = Callable[[Page, str, dict[str, list[str]]], None]


def axe_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page in view, one line a node."""
    results = AXE.run(page, options=AXE_OPTIONS).response
    return [
        f"{v['id']} ({v['impact']}): {' '.join(map(str, node['target']))} — "
        f"{node.get('failureSummary', '').splitlines()[-1].strip()}"
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
        for node in v["nodes"]
    ]


def shot_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dashboard"


def axe_check(shots: Path, prefix: str) -> Check:
    def check(page: Page, path: str, problems: dict[str, list[str]]) -> None:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / f"{prefix}-{shot_name(path)}.png"), full_page=True)
        if found := axe_problems(page):
            problems[path] = found

    return check


@pytest.mark.parametrize(
    ("who", "width"), [("admin", "desktop"), ("admin", "phone"), ("tom", "desktop")]
)
def test_every_page_has_no_serious_axe_violation(
    browser: Browser,
    live_server: LiveServer,
    crawl_world: None,
    screenshots: Path,
    who: str,
    width: str,
) -> None:
    page = browser.new_page(viewport=VIEWPORTS[width])
    problems: dict[str, list[str]] = {}
    sign_in(page, live_server.url, who, problems)
    visited = crawl(page, live_server.url, problems, axe_check(screenshots, f"axe-{who}-{width}"))
    page.close()
    assert len(visited) >= 20, f"the crawl reached only {sorted(visited)}"
    if who == "admin":
        for kind in ("/plan-runs/", "/what-ifs/"):
            assert any(p.startswith(kind) for p in visited), f"the crawl never reached {kind}…"
    assert not problems, "\n".join(
        f"{path}: {p}" for path, found in problems.items() for p in found
    )


BROKEN_PAGE = """<!doctype html><html><body style="background:#fff">
<input name="who"><select name="pick"></select>
<button></button><img src="/nothing.png">
<p style="color:#bbb">pale grey on white</p>
<div style="background:#000"><span style="color:#333">dark on black</span></div>
<ul><div>not an item</div></ul></body></html>"""


def test_axe_finds_each_kind_of_serious_problem(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content(BROKEN_PAGE)
    found = "\n".join(axe_problems(page))
    page.close()
    for expected in (
        "html-has-lang (serious)",
        "label (critical): input",
        "select-name (critical)",
        "button-name (critical)",
        "image-alt (critical)",
        "color-contrast (serious): p",
        "color-contrast (serious): span",
        "list (serious)",
    ):
        assert expected in found, f"{expected!r} not reported in:\n{found}"


def sign_in(
    page: Page, base: str, who: str = "admin", problems: dict[str, list[str]] | None = None
) -> None:
    page.goto(f"{base}/login")
    if problems is not None and (found := axe_problems(page)):
        problems["/login"] = found
    page.get_by_label("User name").fill(who)
    page.get_by_label("Password").fill(PASSWORDS[who])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def crawl(page: Page, base: str, problems: dict[str, list[str]], check: Check) -> set[str]:
    """Follow the app's links breadth-first from the dashboard, running ``check`` on each
    page reached."""
    todo, seen = deque(["/"]), {"/"}
    kinds: Counter[tuple[str, ...]] = Counter()
    while todo and len(seen) <= MAX_PAGES:
        path = todo.popleft()
        response = page.goto(base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        check(page, path, problems)
        for link in links(page, base):
            kind = page_kind(link)
            if link not in seen and kinds[kind] < PAGES_PER_KIND:
                seen.add(link)
                kinds[kind] += 1
                todo.append(link)
    return seen


def page_kind(path: str) -> tuple[str, ...]:
    """/environments/UAT-1 and /environments/SIT-2 are one kind of page (the crawl is
    about page kinds, not rows): the first segment, the depth and the query's names."""
    url = urlparse(path)
    segments = url.path.strip("/").split("/")
    names = tuple(sorted(part.split("=")[0] for part in url.query.split("&") if part))
    return (segments[0], str(len(segments)), *segments[2:3], *names)


def links(page: Page, base: str) -> list[str]:
    """The same-site page links of the page in view (no feeds, downloads or API)."""
    found = []
    hrefs: list[Any] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in hrefs:
        url = urlparse(urldefrag(href)[0])
        if f"{url.scheme}://{url.netloc}" != base:
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.path.startswith(SKIPPED_PATHS) or url.path.endswith(SKIPPED_SUFFIXES):
            continue
        found.append(path)
    return found
