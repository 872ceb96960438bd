"""Check-in on the pages: an environment manager makes a type require it; the owner of a
booking of that type checks it in from My work or the booking's page; the API does the
same; a test manager cannot change the type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, BookingStatus, EnvironmentType, RequestStatus, Role
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def own_booking(sessions: SessionFactory, user_of: UserOf, estate: PageWorld) -> Booking:
    """The test manager's approved request, booked on UAT-2 from today for three days."""
    tester = user_of(Role.TEST_MANAGER)
    asked = factories.make_request(
        sessions, tester, type="UAT", duration_days=3, status=RequestStatus.APPROVED
    )
    return factories.make_booking(
        sessions, estate.uat2, start=day(0), end=day(3), request_id=asked.id, note="regression"
    )


def checkin_required(sessions: SessionFactory, name: str) -> bool:
    with read_transaction(sessions) as session:
        return (
            session.exec(select(EnvironmentType).where(EnvironmentType.name == name))
            .one()
            .checkin_required
        )


def test_a_manager_requires_check_in_and_the_owner_checks_in_from_my_work(
    app: Flask, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    booking = own_booking(sessions, user_of, estate)
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    assert "Not required" in page(manager, "/environment-types")
    response = manager.post(
        "/environment-types/UAT/checkin",
        data={"csrf_token": csrf_token(manager, "/environment-types"), "checkin_required": "on"},
    )
    assert response.status_code == 302
    assert "UAT bookings must now be checked in." in page(manager, "/environment-types")
    assert checkin_required(sessions, "UAT")

    owner = app.test_client()
    login(owner, Role.TEST_MANAGER)
    html = page(owner, "/my")
    bookings = html.split('id="bookings-h"', 1)[1].split("</section>", 1)[0]
    assert "check in by 5 Jan 2027, 09:00 UTC" in bookings  # 24 hours from its making
    assert 'aria-label="Check in regression on UAT-2, 4–6 Jan 2027"' in bookings
    response = owner.post(
        f"/bookings/{booking.id}/checkin",
        data={"csrf_token": csrf_token(owner, "/my"), "next": "/my"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my"
    html = page(owner, "/my")
    assert "Checked in: regression on UAT-2, 4–6 Jan 2027. It stays yours." in html
    assert "checked in" in html.split('id="bookings-h"', 1)[1].split("</section>", 1)[0]
    assert f"Checked in on 4 Jan 2027, {NOW:%H:%M} UTC." in page(owner, f"/bookings/{booking.id}")


def test_the_booking_page_offers_check_in_only_to_its_owner(
    app: Flask, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    booking = own_booking(sessions, user_of, estate)
    with sessions.begin() as session:
        found = session.exec(select(EnvironmentType).where(EnvironmentType.name == "UAT")).one()
        found.checkin_required = True
    owner, other = app.test_client(), app.test_client()
    login(owner, Role.TEST_MANAGER)
    login(other, Role.TEST_MANAGER, "tina")
    assert ">Check in</button>" in page(owner, f"/bookings/{booking.id}")
    theirs = page(other, f"/bookings/{booking.id}")
    assert ">Check in</button>" not in theirs and "check in by" in theirs
    response = other.post(
        f"/bookings/{booking.id}/checkin",
        data={"csrf_token": csrf_token(other, f"/bookings/{booking.id}")},
    )
    assert response.status_code == 302
    refused = page(other, f"/bookings/{booking.id}")  # in words, not the permission's code
    assert "check in other people&#39;s bookings" in refused and "checkin-others" not in refused


def test_the_api_checks_in_and_sets_check_in_on_a_type(
    app: Flask,
    estate: PageWorld,
    sessions: SessionFactory,
    user_of: UserOf,
    token_headers: Callable[..., dict[str, str]],
) -> None:
    booking = own_booking(sessions, user_of, estate)
    client = app.test_client()
    tester = token_headers(Role.TEST_MANAGER)
    refused = client.patch(
        "/api/v1/environment-types/UAT", json={"checkin_required": True}, headers=tester
    )
    assert refused.status_code == 403
    manager = token_headers(Role.ENVIRONMENT_MANAGER)
    bad = client.patch(
        "/api/v1/environment-types/UAT", json={"checkin_required": "yes"}, headers=manager
    )
    assert bad.status_code == 400 and "checkin_required" in bad.get_json()["error"]["fields"]
    done = client.patch(
        "/api/v1/environment-types/UAT", json={"checkin_required": True}, headers=manager
    )
    assert done.status_code == 200 and done.get_json()["checkin_required"] is True
    checked = client.post(f"/api/v1/bookings/{booking.id}/checkin", headers=tester)
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json()["checked_in_at"].startswith("2027-01-04T")


def test_a_tentative_booking_says_it_needs_no_check_in_and_the_api_refuses_one(
    app: Flask,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    user_of: UserOf,
    token_headers: Callable[..., dict[str, str]],
) -> None:
    booking = own_booking(sessions, user_of, estate)
    with sessions.begin() as session:
        session.get_one(Booking, booking.id).status = BookingStatus.TENTATIVE
        found = session.exec(select(EnvironmentType).where(EnvironmentType.name == "UAT")).one()
        found.checkin_required = True
    owner = app.test_client()
    login(owner, Role.TEST_MANAGER)
    html = page(owner, f"/bookings/{booking.id}")
    section = html.split('id="checkin-h"', 1)[1].split("</section>", 1)[0]
    assert "Tentative: pencilled in, not promised, so it needs no check-in" in section
    assert ">Check in</button>" not in section
    mine = page(owner, "/my").split('id="bookings-h"', 1)[1].split("</section>", 1)[0]
    assert "regression on UAT-2" in mine and "Check in" not in mine
    refused = app.test_client().post(
        f"/api/v1/bookings/{booking.id}/checkin", headers=token_headers(Role.TEST_MANAGER)
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["message"] == (
        "regression on UAT-2 (4–6 Jan 2027) is tentative: it is never released for want of "
        "a check-in, so it needs none"
    )


def test_an_overdue_booking_offers_a_late_check_in_and_says_it_was_late(
    app: Flask, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    tester = user_of(Role.TEST_MANAGER)
    asked = factories.make_request(
        sessions, tester, type="UAT", duration_days=3, status=RequestStatus.APPROVED
    )
    made = NOW - dt.timedelta(days=7)
    booking = factories.make_booking(
        sessions, estate.uat2, start=day(-1), end=day(2), request_id=asked.id, created_at=made
    )
    with sessions.begin() as session:
        found = session.exec(select(EnvironmentType).where(EnvironmentType.name == "UAT")).one()
        found.checkin_required = True  # on since before it was recorded: due 4 Jan, 00:00
    owner = app.test_client()
    login(owner, Role.TEST_MANAGER)
    before = page(owner, f"/bookings/{booking.id}")  # the worker has not run yet
    assert "The check-in deadline, 4 Jan 2027, 00:00 UTC, has passed" in before
    assert ">Check in late</button>" in before
    owner.post(
        f"/bookings/{booking.id}/checkin",
        data={"csrf_token": csrf_token(owner, f"/bookings/{booking.id}")},
    )
    after = page(owner, f"/bookings/{booking.id}")
    assert "late, after the deadline of 4 Jan 2027, 00:00 UTC" in after


def test_a_booking_checked_in_today_is_handed_back_after_today_and_not_cancelled(
    app: Flask, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    booking = own_booking(sessions, user_of, estate)
    owner = app.test_client()
    login(owner, Role.TEST_MANAGER)
    path = f"/bookings/{booking.id}"
    owner.post(f"{path}/checkin", data={"csrf_token": csrf_token(owner, path), "next": path})
    html = page(owner, path)
    assert "Hand back after today" in html and "Cancel booking" not in html
    assert (
        "The booking ends today, 4 Jan 2027: you keep today, and the days from 5 Jan 2027 "
        "to 6 Jan 2027 go back to the waitlist."
    ) in html
    refused = owner.post(f"{path}/cancel", data={"csrf_token": csrf_token(owner, path)})
    assert "under way since 4 Jan 2027; hand it back instead" in page(owner, refused.location)
    response = owner.post(
        f"{path}/release", data={"csrf_token": csrf_token(owner, path), "next": path}
    )
    assert response.status_code == 302
    with read_transaction(sessions) as session:
        kept = session.get_one(Booking, booking.id)
    assert (kept.status, kept.start, kept.end) == (BookingStatus.RELEASED, day(0), day(1))
    assert "Handed back after today: regression on UAT-2" in page(owner, path)
