"""A test manager finds a phase on the request form by typing its release's key: the phase
list narrows to that release as they type (the page asks the app, no reload), and the
phase chosen from it gets its free slots as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Response, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit


def slots_of(phase: str) -> Callable[[Response], bool]:
    """Tells the answer of the slot search for ``phase``."""
    return lambda r: "/requests/slots" in r.url and f"phase={phase}" in r.url


def test_typing_a_release_key_narrows_the_phase_list_to_its_phases(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    tom = Visit(browser.new_page(), live_server, screenshots, "tom")
    tom.sign_in()
    page = tom.open("/requests/new", "request-form-search")
    phases = page.get_by_label("Release and phase")
    with page.expect_response(
        lambda r: "/requests/phases" in r.url and f"q={live_server.release}" in r.url
    ):
        page.get_by_label("Find a release or phase").fill(live_server.release)
    groups = phases.locator("optgroup")
    expect(groups).to_have_count(1)
    assert (groups.first.get_attribute("label") or "").startswith(f"{live_server.release} ")
    shown = phases.locator("optgroup option").all_inner_texts()
    assert shown and all(text.startswith(live_server.release) for text in shown), shown
    expect(page.locator("#phase-count")).to_contain_text(f"matching “{live_server.release}”")
    tom.shot("request-form-phases-found")
    # the shared server's other tests may have booked a phase of this release already (one
    # live booking a phase: it offers no slot then), so any phase found will do
    values = [
        v
        for v in phases.locator("optgroup option").evaluate_all(
            "options => options.map(o => o.value)"
        )
        if v
    ]
    offered = []
    for value in values:
        with page.expect_response(slots_of(value)) as answer:
            phases.select_option(value)
        offered.append(bool(answer.value.json()["slots"]))
        if offered[-1]:
            break
    assert any(offered), f"no phase found offers a free slot: {values}"
    tom.assert_clean()
    tom.page.close()
