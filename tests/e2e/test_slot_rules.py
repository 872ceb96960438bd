"""A test manager's slot search follows the phase's rules: for a release that may not
start yet, its first phase is offered days from the release's start on, and its second
phase days after the first could be done (plus its gap), with the reason said on the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from envsched.days import day_text
from envsched.db import create_engine, read_transaction, session_factory
from envsched.models import LIVE_STATUSES, Booking, Release, ReleaseStatus
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.test_booking_flow import Visit


@dataclass(frozen=True)
class Waiting:
    """A planned release that may not start yet, with its first two phases unbooked."""

    first: str
    second: str
    starts: dt.date  # the release's earliest start
    second_from: dt.date  # the first day its second phase may start


def waiting_release(server: LiveServer) -> Waiting:
    engine = create_engine(Settings(database_url=server.database_url))
    try:
        with read_transaction(session_factory(engine)) as session:
            booked = set(
                session.exec(
                    select(Booking.phase_id).where(col(Booking.status).in_(LIVE_STATUSES))
                ).all()
            )
            for release in session.exec(
                select(Release)
                .where(Release.status == ReleaseStatus.PLANNED)
                .order_by(col(Release.key))
            ).all():
                phases = list(release.phases)
                if (
                    release.earliest_start
                    and release.earliest_start > dt.date.today()
                    and len(phases) > 1
                    and phases[1].after is None
                    and not {phases[0].id, phases[1].id} & booked
                ):
                    second_from = release.earliest_start + dt.timedelta(
                        days=phases[0].duration_days + phases[1].gap_days
                    )
                    return Waiting(
                        phases[0].key, phases[1].key, release.earliest_start, second_from
                    )
    finally:
        engine.dispose()
    raise AssertionError("the demo bank has no planned release waiting to start")


def offered(page: Page, phase: str) -> list[dict[str, str]]:
    """Choose ``phase`` with today as the earliest start; the slots the form was sent (the
    JSON the page asked for, read as the page read it)."""
    with page.expect_response(
        lambda r: "/requests/slots" in r.url and f"phase={phase}" in r.url
    ) as answer:
        page.get_by_label("Release and phase").select_option(phase)
        page.get_by_label("Earliest start", exact=True).fill(dt.date.today().isoformat())
    slots: list[dict[str, str]] = answer.value.json()["slots"]
    return slots


def first_days(slots: list[dict[str, str]]) -> list[dt.date]:
    return [dt.date.fromisoformat(slot["start"]) for slot in slots]


def test_a_test_managers_slot_search_respects_the_release_start_and_the_order(
    browser: Browser, live_server: LiveServer, screenshots: Path
) -> None:
    release = waiting_release(live_server)
    tom = Visit(browser.new_page(), live_server, screenshots, "tom")
    tom.sign_in()
    page = tom.open("/requests/new", "request-form-rules")
    slots = offered(page, release.first)
    assert slots and min(first_days(slots)) >= release.starts
    status = page.locator("#slots-status")
    expect(status).to_contain_text(f"may start from {day_text(release.starts)}")
    expect(page.locator("#slot-list li.suggested span")).to_have_text(
        f"Suggested: {slots[0]['environment']}, {slots[0]['days']}"
    )
    tom.shot("request-form-first-phase")
    slots = offered(page, release.second)
    assert slots and min(first_days(slots)) >= release.second_from
    expect(status).to_contain_text(f"({release.first} is not booked yet and is done on")
    tom.shot("request-form-second-phase")
    page.get_by_label("Exactly from the earliest start (fixed dates)").check()
    page.get_by_role("button", name="Submit request").click()
    error = page.locator("#earliest_start-error")
    expect(error).to_contain_text(f"{release.second} cannot start before")
    expect(page.get_by_label("Earliest start", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    tom.shot("request-refused-by-the-order")
    tom.errors = [e for e in tom.errors if "409" not in e]  # the refused form itself
    tom.assert_clean()
    tom.page.close()
