"""The demo's charts as Chromium draws them: the release calendar's Gantt on a phone
(legend above the chart, the chart as wide as the phone allows) and on a desktop (bar
labels at a readable size or not at all), and the timeline zoomed out to months on one
type (each short bar names its release, not the type every bar shares)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, FloatRect, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit

GANTT = "/release-calendar?view=gantt"
PLOT_AREA = "#release-calendar-chart .nsewdrag"  # Plotly's rectangle over the plotted days


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def test_the_gantt_on_a_phone_keeps_its_legend_above_the_rows_and_its_width(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    vera = Visit(browser.new_page(), live_server, screenshots, "vera")
    vera.sign_in()
    vera.page.set_viewport_size({"width": 390, "height": 844})
    page = vera.open(GANTT, "gantt-phone")
    expect(page.locator(PLOT_AREA)).to_be_attached()
    legend, plot = box(page, "#release-calendar-chart .legend"), box(page, PLOT_AREA)
    assert legend["y"] + legend["height"] <= plot["y"] + 1, (legend, plot)  # over no row
    assert plot["width"] >= 250, plot  # the lane names take only what they need


def test_the_gantt_on_a_desktop_shows_bar_labels_a_person_can_read(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    vera = Visit(browser.new_page(), live_server, screenshots, "vera")
    vera.sign_in()
    vera.page.set_viewport_size({"width": 1280, "height": 900})
    page = vera.open(GANTT, "gantt-desktop")
    expect(page.locator(PLOT_AREA)).to_be_attached()
    sizes = page.eval_on_selector_all(
        "#release-calendar-chart .bartext",
        "els => els.filter(e => e.textContent && getComputedStyle(e).display !== 'none'"
        " && e.getBoundingClientRect().width > 0)"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert len(sizes) >= 5, sizes  # the windows' and the longer phases' labels show
    assert min(sizes) >= 10, sizes
    # a window begun before the first day shown reads whole ("2026-12", not "026-12")
    cut = page.evaluate(
        """() => {
          const area = document.querySelector('#release-calendar-chart .nsewdrag');
          const left = area.getBoundingClientRect().left;
          return [...document.querySelectorAll('#release-calendar-chart .bartext')]
            .filter(e => /^\\d{4}-\\d{2}$/.test(e.textContent))
            .filter(e => e.getBoundingClientRect().left < left - 1)
            .map(e => e.textContent);
        }"""
    )
    assert cut == [], cut


def test_the_timeline_in_months_on_one_type_names_each_short_bar_by_its_release(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    vera = Visit(browser.new_page(), live_server, screenshots, "vera")
    vera.sign_in()
    page = vera.open("/timeline?type=STAGING&zoom=months", "timeline-staging-months")
    expect(page.locator("#timeline[data-ready=true]")).to_be_attached()
    narrow = page.locator("#timeline .vis-item.booking.narrow .label-short")
    expect(narrow.first).to_be_visible()
    shown = [t.strip() for t in narrow.all_inner_texts()]
    assert "STG" not in shown, shown
    assert sum(1 for t in shown if re.fullmatch(r"[A-Z]+-\d+(\.\d+)+", t)) >= 3, shown
