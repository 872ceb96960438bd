"""Every page, as the browser renders it, for keyboard and screen-reader users.

Signed in as the demo's admin (who may open every page), the test follows the app's
own links breadth-first from the dashboard and checks each page it reaches: the page
language, one ``h1`` and no skipped heading level, a name for every form control,
button, link and image, unique ids (labels point at them), and text contrast of at least
4.5:1 (3:1 for large text) against the colour actually behind it (WCAG 2.1 AA).
Plotly's SVG charts are left out: their text is drawn by Plotly, and each chart carries
an ``aria-label`` of its own, which is checked.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from urllib.parse import urldefrag, urlparse

from playwright.sync_api import Browser, Page

from tests.e2e.conftest import LiveServer

MAX_PAGES = 80  # the crawl's bound: enough for every page kind of the demo
PAGES_PER_KIND = 2
SKIPPED_PATHS = ("/logout", "/static/", "/calendar/", "/api/")
SKIPPED_SUFFIXES = (".ics", ".csv", ".json", ".xlsx")

# Runs in the page: a list of problems, each a short sentence naming the element.
AUDIT_SCRIPT = r"""
() => {
  const problems = [];
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== "hidden";
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.name ? "[name=" + el.name + "]" : "")
    + " '" + (el.textContent || "").trim().slice(0, 40) + "'";
  const named = el => (el.getAttribute("aria-label") || "").trim()
    || (el.getAttribute("aria-labelledby") || "").trim()
    || (el.getAttribute("title") || "").trim()
    || (el.labels && Array.from(el.labels).some(l => l.textContent.trim()));

  if (!document.documentElement.lang) problems.push("<html> has no lang");
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(h1s.length + " h1 elements (want exactly one)");
  let level = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const next = Number(h.tagName[1]);
    if (next > level + 1) problems.push("heading skips from h" + level + " to " + describe(h));
    level = next;
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type) || !visible(el)) continue;
    if (!named(el)) problems.push("form control without a label: " + describe(el));
  }
  for (const el of document.querySelectorAll("button, a[href], input[type=submit]")) {
    if (!visible(el)) continue;
    const text = (el.textContent || el.value || "").trim();
    if (!text && !named(el)) problems.push("control without a name: " + describe(el));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("image without alt: " + img.src);
  }
  for (const chart of document.querySelectorAll(".js-plotly-plot, [data-figure]")) {
    if (!named(chart) && chart.getAttribute("role") !== "presentation")
      problems.push("chart without an aria-label: " + describe(chart));
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, count] of Object.entries(ids)) {
    if (count > 1) problems.push("id '" + id + "' used " + count + " times");
  }

  const rgba = text => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [255, 255, 255, 1];
    const p = m[1].split(",").map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const background = el => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result = [255, 255, 255];
    for (const layer of layers.reverse()) result = over(layer, [...result, 1]);
    return result;
  };
  const luminance = rgb => {
    const [r, g, b] = rgb.map(v => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el) || el.closest("svg, .js-plotly-plot")
        || !visible(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const back = background(el);
    const fore = over(rgba(style.color), [...back, 1]);
    const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5))
      problems.push("contrast " + ratio.toFixed(2) + ":1 for " + describe(el));
  }
  return problems;
}
"""


def test_every_page_is_labelled_structured_and_readable(
        browser: Browser, live_server: LiveServer) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, live_server.url)
    problems: dict[str, list[str]] = {}
    visited = crawl(page, live_server.url, problems)
    page.close()
    assert len(visited) >= 20, f"the crawl reached only {sorted(visited)}"
    assert not problems, "\n".join(f"{path}: {p}" for path, found in problems.items()
                                   for p in found)


BROKEN_PAGE = """<!doctype html><html><body style="background:#fff">
<h1>One</h1><h1>Two</h1><h4>Deep</h4>
<input name="who"><label>Lonely</label><select name="pick"></select>
<button></button><a href="/x"></a><img src="/nothing.png">
<p id="twice" style="color:#bbb">pale grey on white</p><p id="twice">fine</p>
<div style="background:#000"><span style="color:#333">dark on black</span></div>
<div data-figure="{}"></div></body></html>"""


def test_the_audit_finds_each_kind_of_problem(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content(BROKEN_PAGE)
    found = "\n".join(page.evaluate(AUDIT_SCRIPT))
    page.close()
    for expected in ("<html> has no lang", "2 h1 elements", "heading skips from h1 to h4",
                     "form control without a label: input[name=who]",
                     "form control without a label: select[name=pick]",
                     "control without a name: button", "control without a name: a",
                     "image without alt", "id 'twice' used 2 times",
                     "for p#twice 'pale grey on white'", "for span 'dark on black'",
                     "chart without an aria-label"):
        assert expected in found, f"{expected!r} not reported in:\n{found}"
    assert "'fine'" not in found


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    audit(page, "/login", problems := {})
    assert not problems, problems
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("demo-admin-2027")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def crawl(page: Page, base: str, problems: dict[str, list[str]],
          check: Callable[[Page, str, dict[str, list[str]]], None] | None = None) -> set[str]:
    """Follow the app's links breadth-first from the dashboard, running ``check`` (the
    audit below unless given) on each page reached."""
    check = check or audit
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
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        url = urlparse(urldefrag(href)[0])
        if f"{url.scheme}://{url.netloc}" != base:
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.path.startswith(SKIPPED_PATHS) or url.path.endswith(SKIPPED_SUFFIXES):
            continue
        found.append(path)
    return found


def audit(page: Page, path: str, problems: dict[str, list[str]]) -> None:
    found = page.evaluate(AUDIT_SCRIPT)
    if found:
        problems[path] = found
