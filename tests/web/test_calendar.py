"""iCalendar feeds per environment and per release, opened with a per-user feed token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlmodel import col, update

from envsched.db import SessionFactory
from envsched.models import BookingStatus, Role, User
from tests.envsched import factories
from tests.web.api_world import Caller, D, World
from web.calendar import feed_token


def _token(app: Flask, user: User) -> str:
    with app.test_request_context():
        return feed_token(user)


def _events(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_an_environment_feed_has_its_bookings_as_all_day_events(
    app: Flask, client: FlaskClient, world: World
) -> None:
    token = _token(app, world.tester)
    events = _events(client.get(f"/calendar/environments/UAT-2.ics?token={token}"))
    event = events[f"booking-{world.booking.id}@envsched"]
    # DTEND is exclusive in iCalendar, as our end is: the same dates go out unchanged
    assert (event["dtstart"].dt, event["dtend"].dt) == (D("2027-02-01"), D("2027-02-06"))
    assert not isinstance(event["dtstart"].dt, dt.datetime)  # all-day: dates, not times
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]).startswith("UAT-2:")
    assert list(events) == [f"booking-{world.booking.id}@envsched"]


def test_an_environment_feed_shows_maintenance_and_leaves_out_cancelled_bookings(
    app: Flask, client: FlaskClient, world: World, sessions: SessionFactory
) -> None:
    cancelled = factories.make_booking(
        sessions,
        world.uat1,
        start=D("2027-03-01"),
        end=D("2027-03-03"),
        status=BookingStatus.CANCELLED,
    )
    tentative = factories.make_booking(
        sessions,
        world.uat1,
        start=D("2027-04-01"),
        end=D("2027-04-03"),
        status=BookingStatus.TENTATIVE,
        phase_id=world.uat_phase.id,
    )
    token = _token(app, world.tester)
    events = _events(client.get(f"/calendar/environments/UAT-1.ics?token={token}"))
    assert f"booking-{cancelled.id}@envsched" not in events
    assert str(events[f"booking-{tentative.id}@envsched"]["status"]) == "TENTATIVE"
    assert str(events[f"booking-{tentative.id}@envsched"]["summary"]) == "UAT-1: R1-UAT (R1)"
    window = events[f"maintenance-{world.window.id}@envsched"]
    assert (window["dtstart"].dt, window["dtend"].dt) == (D("2027-06-10"), D("2027-06-12"))


def test_a_release_feed_has_the_bookings_of_its_phases_only(
    app: Flask, client: FlaskClient, world: World, sessions: SessionFactory
) -> None:
    mine = factories.make_booking(
        sessions,
        world.uat1,
        start=D("2027-03-01"),
        end=D("2027-03-06"),
        phase_id=world.uat_phase.id,
    )
    token = _token(app, world.tester)
    events = _events(client.get(f"/calendar/releases/R1.ics?token={token}"))
    assert list(events) == [f"booking-{mine.id}@envsched"]  # not the UAT-2 booking


def test_a_booking_approved_through_the_api_appears_in_the_feed(
    app: Flask, client: FlaskClient, call: Caller, world: World
) -> None:
    booking = call(
        Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/requests/{world.request.id}/approve", {}
    ).get_json()
    feeds = call(Role.TEST_MANAGER, "GET", "/api/v1/me/feeds").get_json()
    url = feeds["environment"].format(name=booking["environment"]).removeprefix("http://localhost")
    event = _events(client.get(url))[f"booking-{booking['id']}@envsched"]
    assert (event["dtstart"].dt.isoformat(), event["dtend"].dt.isoformat()) == (
        booking["start"],
        booking["end"],
    )


def test_a_feed_without_the_right_token_is_401(
    app: Flask, client: FlaskClient, world: World
) -> None:
    token = _token(app, world.tester)
    user_id, _, signature = token.partition(".")
    for bad in ("", "nonsense", f"{int(user_id) + 1}.{signature}", f"{user_id}.{'0' * 32}"):
        response = client.get(f"/calendar/environments/UAT-1.ics?token={bad}")
        assert response.status_code == 401, bad


def test_a_token_stops_working_when_its_user_is_deactivated(
    app: Flask, client: FlaskClient, world: World, sessions: SessionFactory
) -> None:
    token = _token(app, world.tester)
    with sessions.begin() as session:
        session.exec(update(User).where(col(User.id) == world.tester.id).values(active=False))
    assert client.get(f"/calendar/releases/R1.ics?token={token}").status_code == 401


def test_tokens_differ_per_user_and_per_secret_key(app: Flask, world: World, user_of: Any) -> None:
    viewer = user_of(Role.VIEWER)
    first = _token(app, world.tester)
    assert first != _token(app, viewer)
    app.config["SECRET_KEY"] = "another-key"
    assert first != _token(app, world.tester)


def test_an_unknown_environment_or_release_is_404(
    app: Flask, client: FlaskClient, world: World
) -> None:
    token = _token(app, world.tester)
    assert client.get(f"/calendar/environments/NOPE.ics?token={token}").status_code == 404
    assert client.get(f"/calendar/releases/R9.ics?token={token}").status_code == 404
