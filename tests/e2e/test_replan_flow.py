"""An environment manager re-plans the demo bank from the pages and accepts every proposal
in Chromium: it applies, and the next round moves nothing. On a server of its own (a fresh
demo), since accepting changes bookings the other browser tests look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from envsched.counted import counted
from envsched.db import create_engine, session_factory
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer, worker_beside
from tests.e2e.servers import copy_demo, serving
from tests.e2e.test_booking_flow import Visit
from web import create_app

ROUND_SECONDS = 20  # the demo's round is optimal in about one
WAIT_MS = 120_000  # for the round to finish on a loaded machine


@pytest.fixture(scope="module")
def fresh_demo_server(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path
) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=copy_demo(demo_template, tmp_path_factory.mktemp("e2e-replan")),
        secret_key="e2e-replan-key",
        replan_time_limit=ROUND_SECONDS,
    )
    engine = create_engine(settings)
    sessions = session_factory(engine)
    with serving(create_app(settings, engine=engine)) as url, worker_beside(settings, sessions):
        yield LiveServer(url, "", "")
    engine.dispose()


def test_accept_all_applies_on_the_demo_and_the_next_round_moves_nothing(
    browser: Browser, fresh_demo_server: LiveServer, screenshots: Path
) -> None:
    eric = Visit(browser.new_page(), fresh_demo_server, screenshots, "eric")
    eric.sign_in()
    page = re_plan_now(eric, "replan-first-round")
    accept_all = page.get_by_role("button", name=re.compile(r"Accept all \d+ open proposals"))
    count = int(re.findall(r"\d+", accept_all.inner_text())[0])
    assert count > 50
    accept_all.click()
    expect(page.locator(".flash-success")).to_contain_text("applied.")
    # all apply but a phase the plan puts outside the days its open request asks for
    # (the demo's MOB-4.2-STG, one day past tom's last day): the round never books that
    refused = page.locator(".flash-error")
    held = refused.count()
    assert held <= 1
    for index in range(held):
        expect(refused.nth(index)).to_contain_text("is outside the days asked for it")
    expect(page.get_by_text(f"{counted(count - held, 'proposal')} applied.")).to_be_visible()
    accept_one = page.get_by_role("button", name=re.compile("Accept the proposal"))
    expect(accept_one).to_have_count(held)
    expect(page.locator("#accepts")).to_contain_text(f"eric: {count - held} applied")
    applied = f"{count - held} of {count} applied, {held} refused" if held else f"all {count}"
    expect(page.locator("#applied")).to_contain_text(applied)
    eric.shot("replan-accepted")
    if held:
        the_requester_hears_of_the_refusal(browser, fresh_demo_server, screenshots)
        # refused for good: eric drops it, and the run has nothing open any more
        page = eric.page
        page.get_by_role("button", name=re.compile("Drop the proposal")).click()
        expect(page.locator(".flash-success")).to_contain_text("was dropped")
        applied = f"{count - held} of {count} applied, {held} dropped"
        expect(page.locator("#applied")).to_contain_text(applied)
        expect(page.locator("#accept-all")).to_have_count(0)
        expect(page.locator("#drops")).to_contain_text("eric dropped the proposal for")
        eric.shot("replan-dropped")
    plan_runs = eric.open("/plan-runs", "plan-runs-applied")
    expect(plan_runs.locator("tbody tr").first).to_contain_text(applied)
    page = re_plan_now(eric, "replan-second-round")
    expect(page.get_by_text("No booking moves.")).to_be_visible()
    if not held:
        expect(page.get_by_text("No phase newly placed.")).to_be_visible()
    eric.assert_clean()


def the_requester_hears_of_the_refusal(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    """tom, whose request the refused proposal missed, is told in the app, and the
    request's page says what the round found instead of "no free days"."""
    tom = Visit(browser.new_page(), server, screenshots, "tom")
    tom.sign_in()
    page = tom.open("/notifications", "notified-of-refusal")
    told = page.locator("ul.news li.unread").filter(has_text="stays open for an approver")
    expect(told).to_have_count(1)
    expect(told).to_contain_text(re.compile(r"found room for it only on \S+, .*, past the days"))
    told.get_by_role("link").click()
    expect(page.locator("#round-refusal")).to_contain_text(
        re.compile(r"^The re-plan of .* found room for MOB-4\.2-STG only on .*, past the days")
    )
    expect(page.get_by_text("No environment has the free days")).to_have_count(0)
    tom.shot("request-refused-by-round")
    tom.assert_clean()
    tom.page.close()


def re_plan_now(visit: Visit, shot: str) -> Page:
    """Start a round from the plan-runs page and wait until its page shows it done."""
    page = visit.open("/plan-runs", "plan-runs")
    page.get_by_role("button", name="Re-plan now").click()
    expect(page.locator("h1 .badge")).to_have_text("done", timeout=WAIT_MS)
    visit.shot(shot)
    return page
