"""An environment manager gives an environment a health URL in Chromium (a bad one first,
named next to its field), then watches it through the worker's probes of a real local
server: up, down (503) and flagged, then up again; the timeline's lane of the environment
carries the "down" badge meanwhile, and the page reads at 390 px without scrolling
sideways and with no serious axe-core problem. Screenshots: ``tests/e2e/screenshots/``
``eric-health-*.png``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, delete

from envsched.db import SessionFactory, create_engine, session_factory
from envsched.health import (
    CHECK_CHANGED_EVENT,
    DOWN_EVENT,
    UP_EVENT,
    probe_environments,
    set_health_url,
)
from envsched.models import Delivery, HealthChange, Notification
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import axe_problems
from tests.e2e.test_booking_flow import Visit
from tests.e2e.test_phone_and_words import MEASURE, PHONE
from tests.envsched.health_server import HealthServer

NAME = "SIT-1"
PROBING = Settings(health_timeout_seconds=2, health_down_minutes=15)


@pytest.fixture
def behind(live_server: LiveServer) -> Iterator[SessionFactory]:
    """The live server's database, for the worker's probe job; the health URL, its
    history and what the outage told are taken off again afterwards, so other browser
    tests meet the demo as it was."""
    engine = create_engine(Settings(database_url=live_server.database_url))
    sessions = session_factory(engine)
    yield sessions
    set_health_url(sessions, NAME, "", actor=None, now=dt.datetime.now(dt.UTC), settings=PROBING)
    with sessions.begin() as session:
        told = (DOWN_EVENT, UP_EVENT, CHECK_CHANGED_EVENT)
        session.exec(delete(Notification).where(col(Notification.event).in_(told)))
        session.exec(delete(Delivery).where(col(Delivery.event).in_(told)))
        session.exec(delete(HealthChange))
    engine.dispose()


def probe_after(sessions: SessionFactory, minutes: int) -> None:
    """The worker's job, as if run ``minutes`` from now."""
    at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    probe_environments(sessions, PROBING, lambda: at)


def test_a_manager_sets_a_health_url_and_sees_the_environment_go_down_and_up(
    browser: Browser,
    live_server: LiveServer,
    screenshots: Path,
    behind: SessionFactory,
    health_server: HealthServer,
) -> None:
    eric = Visit(browser.new_page(), live_server, screenshots, "eric")
    eric.sign_in()
    page = eric.open(f"/environments/{NAME}", "health-none")
    expect(page.locator("#health-h")).to_have_text("Health")
    field = page.get_by_label("Health check URL")
    field.fill("ftp://sit-1.example.test/health")
    page.get_by_role("button", name="Save health URL").click()
    expect(page.locator("#health-url-error")).to_have_text(
        "Error: 'ftp://sit-1.example.test/health' is not an http:// or https:// URL"
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    eric.shot("health-bad-url")
    eric.errors.clear()  # the refused form answered 400, as it should

    page.get_by_label("Health check URL").fill(health_server.url)
    page.get_by_role("button", name="Save health URL").click()
    expect(page.locator("#health-now")).to_contain_text(f"The worker checks {NAME}")

    probe_after(behind, 0)
    health_server.status = 503
    probe_after(behind, 1)
    probe_after(behind, 20)  # down longer than 15 minutes: flagged
    page.reload()
    expect(page.locator("#health-now .health-badge")).to_have_text("Down")
    expect(page.locator("#health-now")).to_contain_text(f"{NAME} has been down since")
    expect(page.locator("#health-now")).to_contain_text("(HTTP 503 Service Unavailable)")
    expect(page.locator(".health-flag")).to_contain_text("Flagged: down longer than 15 minutes")
    expect(page.locator(".health-history tbody tr")).to_have_count(2)
    page.locator("#health-h").scroll_into_view_if_needed()
    eric.shot("health-down")
    assert axe_problems(page) == []
    check_phone(page, screenshots, "health-down")

    timeline = eric.open("/timeline", "health-timeline-down")
    expect(timeline.locator(".vis-label.health-down .lane-down").first).to_have_text("down")
    expect(timeline.locator("#timeline-down")).to_contain_text(NAME)
    expect(timeline.locator("#timeline-down")).to_contain_text("Its lane carries")
    news = eric.open("/notifications", "health-notifications-down")  # the manager is told
    expect(news.get_by_role("link", name=f"{NAME} has been down since")).to_have_attribute(
        "href", f"/environments/{NAME}#health-h"
    )

    health_server.status = 200
    probe_after(behind, 30)
    page = eric.open(f"/environments/{NAME}", "health-up")
    expect(page.locator("#health-now .health-badge")).to_have_text("Up")
    expect(page.locator(".health-flag")).to_have_count(0)
    expect(page.locator(".health-history tbody tr").first).to_contain_text("until now")
    check_phone(page, screenshots, "health-up")
    eric.assert_clean()


def check_phone(page: Page, screenshots: Path, name: str) -> None:
    """At 390 px the page does not scroll sideways; photographed there."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.reload()
    seen = page.evaluate(MEASURE)
    assert seen["scroll"] <= seen["client"], f"{seen['scroll']} px wide in {seen['client']}"
    page.screenshot(path=str(screenshots / f"eric-{name}-phone.png"), full_page=True)
    page.locator("section.health").screenshot(
        path=str(screenshots / f"eric-{name}-phone-section.png")
    )
    assert size is not None
    page.set_viewport_size(size)
