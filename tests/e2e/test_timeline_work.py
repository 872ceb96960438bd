"""Working on the timeline in Chromium, on the demo bank plus lanes of a type of their own
(``LANE-1``, ``LANE-2``, ``LANE-10``, added through the API as an environment manager
would): lanes in natural order; a test manager drags across free days of a lane and
requests them, prefilled, and (one flow) finds the request and, once approved, the
booking on My work; an environment manager books chosen days outright, drags a
booking to another lane (kept, and still there after a reload) and onto a freeze
(refused, the rule named, the bar back in place); zoom and filters change what shows,
and days further out are fetched as the reader scrolls. Screenshots of each step go to
``tests/e2e/screenshots/``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from envsched.days import days_text
from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit

TYPE = "LANES"
LANES = ["LANE-10", "LANE-2", "LANE-1"]  # added in this order; shown 1, 2, 10
TODAY = dt.date.today()


def in_days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def api(page: Page, path: str, body: dict[str, Any]) -> Any:
    """POST to the API as the signed-in page would (its session and CSRF token)."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    answer = page.request.post(
        f"{path}", data=body, headers={"X-CSRFToken": token, "Content-Type": "application/json"}
    )
    assert answer.ok, (path, answer.status, answer.text())
    return answer.json()


@pytest.fixture(scope="module")
def lanes(browser: Browser, live_server: LiveServer, screenshots: Path) -> None:
    """Three idle environments of their own type, a booking to drag, one far out, one
    further still, and a freeze on the type."""
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.page
    base = live_server.url + "/api/v1"
    api(page, f"{base}/environment-types", {"name": TYPE, "description": "lanes to work on"})
    for name in LANES:
        api(
            page,
            f"{base}/environments",
            {
                "name": name,
                "type": TYPE,
                "capacity": 1,
                "tags": ["far-lane"] if name == "LANE-10" else [],
            },
        )
    for environment, first, days, note in (
        ("LANE-1", 7, 5, "drag me"),
        ("LANE-10", 40, 3, "far run"),
        ("LANE-2", 150, 3, "later run"),
    ):
        api(
            page,
            f"{base}/bookings",
            {
                "environment": environment,
                "start": str(in_days(first)),
                "end": str(in_days(first + days)),
                "note": note,
            },
        )
    api(
        page,
        f"{base}/freezes",
        {
            "name": "lane freeze",
            "start": str(in_days(20)),
            "end": str(in_days(26)),
            "types": [TYPE],
            "reason": "quarter close",
        },
    )
    page.close()


def open_timeline(visit: Visit, query: str, name: str) -> Page:
    page = visit.open(f"/timeline?type={TYPE}{query}", name)
    expect(page.locator("#timeline[data-ready=true]")).to_be_attached()
    return page


def lane_labels(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#timeline .vis-labelset .vis-label").all_inner_texts()]


def x_of(page: Page, day: dt.date) -> float:
    """The page x of the middle of ``day`` on the timeline as it is scrolled now."""
    return float(
        page.evaluate(
            """([y, m, d]) => {
             const w = window.envschedTimeline.getWindow();
             const box = document.querySelector('#timeline .vis-panel.vis-center')
                                 .getBoundingClientRect();
             const t = new Date(y, m - 1, d, 12).getTime();
             return box.left + (t - w.start) / (w.end - w.start) * box.width;
           }""",
            [day.year, day.month, day.day],
        )
    )


def y_of(page: Page, lane: str) -> float:
    label = page.locator("#timeline .vis-labelset .vis-label", has_text=lane).first
    box = label.bounding_box()
    assert box is not None
    return box["y"] + box["height"] / 2


def bar(page: Page, text: str) -> Any:
    return page.locator("#timeline .vis-item.booking", has_text=text).first


def item(page: Page, text: str) -> dict[str, str]:
    """Where the timeline's data holds the booking labelled ``text``: lane and first day."""
    found: dict[str, str] = page.evaluate(
        """(text) => {
             const it = window.envschedTimelineItems.get().find(i => i.label === text);
             const d = new Date(it.start);
             const iso = typeof it.start === 'string' ? it.start.slice(0, 10)
                 : d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0')
                   + '-' + String(d.getDate()).padStart(2, '0');
             return {group: it.group, start: iso};
           }""",
        text,
    )
    return found


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=8)
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def drag_bar(page: Page, text: str, lane: str, days: int) -> None:
    """Drag the bar labelled ``text`` by ``days`` and onto ``lane``, aiming again at the
    lane on the way (lanes change height as a bar leaves its own)."""
    box = bar(page, text).bounding_box()
    assert box is not None
    x, y = box["x"] + min(box["width"] / 2, 20), box["y"] + box["height"] / 2
    to_x = x + x_of(page, in_days(days + 1)) - x_of(page, in_days(1)) + 3
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 12, y + 8, steps=6)  # a drag starts on a slant, as a hand's does
    page.mouse.move(to_x, y_of(page, lane), steps=6)
    page.mouse.move(to_x, y_of(page, lane), steps=2)
    page.mouse.up()


