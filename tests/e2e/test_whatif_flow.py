"""A planner's what-if in the browser: make it, add an environment, run it, watch the
progress, read the comparison: what differs, in words and marked on one chart; a
screenshot of each step. And a run that waits in the queue (a server with no worker until
the test starts one): it says so, is cancelled, and runs again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from envsched.db import SessionFactory, create_engine, session_factory
from envsched.settings import Settings
from tests.e2e.conftest import SCREENSHOTS, LiveServer, worker_beside
from tests.e2e.servers import copy_demo, serving
from web import create_app


def test_a_planner_compares_one_more_environment(page: Page, live_server: LiveServer) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("User name").fill("paul")
    page.get_by_label("Password").fill("demo-planner-2027")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="What-ifs").click()
    page.get_by_label("Name").fill("one-more-uat")
    page.get_by_label("Description").fill("What if we had one more UAT environment?")
    page.get_by_role("button", name="New what-if from the current state").click()
    expect(page.get_by_role("heading", name="What-if one-more-uat")).to_be_visible()
    page.get_by_text("Add an environment", exact=True).click()
    form = page.get_by_role("form", name="Add an environment")
    form.get_by_label("Name", exact=True).fill("UAT-99")
    form.get_by_label("Type").fill("UAT")
    form.get_by_role("button", name="Add this change").click()
    expect(page.locator("#changes")).to_contain_text("add environment UAT-99")
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-editor.png"), full_page=True)
    page.get_by_label("Solver seconds (whole run)").fill("2")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#comparison-table")).to_be_visible(timeout=60_000)
    expect(page.locator("#whatif-chart .main-svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="What the what-if changes in the plan")).to_be_visible()
    expect(page.locator("#baseline-chart")).to_have_count(0)  # one chart, not two look-alikes
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-comparison.png"), full_page=True)
    assert errors == []


@pytest.fixture(scope="module")
def server_without_worker(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path
) -> Iterator[tuple[LiveServer, Settings, SessionFactory]]:
    """A fresh demo whose solves wait in the queue until the test starts a worker."""
    url = copy_demo(demo_template, tmp_path_factory.mktemp("e2e-queue"))
    settings = Settings(database_url=url, secret_key="e2e-queue-key")
    engine = create_engine(settings)
    sessions = session_factory(engine)
    with serving(create_app(settings, engine=engine)) as base:
        yield LiveServer(base, "", ""), settings, sessions
    engine.dispose()


def test_a_queued_whatif_waits_in_words_is_cancelled_and_then_runs(
    page: Page, server_without_worker: tuple[LiveServer, Settings, SessionFactory]
) -> None:
    server, settings, sessions = server_without_worker
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/login")
    page.get_by_label("User name").fill("paul")
    page.get_by_label("Password").fill("demo-planner-2027")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="What-ifs").click()
    page.get_by_label("Name").fill("waits")
    page.get_by_role("button", name="New what-if from the current state").click()
    page.get_by_label("Solver seconds (whole run)").fill("2")
    page.get_by_role("button", name="Run").click()
    heading = page.get_by_role("heading", name="What-if waits")
    expect(heading.locator(".badge")).to_have_text("queued")
    # polled while no worker takes it: the place in the queue, not "Lost touch"
    expect(page.locator("#poll-status")).to_have_text(
        "Waiting for the worker… (place 1 in the queue)"
    )
    expect(page.locator("#solve-queue")).to_contain_text("place 1 in the queue")
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-queued.png"), full_page=True)
    page.get_by_role("button", name="Cancel the queued solve").click()
    expect(heading.locator(".badge")).to_have_text("cancelled")
    expect(page.locator("#run-cancelled")).to_contain_text(
        "The last run was cancelled: cancelled by Paul"
    )
    expect(page.locator("#run-error")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "paul-whatif-cancelled.png"), full_page=True)
    page.get_by_role("link", name="All what-ifs").click()
    expect(page.get_by_role("row", name=re.compile("waits")).locator(".badge")).to_have_text(
        "cancelled"
    )
    page.get_by_role("link", name="waits").click()
    with worker_beside(settings, sessions):
        page.get_by_label("Solver seconds (whole run)").fill("2")
        page.get_by_role("button", name="Run again on a fresh copy").click()
        expect(page.locator("#comparison-table")).to_be_visible(timeout=60_000)
    expect(heading.locator(".badge")).to_have_text("done")
    assert errors == []
