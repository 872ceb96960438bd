"""My work, notifications and the header's search, as each role sees them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envsched.booking import BookingIn, move
from envsched.booking.bookings import approve_request, book_direct, start_booking
from envsched.booking.giveback import release_early
from envsched.db import SessionFactory
from envsched.errors import BookingConflict
from envsched.models import Booking, Role
from envsched.notify import inbox
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld
from web.ui.forms import clash_lines

Login = Callable[..., object]
UNREAD = '<span class="count">{}<span class="visually-hidden"> unread</span></span>'


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def approve(sessions: SessionFactory, user_of: UserOf, estate: PageWorld) -> Booking:
    """The environment manager approves the estate's request to UAT-1 (9–11 Jan 2027)."""
    return approve_request(
        sessions,
        estate.request.id or 0,
        now=NOW,
        environment="UAT-1",
        actor=user_of(Role.ENVIRONMENT_MANAGER, "eric"),
    )


def long_over(sessions: SessionFactory, user_of: UserOf) -> int:
    """The test manager's request for 3 days of UAT from 1 Dec 2026 ("soak test"),
    approved by eric to UAT-2, used from 1 Dec and handed back after 2 Dec: long over."""
    eric = user_of(Role.ENVIRONMENT_MANAGER, "eric")
    then = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    asked = factories.make_request(
        sessions,
        user_of(Role.TEST_MANAGER),
        duration_days=3,
        earliest_start=dt.date(2026, 12, 1),
        justification="soak test",
        created_at=then,
    )
    booked = approve_request(sessions, asked.id or 0, now=then, environment="UAT-2", actor=eric)
    start_booking(sessions, booked.id or 0, actor=eric, now=then + dt.timedelta(days=1))
    release_early(sessions, booked.id or 0, actor=eric, now=then + dt.timedelta(days=2))
    return asked.id or 0


@pytest.mark.parametrize("role", list(Role))
def test_every_role_finds_my_work_in_the_navigation(
    client: FlaskClient, login: Login, estate: PageWorld, role: Role
) -> None:
    login(client, role)
    nav = page(client, "/").split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert 'href="/my"' in nav
    assert "<h1>My work</h1>" in page(client, "/my")