def test_lanes_follow_natural_order(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    vera = Visit(browser.new_page(), live_server, screenshots, "vera")
    vera.sign_in()
    page = open_timeline(vera, "", "timeline-lanes")
    assert lane_labels(page) == ["LANE-1", "LANE-2", "LANE-10"]
    expect(page.locator("#pick-days")).to_have_count(0)  # a viewer picks no days
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # vis-timeline redraws on resize
    vera.shot("timeline-lanes-390px")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the timeline is {width} px wide at 390 px"
    page.set_viewport_size({"width": 1366, "height": 768})
    bar(page, "far run").locator("a.bar-link").focus()  # a keyboard reaches each bar
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Far run on LANE-10")
    vera.assert_clean()
    vera.page.close()


def test_a_test_manager_selects_free_days_and_requests_them_prefilled(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    tom = Visit(browser.new_page(), live_server, screenshots, "tom")
    tom.sign_in()
    page = open_timeline(tom, "&zoom=weeks", "timeline-before-choosing")
    first, last, y = in_days(3), in_days(5), y_of(page, "LANE-2")
    drag(page, (x_of(page, first), y), (x_of(page, last), y))
    form = page.locator("#pick-days")
    expect(form.get_by_label("Environment")).to_have_value("LANE-2")
    expect(form.get_by_label("First day")).to_have_value(first.isoformat())
    expect(form.get_by_label("Last day")).to_have_value(last.isoformat())
    expect(page.locator("#timeline .vis-item.selection")).to_have_count(1)
    expect(page.locator("#timeline-message")).to_contain_text("LANE-2, ")
    tom.shot("timeline-days-chosen")
    expect(form.get_by_role("button", name="Book these days")).to_have_count(0)
    form.get_by_role("button", name="Request these days").click()
    expect(page.get_by_role("heading", name="Request a booking", level=1)).to_be_visible()
    expect(page.locator("#environment")).to_have_value("LANE-2")
    expect(page.get_by_label("Earliest start", exact=True)).to_have_value(first.isoformat())
    expect(page.get_by_label("Days needed")).to_have_value("3")
    expect(page.locator("#fixed")).to_be_checked()
    tom.shot("request-form-prefilled")
    page.get_by_label("Why").fill("smoke run chosen on the timeline")
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_text("is submitted for approval")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("only LANE-2")
    expect(page.locator("dl")).to_contain_text(f"3, exactly from {first.day} ")
    tom.shot("request-from-timeline")
    tom.assert_clean()
    tom.page.close()


def test_a_test_manager_books_free_days_on_the_timeline_and_finds_them_on_my_work(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    """The one flow of "Done when": days chosen on a lane, requested, approved, and found on
    My work, first as the request and then as the booking, named in words."""
    tom = Visit(browser.new_page(), live_server, screenshots, "tom")
    tom.sign_in()
    page = open_timeline(tom, "&zoom=weeks", "flow-timeline")
    first, last, y = in_days(2), in_days(4), y_of(page, "LANE-10")
    drag(page, (x_of(page, first), y), (x_of(page, last), y))
    form = page.locator("#pick-days")
    expect(form.get_by_label("Environment")).to_have_value("LANE-10")
    tom.shot("flow-days-chosen")
    form.get_by_role("button", name="Request these days").click()
    page.get_by_label("Why").fill("contract tests on the far lane")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Your request for 3 days of {TYPE} is submitted for approval."
    )
    expect(page.locator("#request-summary")).to_contain_text(
        f"3 days of {TYPE} (LANE-10), exactly from {first.day} "
    )
    tom.shot("flow-requested")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    mine = page.locator(
        "section[aria-labelledby=requests-h] tbody tr", has_text="contract tests on the far lane"
    )
    expect(mine).to_contain_text(f"3 days of {TYPE}")
    expect(mine).to_contain_text("pending")
    tom.shot("flow-mywork-request")
    approve_far_lane(browser, live_server, screenshots)
    page.reload()
    expect(mine).to_contain_text("approved")
    booked = days_text(first, last + dt.timedelta(days=1))
    found = page.locator("section[aria-labelledby=bookings-h]").get_by_role(
        "link", name=f"contract tests on the far lane on LANE-10, {booked}"
    )
    expect(found).to_be_visible()
    tom.shot("flow-mywork-booking")
    found.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Contract tests on the far lane on LANE-10"
    )
    tom.shot("flow-booking-page")
    tom.assert_clean()
    tom.page.close()


def approve_far_lane(browser: Browser, live_server: LiveServer, screenshots: Path) -> None:
    """Eric approves tom's LANE-10 request to its suggested slot, from the approvals queue."""
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.open(f"/approvals?type={TYPE}", "flow-approvals")
    card = page.locator("article.request", has_text="contract tests on the far lane")
    card.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("approved: LANE-10, ")
    eric.assert_clean()
    eric.page.close()


def test_an_environment_manager_books_chosen_days_and_sees_the_bar(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = open_timeline(eric, "&zoom=weeks", "timeline-manager")
    day, y = in_days(10), y_of(page, "LANE-10")
    page.mouse.click(x_of(page, day), y)  # one click: one day
    form = page.locator("#pick-days")
    expect(form.get_by_label("First day")).to_have_value(day.isoformat())
    expect(form.get_by_label("Last day")).to_have_value(day.isoformat())
    form.get_by_role("button", name="Book these days").click()
    expect(page.get_by_role("heading", name="Book an environment", level=1)).to_be_visible()
    expect(page.get_by_label("Environment")).to_have_value("LANE-10")
    eric.shot("booking-form-prefilled")
    page.get_by_label("Note").fill("one-day check")
    page.get_by_role("button", name="Book these days").click()
    expect(page.locator(".flash-success")).to_contain_text("Booked: one-day check on LANE-10")
    page = open_timeline(eric, "&zoom=weeks", "timeline-booked")
    one_day = bar(page, "one-day check")
    expect(one_day).to_be_visible()
    assert item(page, "one-day check") == {"group": "LANE-10", "start": day.isoformat()}
    expect(one_day).to_have_class(re.compile(r"\bnarrow\b"))  # too short for its label:
    expect(one_day.locator(".label-short")).to_have_text("one-day")  # its first word
    one_day.hover()
    expect(page.locator(".vis-tooltip")).to_contain_text("one-day check")
    expect(page.locator(".vis-tooltip")).to_contain_text(f"LANE-10: {day.day} ")
    eric.shot("timeline-short-bar-tooltip")
    eric.assert_clean()
    eric.page.close()


def test_an_environment_manager_drags_a_booking_to_another_lane_and_not_onto_a_freeze(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = open_timeline(eric, "&zoom=months", "drag-before")
    with page.expect_response(lambda r: r.url.endswith("/move")) as moved:
        drag_bar(page, "drag me", "LANE-2", 0)
    assert moved.value.status == 200
    expect(page.locator("#timeline-message")).to_contain_text("Moved: drag me to LANE-2")
    eric.shot("drag-to-another-lane")
    page = open_timeline(eric, "&zoom=months", "drag-kept-after-reload")
    assert item(page, "drag me") == {"group": "LANE-2", "start": in_days(7).isoformat()}
    before = bar(page, "drag me").bounding_box()
    lane_before = y_of(page, "LANE-2")
    with page.expect_response(lambda r: r.url.endswith("/move")) as refused:
        drag_bar(page, "drag me", "LANE-2", 14)
    assert refused.value.status == 409
    message = page.locator("#timeline-message")
    expect(message).to_contain_text("Not moved: drag me stays where it was. Change freeze:")
    # the lane's own freeze, or in December the demo's Christmas freeze on every type
    expect(message).to_contain_text(re.compile(r"\((quarter close|Christmas change freeze)\)"))
    assert item(page, "drag me") == {"group": "LANE-2", "start": in_days(7).isoformat()}
    after = bar(page, "drag me").bounding_box()
    assert before is not None and after is not None
    assert abs(after["x"] - before["x"]) < 2  # the same days, on the same lane:
    assert abs((after["y"] - y_of(page, "LANE-2")) - (before["y"] - lane_before)) < 2
    eric.shot("drag-onto-freeze-refused")
    eric.errors = [e for e in eric.errors if "409" not in e]  # the refused move itself
    eric.assert_clean()
    eric.page.close()


def test_a_bar_dragged_straight_down_moves_to_that_lane(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = open_timeline(eric, "&zoom=months", "straight-drag-before")
    was = item(page, "drag me")
    other = "LANE-1" if was["group"] == "LANE-2" else "LANE-2"
    box = bar(page, "drag me").bounding_box()
    assert box is not None
    x = box["x"] + min(box["width"] / 2, 20)
    with page.expect_response(lambda r: r.url.endswith("/move")) as moved:
        drag(page, (x, box["y"] + box["height"] / 2), (x, y_of(page, other)))  # no slant
    assert moved.value.status == 200
    expect(page.locator("#timeline-message")).to_contain_text(f"Moved: drag me to {other}")
    eric.shot("straight-drag-to-another-lane")
    assert item(page, "drag me") == {"group": other, "start": was["start"]}
    eric.assert_clean()
    eric.page.close()


def test_zoom_filters_and_scrolling_change_what_shows(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    vera = Visit(browser.new_page(), live_server, screenshots, "vera")
    vera.sign_in()
    page = open_timeline(vera, "&zoom=weeks", "zoom-weeks")
    expect(bar(page, "far run")).to_have_count(0)  # 40 days out: not in four weeks
    page.get_by_role("link", name="Quarter").click()
    expect(bar(page, "far run")).to_be_visible()
    shown = page.locator("#timeline")
    start = dt.date.fromisoformat(shown.get_attribute("data-visible-start") or "")
    expect(shown).to_have_attribute("data-visible-end", (start + dt.timedelta(days=91)).isoformat())
    vera.shot("zoom-quarter")
    with page.expect_response(lambda r: "/timeline/items" in r.url):
        page.evaluate(
            """([y, m, d]) => window.envschedTimeline.setWindow(
                           new Date(y, m - 1, d - 20), new Date(y, m - 1, d + 40),
                           {animation: false})""",
            [in_days(150).year, in_days(150).month, in_days(150).day],
        )
    expect(bar(page, "later run")).to_be_visible()  # fetched as the reader scrolled
    vera.shot("scrolled-further")
    page = open_timeline(vera, "", "filter-all-lanes")
    page.get_by_label("Tag").select_option("far-lane")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**tag=far-lane**")
    expect(page.locator("#timeline .vis-labelset .vis-label")).to_have_text(["LANE-10"])
    vera.shot("filter-by-tag")
    vera.assert_clean()
    vera.page.close()


def test_at_phone_width_a_bar_shows_a_whole_label_or_none(
    browser: Browser, live_server: LiveServer, screenshots: Path, lanes: None
) -> None:
    """At 390 px no bar shows a cut label ("CR", "h"): what shows fits, else nothing does;
    the bar's link keeps its name and its tooltip."""
    eric = Visit(
        browser.new_page(viewport={"width": 390, "height": 844}), live_server, screenshots, "eric"
    )
    eric.sign_in()
    one_day = {"environment": "LANE-2", "start": str(in_days(60)), "end": str(in_days(61))}
    api(eric.page, f"{live_server.url}/api/v1/bookings", {**one_day, "note": "cutover rehearsal"})
    page = open_timeline(eric, "&zoom=quarter", "timeline-phone-labels")
    cut = page.evaluate(
        """() => [...document.querySelectorAll('#timeline .vis-item.booking')].filter(bar => {
             const box = bar.querySelector('.vis-item-overflow');
             const shown = [...bar.querySelectorAll('.label-full, .label-short')].filter(
               label => getComputedStyle(label).display !== 'none' &&
                        getComputedStyle(label).visibility !== 'hidden');
             return shown.some(label => label.offsetWidth > box.clientWidth);
           }).map(bar => bar.textContent)"""
    )
    assert cut == []
    bare = bar(page, "cutover rehearsal")  # a day is too short even for "cutover"
    expect(bare).to_have_class(re.compile(r"\bbare\b"))
    expect(bare.locator("a.bar-link")).to_have_attribute("aria-label", "cutover rehearsal")
    bare.hover()
    expect(page.locator(".vis-tooltip")).to_contain_text("cutover rehearsal")
    eric.shot("timeline-phone-labels")
    eric.assert_clean()
