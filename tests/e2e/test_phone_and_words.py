"""Every page of the crawl on a phone, and in plain words.

Signed in as the demo's admin, after a dry-run planning round and a what-if run
(``make_crawl_world``: their pages are in reach), the accessibility test's crawler (the
app's own links, breadth-first, two pages of a kind) visits every page kind at 390 px
wide. On each: the page does not scroll sideways (a wide table scrolls inside its own
box), the header spans the page, and the words a person reads (``innerText``: a closed
``<details>`` keeps its precise figures out of it) hold no raw id or column name. Each
page is photographed at 390 px into ``tests/e2e/screenshots/phone-*.png``; a few at
desktop width too.

The words are read on a demo of this file's own (``own_server``): the other browser tests
change the shared one (stacks, lanes, moved and approved bookings), and what this file
reads must not depend on which of them ran before it on the same process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from envsched.permissions import PERMISSIONS
from tests.e2e.conftest import LiveServer, demo_server, make_crawl_world
from tests.e2e.test_accessibility import crawl, sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
# What a person must never read: a booking by its id, a column, a secret's column, the
# trigger's bare name, the solver's own terms, an unfinished plural ("booking(s)"), a
# round or a solve by its number, a tentative booking called "pinned", a column with its
# underscore spaced away ("team id: 1"), a booking "no phase" with no words around it, a
# permission by its API name ("series:create").
RAW = re.compile(
    r"\bbooking \d+\b|\brequest #?\d+\b|\w+_id\b|token_hash|password_hash|"
    r"Trigger: api|OPTIMAL|makespan|weighted tardiness|"
    r"\w\(s\)|\b(?:plan )?run #?\d+\b|\bsolve \d+\b|\bpinned\b|"
    r"\b\w+ id: \d+|\bbooking no phase\b|"
    + "|".join(rf"\b{re.escape(name)}\b" for name in PERMISSIONS),
    re.IGNORECASE,
)
MEASURE = """() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  header: document.querySelector('.site-header').getBoundingClientRect().width,
  text: document.body.innerText,
})"""
DESKTOP_PAGES = [
    "/",
    "/release-calendar",
    "/release-calendar?view=gantt",
    "/audit",
    "/gates",
    "/kpis",
    "/release-windows",
    "/plan-runs",
    "/what-ifs",
]


def shot_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dashboard"


Check = Callable[[Page, str, dict[str, list[str]]], None]


def phone_check(shots: Path) -> Check:
    def check(page: Page, path: str, problems: dict[str, list[str]]) -> None:
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(MEASURE)
        found = [
            f"{match.group(0)!r} in “…{_around(seen['text'], match)}…”"
            for match in RAW.finditer(seen["text"])
        ]
        if seen["scroll"] > seen["client"]:
            found.append(f"scrolls sideways: {seen['scroll']} px wide in {seen['client']}")
        if seen["header"] < seen["client"]:
            found.append(f"the header is {seen['header']} px wide, the page {seen['client']}")
        page.screenshot(path=str(shots / f"phone-{shot_name(path)}.png"), full_page=True)
        if found:
            problems[path] = found

    return check


def _around(text: str, match: re.Match[str]) -> str:
    return " ".join(text[max(0, match.start() - 40) : match.end() + 40].split())


@pytest.fixture(scope="module")
def own_server(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, demo_template: Path
) -> Iterator[LiveServer]:
    """A server of this file's own over a fresh copy of the demo, with a dry-run round
    and a what-if run in it."""
    with demo_server(tmp_path_factory.mktemp("e2e-phone"), demo_template) as server:
        make_crawl_world(browser, server.url)
        yield server


def test_no_page_scrolls_sideways_on_a_phone_or_shows_a_raw_id(
    browser: Browser, own_server: LiveServer, screenshots: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, own_server.url)
    problems: dict[str, list[str]] = {}
    visited = crawl(page, own_server.url, problems, phone_check(screenshots))
    page.close()
    assert len(visited) >= 20, f"the crawl reached only {sorted(visited)}"
    for must in ("/requests/new", "/freezes", "/what-ifs", "/releases", "/audit"):
        assert must in visited, f"the crawl never reached {must}"
    for kind in ("/plan-runs/", "/what-ifs/"):
        assert any(p.startswith(kind) for p in visited), f"the crawl never reached {kind}…"
    assert not problems, "\n".join(
        f"{path}: {p}" for path, found in problems.items() for p in found
    )


def test_the_menu_folds_behind_a_button_that_a_keyboard_opens(
    browser: Browser, own_server: LiveServer, screenshots: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, own_server.url)
    menu = page.get_by_role("button", name="Menu")
    releases = page.get_by_role("navigation", name="Main").get_by_role("link", name="Releases")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(releases).to_be_hidden()
    page.screenshot(path=str(screenshots / "phone-menu-closed.png"))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(releases).to_be_visible()
    page.screenshot(path=str(screenshots / "phone-menu-open.png"), full_page=True)
    releases.focus()
    page.keyboard.press("Escape")
    expect(releases).to_be_hidden()
    expect(menu).to_be_focused()
    page.set_viewport_size(DESKTOP)  # wide enough: the menu is the header itself
    expect(menu).to_be_hidden()
    expect(releases).to_be_visible()
    page.close()


def test_key_pages_at_desktop_width_fit_and_are_photographed(
    browser: Browser, own_server: LiveServer, screenshots: Path
) -> None:
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, own_server.url)
    for path in DESKTOP_PAGES:
        response = page.goto(own_server.url + path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(MEASURE)
        assert seen["scroll"] <= seen["client"], f"{path} scrolls sideways at desktop width"
        assert not RAW.search(seen["text"]), (path, RAW.search(seen["text"]))
        page.screenshot(path=str(screenshots / f"desktop-{shot_name(path)}.png"), full_page=True)
    page.close()