def test_a_test_manager_finds_their_request_and_booking_and_withdraws_the_request(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    approve(sessions, user_of, estate)
    login(client, Role.TEST_MANAGER)
    html = page(client, "/my")
    requests = html.split('id="requests-h"', 1)[1].split("</section>", 1)[0]
    assert "R1-UAT</a>" in requests and "approved" in requests
    bookings = html.split('id="bookings-h"', 1)[1].split("</section>", 1)[0]
    assert "R1-UAT on UAT-1, 9–11 Jan 2027</a>" in bookings
    assert 'aria-label="Cancel R1-UAT on UAT-1, 9–11 Jan 2027"' in bookings
    assert "Your request for R1-UAT was approved by eric: UAT-1, 9–11 Jan 2027." in html
    response = client.post(
        f"/requests/{estate.request.id}/cancel",
        data={"csrf_token": csrf_token(client, "/my"), "next": "/my"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my"
    html = page(client, "/my")
    assert "Request withdrawn: R1-UAT for test_manager." in html
    assert "No booking of yours is live." in html and "cancelled" in html


def test_a_request_whose_booking_is_long_over_offers_no_withdraw_and_refuses_one(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    user_of: UserOf,
    token_headers: Callable[..., dict[str, str]],
) -> None:
    over = long_over(sessions, user_of)
    login(client, Role.TEST_MANAGER)
    requests = page(client, "/my").split('id="requests-h"', 1)[1].split("</section>", 1)[0]
    assert 'aria-label="Withdraw R1-UAT"' in requests  # the open one still may be
    assert "Withdraw 3 days of UAT" not in requests
    assert "Withdraw this request" not in page(client, f"/requests/{over}")
    refusal = (
        "soak test on UAT-2 (1–2 Dec 2026) is released; only a pending request, "
        "or an approved one whose booking has not started, can be withdrawn"
    )
    client.post(
        f"/requests/{over}/cancel",
        data={"csrf_token": csrf_token(client, "/my"), "next": "/my"},
    )
    mine = page(client, "/my")
    assert refusal in mine
    answer = client.post(
        f"/api/v1/requests/{over}/cancel", headers=token_headers(Role.TEST_MANAGER)
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == refusal
    shown = client.get(f"/api/v1/requests/{over}").get_json()
    assert shown["status"] == "approved"


def test_only_who_decides_requests_sees_them_waiting(
    client: FlaskClient, login: Login, estate: PageWorld, app: Flask
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    html = page(client, "/my")
    waiting = html.split('id="decide-h"', 1)[1].split("</section>", 1)[0]
    assert "1 open request" in waiting and "R1-UAT for test_manager" in waiting
    tester = app.test_client()
    login(tester, Role.TEST_MANAGER)
    assert 'id="decide-h"' not in page(tester, "/my")


def test_the_gates_due_for_sign_off_are_those_of_the_role_that_signs_them(
    client: FlaskClient, login: Login, estate: PageWorld, app: Flask
) -> None:
    login(client, Role.TEST_MANAGER)  # R1-SIT's booking starts today: its entry gate is due
    gates = page(client, "/my").split('id="gates-h"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/gates?release=R1">R1-SIT entry gate</a>' in gates
    releaser = app.test_client()
    login(releaser, Role.RELEASE_MANAGER)
    assert "No gate waits for your sign-off now." in page(releaser, "/my")


def test_an_approval_shows_in_the_header_count_until_it_is_marked_read(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    login(client, Role.TEST_MANAGER)
    assert 'class="count"' not in page(client, "/")
    approve(sessions, user_of, estate)
    assert UNREAD.format(1) in page(client, "/")
    html = page(client, "/notifications")
    assert (  # keys and days kept whole on a phone
        f'<a href="/requests/{estate.request.id}">Your request for '
        "R1-UAT was approved by eric: "
        '<span class="nowrap">UAT-1</span>, <span class="nowrap">9–11 Jan 2027</span>.</a>'
    ) in html
    client.post("/notifications/read", data={"csrf_token": csrf_token(client, "/")})
    html = page(client, "/notifications")
    assert "1 notification marked read." in html and 'class="count"' not in html


def test_one_notification_is_marked_read_by_its_owner_only(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    user_of: UserOf,
    app: Flask,
) -> None:
    approve(sessions, user_of, estate)
    [told] = inbox.notifications(sessions, user_of(Role.TEST_MANAGER))
    login(client, Role.VIEWER)
    client.post(f"/notifications/{told.id}/read", data={"csrf_token": csrf_token(client, "/")})
    assert "That notification is not yours" in page(client, "/notifications")
    owner = app.test_client()
    login(owner, Role.TEST_MANAGER)
    assert UNREAD.format(1) in page(owner, "/")
    forged = owner.post("/notifications/read")  # no CSRF token
    assert forged.status_code == 400 and UNREAD.format(1) in page(owner, "/")


def test_the_header_search_finds_a_release_by_its_key(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    html = page(client, "/search?q=r1")
    assert '<a href="/releases/R1">R1</a>' in html
    assert '<a href="/releases/R1">R1-UAT</a>' in html  # its phases, on their release's page
    assert 'value="r1"' in html.split('class="header-search"', 1)[1].split("</form>", 1)[0]


def test_the_search_finds_environments_and_bookings_by_name(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    html = page(client, "/search?q=SIT-1")
    assert '<a href="/environments/SIT-1">SIT-1</a>' in html
    assert "R1-SIT on SIT-1, 4–8 Jan 2027</a>" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("?q=x", "type at least 2 characters", id="too-short"),
        pytest.param("?q=" + "x" * 101, "at most 100 characters", id="too-long"),
    ],
)
def test_a_search_for_too_little_or_too_much_says_so_at_the_box(
    client: FlaskClient, login: Login, estate: PageWorld, query: str, message: str
) -> None:
    login(client, Role.VIEWER)
    html = page(client, f"/search{query}", 400)
    assert f'<span class="visually-hidden">Error: </span>{message}' in html


def soak_test(sessions: SessionFactory, user_of: UserOf) -> Booking:
    """The test manager's request for 3 days of UAT from 20 Jan 2027 for no phase ("soak
    test"), approved by eric to UAT-2: a booking with no note, known by why it was asked."""
    asked = factories.make_request(
        sessions,
        user_of(Role.TEST_MANAGER),
        duration_days=3,
        earliest_start=dt.date(2027, 1, 20),
        justification="soak test\nwith the nightly batch",
    )
    eric = user_of(Role.ENVIRONMENT_MANAGER, "eric")
    return approve_request(sessions, asked.id or 0, now=NOW, environment="UAT-2", actor=eric)


def test_a_booking_for_no_phase_is_named_alike_in_notifications_search_and_refusals(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    soak = soak_test(sessions, user_of)
    eric = user_of(Role.ENVIRONMENT_MANAGER, "eric")
    move.move_booking(
        sessions, soak.id or 0, environment="UAT-1", start=dt.date(2027, 1, 25), actor=eric, now=NOW
    )
    told = [n.text for n in inbox.notifications(sessions, user_of(Role.TEST_MANAGER))]
    assert any(t.startswith("Soak test moved from UAT-2, 20–22 Jan 2027 to UAT-1") for t in told)
    login(client, Role.TEST_MANAGER)
    mine = page(client, "/my").split('id="bookings-h"', 1)[1].split("</section>", 1)[0]
    assert "soak test on UAT-1, 25–27 Jan 2027</a>" in mine  # as My work names it
    found = page(client, "/search?q=soak")  # by what it serves, as it is named
    assert "soak test on UAT-1, 25–27 Jan 2027</a>" in found
    found = page(client, "/search?q=smoke")  # the estate's booking by its note
    assert "smoke tests on UAT-1, 4–7 Jan 2027</a>" in found
    with pytest.raises(BookingConflict) as refused:
        book_direct(
            sessions,
            BookingIn(environment="UAT-1", start=dt.date(2027, 1, 26), end=dt.date(2027, 1, 28)),
            actor=eric,
            now=NOW,
        )
    assert clash_lines(refused.value) == ["soak test on UAT-1, 25–27 Jan 2027 (confirmed)"]


def test_an_empty_search_shows_the_box(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    html = page(client, "/search")
    assert 'id="search-q"' in html and "found for" not in html
