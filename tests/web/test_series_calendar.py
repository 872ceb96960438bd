"""A booking series in the iCalendar feed (issue 16): one recurring event with the
series' RRULE, EXDATE for the refused and cancelled runs, and an override with
RECURRENCE-ID for a run moved to other days; read back with the icalendar library."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from envsched.booking import series_days
from envsched.models import Repeat, Role
from tests.web.api_world import Caller, D, World
from tests.web.test_api_series import SERIES
from web.calendar import feed_token

ENV = Role.ENVIRONMENT_MANAGER


def _vevents(app: Flask, client: FlaskClient, world: World, path: str) -> list[Any]:
    with app.test_request_context():
        token = feed_token(world.tester)
    response = client.get(f"{path}?token={token}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(Calendar.from_ical(response.data).walk("VEVENT"))


def test_a_series_is_one_recurring_event_with_its_exceptions(
    app: Flask, client: FlaskClient, call: Caller, world: World
) -> None:
    series = call(ENV, "POST", "/api/v1/series", {**SERIES, "times": 4}).get_json()
    runs = series["occurrences"]  # 26 Jan, 2 Feb (refused), 9 Feb, 16 Feb
    cancel = f"/api/v1/series/{series['id']}/occurrences/{runs[2]['id']}/cancel"
    assert call(ENV, "POST", cancel).status_code == 200
    moved = call(
        ENV,
        "POST",
        f"/api/v1/bookings/{runs[3]['booking_id']}/move",
        {"environment": "UAT-2", "start": "2027-02-17"},
    )
    assert moved.status_code == 200, moved.get_json()

    events = _vevents(app, client, world, "/calendar/environments/UAT-2.ics")
    uid = f"series-{series['id']}@envsched"
    master, *overrides = [e for e in events if str(e["uid"]) == uid]
    # the runs' bookings are not repeated as single events; the other booking is
    assert sorted(str(e["uid"]) for e in events) == sorted(
        [uid, uid, f"booking-{world.booking.id}@envsched"]
    )

    assert (master["dtstart"].dt, master["dtend"].dt) == (D("2027-01-26"), D("2027-01-28"))
    rule = master["rrule"]
    assert (rule["FREQ"], rule["BYDAY"], rule["COUNT"]) == (["WEEKLY"], ["TU"], [4])
    excluded = {d.dt for prop in _as_list(master["exdate"]) for d in prop.dts}
    assert excluded == {D("2027-02-02"), D("2027-02-09")}
    # the RRULE expands to the runs laid out, so what is left is what is booked
    planned = series_days(Repeat.WEEKLY, 1, [1], D("2027-01-25"), None, 4)
    assert [d.isoformat() for d in planned] == [r["start"] for r in runs]

    (override,) = overrides
    assert override["recurrence-id"].dt == D("2027-02-16")
    assert (override["dtstart"].dt, override["dtend"].dt) == (D("2027-02-17"), D("2027-02-19"))
    assert str(master["summary"]) == "UAT-2: regression run"


def test_a_series_with_no_run_left_leaves_the_feed(
    app: Flask, client: FlaskClient, call: Caller, world: World
) -> None:
    series = call(ENV, "POST", "/api/v1/series", SERIES).get_json()
    first = series["occurrences"][0]["id"]
    cancel = f"/api/v1/series/{series['id']}/occurrences/{first}/cancel"
    assert call(ENV, "POST", cancel, {"rest": True}).status_code == 200
    events = _vevents(app, client, world, "/calendar/environments/UAT-2.ics")
    assert [str(e["uid"]) for e in events] == [f"booking-{world.booking.id}@envsched"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
