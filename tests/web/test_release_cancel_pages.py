"""Cancelling a release on its lifecycle page: the button warns what it gives back (counted
on the server, asked by app.js from data-confirm) and the flash says what it gave back."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.models import Booking, BookingRequest, Role
from tests.envsched import factories
from tests.web.helpers import csrf_token
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]
PAGE = "/releases/R1/lifecycle"


def cancel_question(client: FlaskClient) -> str:
    """The data-confirm question of the page's cancel button."""
    page = client.get(PAGE).get_data(as_text=True)
    found = re.search(r'<button[^>]*value="cancelled"[^>]*data-confirm="([^"]*)"', page)
    assert found, "no cancel button asking first"
    return html.unescape(found.group(1))


def hold_more(sessions: SessionFactory, estate: PageWorld) -> None:
    """Beside the estate's SIT booking from today and its open UAT request, R1 gets a running
    UAT booking and one already over (which cancelling leaves alone)."""
    factories.make_booking(
        sessions,
        estate.uat2,
        phase_id=estate.uat_phase.id,
        start=day(-2),
        end=day(3),
        note="running",
    )
    earlier = factories.make_phase(sessions, estate.release, key="R1-SMOKE", type="UAT")
    factories.make_booking(
        sessions,
        estate.uat2,
        phase_id=earlier.id,  # one live booking a phase
        start=day(-9),
        end=day(-4),
        note="over",
    )


def statuses(sessions: SessionFactory) -> dict[str, str]:
    with sessions() as session:
        bookings = session.exec(select(Booking).where(col(Booking.phase_id).is_not(None))).all()
        requests = session.exec(select(BookingRequest)).all()
        return {f"booking from {b.start}": b.status.value for b in bookings} | {
            f"request {r.id}": r.status.value for r in requests
        }


def test_the_cancel_button_counts_what_cancelling_gives_back(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    hold_more(sessions, estate)
    login(client, Role.RELEASE_MANAGER)
    assert cancel_question(client) == (
        "Cancel R1? This also cancels 1 open booking request and 1 booking not started "
        "yet, and releases 1 running booking from today."
    )
    assert statuses(sessions)[f"request {estate.request.id}"] == "requested"  # only asked


def test_cancelling_says_what_it_cancelled_and_released(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    hold_more(sessions, estate)
    login(client, Role.RELEASE_MANAGER)
    response = client.post(
        f"{PAGE}/step",
        data={"csrf_token": csrf_token(client, "/"), "status": "cancelled", "reason": "descoped"},
    )
    assert response.status_code == 302
    page = html.unescape(client.get(PAGE).get_data(as_text=True))
    assert (
        "R1 is cancelled: 1 open booking request cancelled, 1 booking cancelled, "
        "1 running booking released from today."
    ) in page
    assert statuses(sessions) == {
        f"booking from {day(0)}": "cancelled",  # not started
        f"booking from {day(-2)}": "released",  # running
        f"booking from {day(-9)}": "confirmed",  # over: kept
        f"request {estate.request.id}": "cancelled",
    }
    assert 'value="cancelled"' not in page  # nothing further to cancel


def test_a_release_holding_nothing_says_so_before_and_after(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_release(sessions, key="R2", title="Empty")
    login(client, Role.RELEASE_MANAGER)
    page = client.get("/releases/R2/lifecycle").get_data(as_text=True)
    assert 'data-confirm="Cancel R2? It has no open booking requests or live bookings."' in page
    client.post(
        "/releases/R2/lifecycle/step",
        data={"csrf_token": csrf_token(client, "/"), "status": "cancelled"},
    )
    assert (
        "R2 is cancelled: 0 open booking requests cancelled, 0 bookings cancelled, "
        "0 running bookings released from today."
    ) in html.unescape(client.get("/releases/R2/lifecycle").get_data(as_text=True))


def test_other_steps_ask_nothing_first(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.RELEASE_MANAGER)
    page = client.get(PAGE).get_data(as_text=True)
    assert re.search(r'<button[^>]*value="in_test"[^>]*>', page)
    assert not re.search(r'<button[^>]*value="in_test"[^>]*data-confirm', page)
