"""The demo's admin finds a webhook delivery that expired under "Failed deliveries" in
the navigation, with its last error; a screenshot of the page."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from envsched.db import create_engine, session_factory
from envsched.models import Delivery, DeliveryChannel, DeliveryStatus
from envsched.settings import Settings
from tests.e2e.conftest import SCREENSHOTS, LiveServer


def an_expired_delivery(database_url: str) -> str:
    engine = create_engine(Settings(database_url=database_url))
    queued_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    row = Delivery(
        uid="5f0c1c52-0d5e-4c86-9a55-2f0f6f3b7a10",
        channel=DeliveryChannel.WEBHOOK,
        target="https://chat.example.test/hooks/envsched",
        event="round.clashes",
        status=DeliveryStatus.EXPIRED,
        created_at=queued_at,
        next_attempt_at=queued_at + dt.timedelta(days=1),
        attempts=11,
        expires_at=queued_at + dt.timedelta(hours=24),
        last_error="HTTP 410",
    )
    with session_factory(engine).begin() as session:
        session.add(row)
    engine.dispose()
    return row.target


def test_the_admin_finds_an_expired_delivery_with_its_error(
    page: Page, live_server: LiveServer
) -> None:
    target = an_expired_delivery(live_server.database_url)
    page.goto(f"{live_server.url}/login")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("demo-admin-2027")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Failed deliveries").click()
    expect(page.get_by_role("heading", name="Failed deliveries")).to_be_visible()
    row = page.locator("table tbody tr").filter(has_text=target)
    expect(row).to_contain_text("expired")
    expect(row).to_contain_text("HTTP 410")
    page.screenshot(path=str(SCREENSHOTS / "admin-failed-deliveries.png"), full_page=True)
