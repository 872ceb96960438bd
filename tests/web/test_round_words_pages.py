"""A planning round's page on the demo bank, in the words of the other pages: why each
booking moves (its own days, not the planner's; no "pinned", no ISO dates), one count of
moved bookings everywhere, late releases said once, rounds named by what and when."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.days import day_text, days_text
from envsched.db import SessionFactory
from envsched.demo import load_demo
from envsched.models import Booking, Phase, PlanRun, PlanTrigger, Release
from envsched.planning.rounds.replan import replan
from tests.e2e.test_phone_and_words import RAW
from tests.envsched.factories import diff_of
from tests.web.helpers import csrf_token

TODAY = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # a December night: two releases late
ISO = re.compile(r"\d{4}-\d\d-\d\d")


@pytest.fixture
def round_page(client: FlaskClient, sessions: SessionFactory) -> tuple[PlanRun, str]:
    load_demo(sessions, TODAY)
    run = replan(sessions, trigger=PlanTrigger.SCHEDULED, now=TODAY, time_limit=20.0)
    login = {"name": "eric", "password": "demo-envman-2027", "csrf_token": csrf_token(client)}
    assert client.post("/login", data=login).status_code == 302
    response = client.get(f"/plan-runs/{run.id}")
    assert response.status_code == 200
    return run, html.unescape(response.get_data(as_text=True))


def section(page: str, heading: str) -> str:
    """The text of a page from ``<h3>heading</h3>`` to the next heading, without tags
    (a span, such as one that keeps a key whole, is inline: it leaves no space)."""
    start = page.index(f">{heading}</h3>")
    end = re.compile(r"<h[23][ >]").search(page, start + len(heading) + 6)
    inline = re.sub(r"</?span[^>]*>", "", page[start : end.start() if end else None])
    return re.sub(r"<[^>]+>", " ", inline)


def test_a_move_says_why_from_the_booking_and_its_phase_in_dates_in_words(
    round_page: tuple[PlanRun, str], sessions: SessionFactory
) -> None:
    _run, page = round_page
    with sessions() as session:
        phase = session.exec(select(Phase).where(Phase.key == "MOB-4.2-SIT")).one()
        booking = session.exec(select(Booking).where(Booking.phase_id == phase.id)).one()
        release = session.get(Release, phase.release_id)
        assert release is not None and release.earliest_start is not None
        where = f"{booking.environment.name}, {days_text(booking.start, booking.end)}"
        first = release.earliest_start
    moved = section(page, "Moved bookings")
    assert (
        f"Where it is ({where}) it starts before {day_text(first)}, the first day MOB-4.2 may start"
    ) in moved
    assert "MOB-4.2-SIT (booked " in moved  # the UAT that waits for it names its days
    assert not ISO.search(moved) and "pinned" not in moved


def test_the_moved_bookings_are_counted_once_with_plain_plurals(
    round_page: tuple[PlanRun, str],
) -> None:
    run, page = round_page
    moved = len(diff_of(run).moved)
    assert moved == 3 and run.metrics["moved_bookings"] == moved  # a stray counts too
    assert re.search(rf'<span class="big">{moved}</span>Bookings moved', page)
    assert f"Moving {moved} tentative bookings mends {moved} that break a rule" in page
    assert "(s)" not in page


def test_late_releases_are_said_once_in_words(round_page: tuple[PlanRun, str]) -> None:
    _run, page = round_page
    late = section(page, "Late releases")
    assert "CBS-6.1: 5 days late: its phases need" in late
    assert "late by" not in late and "'" not in late and not ISO.search(late)
    assert "(unavailable: under maintenance)" in late  # CRM-7.1's staging was away


def test_a_round_is_named_by_what_and_when_and_its_page_shows_nothing_raw(
    round_page: tuple[PlanRun, str], client: FlaskClient
) -> None:
    _run, page = round_page
    assert "<h1>Nightly re-plan of 3 Dec 2026, 02:00 " in page
    shown = re.sub(r"<details.*?</details>", "", page.split("<main", 1)[1], flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", shown)  # the planner's own figures one click away aside
    assert not RAW.search(text), RAW.search(text)
    listing = client.get("/plan-runs").get_data(as_text=True)
    assert ">Nightly re-plan of 3 Dec 2026, 02:00</a>" in listing and "Run 1" not in listing
