"""The release calendar's month grid as Chromium draws the demo at 1280 px and on a
390 px phone (issue 14): every day a freeze holds names it, whatever else happens that
day (a go-live, a window opening), and labels wrap between words, never inside one; a
word too wide for its day ends in an ellipsis, with the whole label in the mark's title.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit

# Per mark: its text, its title, the words drawn on more than one line, whether a word is
# cut short (wider than the mark); per frozen day: its marks' texts.
MEASURE = """() => {
  const lines = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  };
  const marks = [...document.querySelectorAll('#month-grid .mark')].map(mark => {
    const split = [];
    const walker = document.createTreeWalker(mark, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        if (lines(node, word.index, word.index + word[0].length) > 1) split.push(word[0]);
      }
    }
    const cut = [mark, ...mark.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1);
    return {text: mark.textContent.trim(), title: mark.title, split, cut};
  });
  const frozen = [...document.querySelectorAll('#month-grid td.frozen')].map(
    td => [...td.querySelectorAll('.mark')].map(m => m.textContent.trim()));
  return {marks, frozen};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_month_grid_names_every_freeze_and_breaks_no_word(
    browser: Browser, live_server: LiveServer, screenshots: Path, width: int
) -> None:
    vera = Visit(browser.new_page(), live_server, screenshots, "vera")
    vera.sign_in()
    vera.page.set_viewport_size({"width": width, "height": 900})
    seen = vera.open("/release-calendar", f"month-grid-{width}").evaluate(MEASURE)
    vera.page.close()
    marks, frozen = seen["marks"], seen["frozen"]
    busy = [day for day in frozen if any("freeze" not in text for text in day)]
    assert busy, "the demo has no frozen day with a window's event to check"
    unnamed = [day for day in frozen if not any("freeze" in text for text in day)]
    assert not unnamed, f"frozen days that name no freeze: {unnamed[:5]}"
    split = [(m["text"], m["split"]) for m in marks if m["split"]]
    assert not split, f"words broken across lines at {width} px: {split[:5]}"
    untitled = [m["text"] for m in marks if m["cut"] and m["title"] != m["text"]]
    assert not untitled, f"labels cut short without their whole text: {untitled[:5]}"
    if width >= 1280:
        cut = [m["text"] for m in marks if m["cut"]]
        assert not cut, f"labels cut short at {width} px: {cut[:5]}"
