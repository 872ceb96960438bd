"""Check-in, no-shows and team quotas in Chromium, each test on a server of its own over a
fresh demo bank (they change its types, teams and bookings).

Check-in: an environment manager makes UAT bookings need a check-in; a test manager checks
one in from My work; another, never checked in, is released by the worker's job and its
owner is told in the app; the freed days go to the request waiting for them.

Quotas: an admin puts a test manager in a team, an environment manager gives the team a
quota; the test manager asks for more than it; the environment manager sees the quota named
in the approvals queue and approves only with a reason; the use shows on My work and on the
quotas page. Pages are photographed into ``tests/e2e/screenshots/``, at 390 px too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from envsched.booking import approve_request, release_no_shows, request_booking, waitlist_request
from envsched.booking.rulebook.quota import NEEDS_REASON
from envsched.booking.shapes import BookingRequestIn
from envsched.days import days_text
from envsched.db import SessionFactory, create_engine, read_transaction, session_factory
from envsched.models import Booking, EnvironmentType, User
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.servers import copy_demo, serving
from tests.e2e.test_booking_flow import Visit
from tests.e2e.test_my_work_flow import PHONE, phone_shot
from web import create_app

DAY = dt.timedelta(days=1)
CHECKED = "UAT-6"  # tom's booking from today, checked in from My work
MISSED = "UAT-7"  # tom's booking since yesterday, never checked in


@dataclass(frozen=True)
class Served:
    server: LiveServer
    sessions: SessionFactory  # behind the pages: the worker's job and the scene's making
    settings: Settings


@pytest.fixture
def served(tmp_path: Path, demo_template: Path) -> Iterator[Served]:
    settings = Settings(
        database_url=copy_demo(demo_template, tmp_path), secret_key="e2e-secret-key"
    )
    engine = create_engine(settings)
    sessions = session_factory(engine)
    with serving(create_app(settings, engine=engine)) as url:
        yield Served(LiveServer(url, "", "", settings.database_url), sessions, settings)
    engine.dispose()


def user(sessions: SessionFactory, name: str) -> User:
    with read_transaction(sessions) as session:
        return session.exec(select(User).where(User.name == name)).one()


def booked(
    sessions: SessionFactory, who: str, environment: str, start: dt.date, days: int, at: dt.datetime
) -> None:
    """``who`` asks for ``environment`` from ``start`` and eric approves it, both at ``at``."""
    asked = BookingRequestIn(
        type="UAT",
        environments=[environment],
        duration_days=days,
        earliest_start=start,
        justification=f"{who}'s regression run",
    )
    made = request_booking(sessions, asked, actor=user(sessions, who), now=at)
    assert made.id is not None
    eric = user(sessions, "eric")
    approve_request(sessions, made.id, actor=eric, now=at, environment=environment, start=start)


def waiting(sessions: SessionFactory, who: str, environment: str, start: dt.date) -> None:
    """``who`` asks for three days of ``environment``; eric waitlists it (it is taken)."""
    asked = BookingRequestIn(
        type="UAT", environments=[environment], duration_days=3, earliest_start=start
    )
    now = dt.datetime.now(dt.UTC)
    made = request_booking(sessions, asked, actor=user(sessions, who), now=now)
    assert made.id is not None
    waitlist_request(sessions, made.id, actor=user(sessions, "eric"), now=now)


def test_a_booking_checked_in_stays_and_one_never_checked_in_goes_to_the_waitlist(
    browser: Browser, served: Served, screenshots: Path
) -> None:
    server, sessions = served.server, served.sessions
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    eric = Visit(browser.new_page(), server, screenshots, "eric")
    eric.sign_in()
    page = eric.open("/environment-types", "checkin-types")
    page.get_by_role("button", name="Require check-in of UAT bookings").click()
    expect(page.locator(".flash-success")).to_have_text("UAT bookings must now be checked in.")
    uat = page.locator("tr", has=page.get_by_role("rowheader", name="UAT", exact=True))
    expect(uat).to_contain_text("Required")
    eric.shot("checkin-types-required")
    phone_shot(eric, "checkin-types-required")
    eric.assert_clean()
    # as if eric had switched it on three days ago: a booking's check-in deadline counts
    # from then too (docs/design.md), and these bookings were made since
    with sessions.begin() as session:
        uat_type = session.exec(select(EnvironmentType).where(EnvironmentType.name == "UAT"))
        uat_type.one().checkin_since = now - 3 * DAY

    booked(sessions, "tom", CHECKED, today, 5, now)
    booked(sessions, "tom", MISSED, today - DAY, 6, now - 3 * DAY)
    waiting(sessions, "tara", MISSED, today)

    tom = Visit(browser.new_page(), server, screenshots, "tom")
    tom.sign_in()
    page = tom.open("/my", "checkin-my-work")
    mine = page.locator("section[aria-labelledby=bookings-h]")
    checked = mine.locator("tr", has_text=CHECKED)
    expect(checked).to_contain_text("check in by")
    expect(mine.locator("tr", has_text=MISSED)).to_contain_text("check in by")
    phone_shot(tom, "checkin-my-work")
    section_shots(tom, "checkin-my-work", "bookings-h")
    checked.get_by_role("button", name="Check in").click()
    expect(page.locator(".flash-success")).to_contain_text("Checked in: tom's regression run")
    expect(page.locator(".flash-success")).to_contain_text("It stays yours.")
    expect(checked).to_contain_text("checked in")
    expect(checked.get_by_role("button", name="Check in")).to_have_count(0)
    tom.shot("checkin-checked-in")

    released = release_no_shows(sessions, hours=served.settings.checkin_hours, now=now)
    # the one on UAT-7 goes, the checked-in one stays (a demo booking on UAT that began
    # yesterday, as on some days of the week, goes too: never checked in either)
    with read_transaction(sessions) as session:
        places = {session.get_one(Booking, i).environment.name for i in released}
    assert MISSED in places and CHECKED not in places
    page = tom.open("/my", "checkin-no-show")
    expect(mine.locator("tr", has_text=CHECKED)).to_contain_text("checked in")
    expect(mine.locator("tr", has_text=MISSED)).to_have_count(0)
    told = page.locator("section[aria-labelledby=news-h] li", has_text="was released")
    expect(told).to_contain_text(  # by why it was asked for, as every page names it, not
        # by the note its release added
        f"Tom's regression run on {MISSED}, {days_text(today - DAY, today + 5 * DAY)} was "
        "released: it was not checked in in time, and its days went back to the waitlist."
    )
    phone_shot(tom, "checkin-no-show")
    section_shots(tom, "checkin-no-show", "news-h", "bookings-h")
    tom.assert_clean()

    tara = Visit(browser.new_page(), server, screenshots, "tara")
    tara.sign_in()
    page = tara.open("/my", "checkin-offered")
    hers = page.locator("section[aria-labelledby=bookings-h] tr", has_text=MISSED)
    expect(hers).to_have_count(1)
    expect(hers).to_contain_text("tara's UAT booking on UAT-7")  # not "a booking for no phase"
    expect(hers).to_contain_text("check in by")
    expect(page.locator("section[aria-labelledby=requests-h]")).to_contain_text(
        f"offered freed days on {MISSED}"
    )
    section_shots(tara, "checkin-offered", "news-h", "requests-h", "bookings-h")
    tara.assert_clean()


QUOTA = 2  # UAT days a month for team Payments
ASKED = 8  # tom's request: past the quota whatever the day of the month
WHY = "load test before the year-end freeze"


def test_a_request_past_its_teams_quota_is_approved_only_with_a_reason(
    browser: Browser, served: Served, screenshots: Path
) -> None:
    server = served.server
    today = dt.datetime.now(dt.UTC).date()
    admin = Visit(browser.new_page(), server, screenshots, "admin")
    admin.sign_in()
    page = admin.open("/users", "quota-users")
    page.get_by_label("Team name").fill("Payments")
    page.get_by_role("button", name="Add team").click()
    expect(page.locator(".flash-success")).to_have_text("Team Payments is added.")
    page = admin.open("/users/tom", "quota-user-tom")
    page.locator("#team-choice").select_option("Payments")
    page.get_by_role("button", name="Set team").click()
    expect(page.locator(".flash-success")).to_have_text("tom is now in team Payments.")
    admin.assert_clean()

    eric = Visit(browser.new_page(), server, screenshots, "eric")
    eric.sign_in()
    eric.page.get_by_role("navigation", name="Main").get_by_role("link", name="Quotas").click()
    page = eric.page
    page.get_by_label("Team", exact=True).select_option("Payments")
    page.get_by_label("Environment type").select_option("UAT")
    page.get_by_label("Days a month").fill(str(QUOTA))
    page.get_by_role("button", name="Set quota").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Team Payments now has {QUOTA} UAT days a month."
    )
    row = page.locator("tbody tr", has_text="Payments")
    expect(row).to_contain_text(f"0 of {QUOTA}")
    expect(row).to_contain_text(f"{QUOTA} left")
    eric.shot("quota-set")

    tom = Visit(browser.new_page(), server, screenshots, "tom")
    tom.sign_in()
    page = tom.open("/requests/new", "quota-request")
    page.get_by_label("Environment type").select_option("UAT")
    page.get_by_label("Days needed").fill(str(ASKED))
    page.get_by_label("Earliest start", exact=True).fill(today.isoformat())
    page.get_by_label("Why").fill(WHY)
    page.get_by_role("button", name="Submit request").click()
    said = page.locator(".flash-success")
    expect(said).to_contain_text("is submitted for approval.")
    expect(said).to_contain_text(f"Team Payments has used 0 of {QUOTA} UAT days in")
    expect(said).to_contain_text("an environment manager approves it past the quota, or not.")
    tom.shot("quota-requested")
    tom.assert_clean()

    page = eric.open("/approvals?type=UAT", "quota-approvals")
    card = page.locator("article.request", has_text=WHY)
    expect(card.locator(".flash-error")).to_contain_text(
        f"Past the team's quota: Team Payments has used 0 of {QUOTA} UAT days in"
    )
    phone_shot(eric, "quota-approvals")
    eric.page.set_viewport_size(PHONE)
    card.screenshot(path=str(screenshots / "eric-quota-approvals-card-390px.png"))
    eric.page.set_viewport_size({"width": 1366, "height": 768})
    reason = card.get_by_label("Why approve past the quota")
    card.get_by_role("button", name="Approve past the quota").click()
    assert reason.evaluate("field => field.validity.valueMissing")  # the browser asks first
    reason.evaluate("field => field.removeAttribute('required')")  # as if it did not
    card.get_by_role("button", name="Approve past the quota").click()
    refused = page.locator(".flash-error", has_text="tom")
    expect(refused).to_contain_text(f"Team Payments has used 0 of {QUOTA} UAT days in")
    expect(refused).to_contain_text(NEEDS_REASON)
    eric.shot("quota-refused")
    eric.errors.clear()  # the refused approval is an answer, not a fault of the page
    card = page.locator("article.request", has_text=WHY)
    card.get_by_label("Why approve past the quota").fill("the year-end freeze moved forward")
    card.get_by_role("button", name="Approve past the quota").click()
    expect(page.locator(".flash-success")).to_contain_text("approved: UAT-")
    expect(page.locator("article.request", has_text=WHY)).to_have_count(0)
    eric.shot("quota-approved")

    this_month = usage_this_month(today)
    page = eric.open("/quotas", "quota-used")
    row = page.locator("tbody tr", has_text="Payments")
    expect(row).to_contain_text(f"{this_month} of {QUOTA}")
    if this_month > QUOTA:
        expect(row).to_contain_text(f"over by {this_month - QUOTA}")
    phone_shot(eric, "quota-used")
    eric.assert_clean()

    page = tom.open("/my", "quota-my-work")
    mine = page.locator("section[aria-labelledby=quota-h]")
    expect(mine.get_by_role("heading")).to_have_text("Quotas of team Payments this month")
    expect(mine).to_contain_text(f"UAT: {this_month} of {QUOTA} days used in")
    phone_shot(tom, "quota-my-work")
    section_shots(tom, "quota-my-work", "quota-h", "requests-h")
    tom.assert_clean()


def section_shots(visit: Visit, name: str, *headings: str) -> None:
    """Photograph the page's sections with these headings at 390 px, one file each (the
    whole page is too long to read)."""
    visit.page.set_viewport_size(PHONE)
    for heading in headings:
        section = visit.page.locator(f"section[aria-labelledby={heading}]")
        section.screenshot(path=str(visit.shots / f"{visit.who}-{name}-{heading}-390px.png"))
    visit.page.set_viewport_size({"width": 1366, "height": 768})


def usage_this_month(today: dt.date) -> int:
    """Tom's approved days that fall in this month (it starts today: the queue's
    suggestion for a type with free environments)."""
    following = (today.replace(day=28) + 4 * DAY).replace(day=1)
    return min(ASKED, (following - today).days)
