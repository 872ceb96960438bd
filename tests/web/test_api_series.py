"""/api/v1/series (issue 16): a series with a refused run, read back, the rest cancelled;
errors naming the field; on SQLite and PostgreSQL (the world: ``tests.web.api_world``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from envsched.models import Role
from tests.web.api_world import Caller, World, error_of

ENV = Role.ENVIRONMENT_MANAGER
# UAT-2 is booked 2027-02-01 to 02-05 ("smoke tests"): the Tuesday 2 February run is refused
SERIES = {
    "environment": "UAT-2",
    "repeat": "weekly",
    "weekdays": ["tue"],
    "start": "2027-01-25",
    "length_days": 2,
    "times": 3,
    "note": "regression run",
}


def test_a_series_books_the_free_runs_and_cancels_the_rest(call: Caller, world: World) -> None:
    preview = call(ENV, "POST", "/api/v1/series/preview", SERIES)
    assert preview.status_code == 200
    assert [r["booked"] for r in preview.get_json()] == [True, False, True]

    created = call(ENV, "POST", "/api/v1/series", SERIES)
    assert created.status_code == 201
    series = created.get_json()
    runs = series["occurrences"]
    assert [(r["start"], r["end"], r["state"], r["rule"]) for r in runs] == [
        ("2027-01-26", "2027-01-28", "confirmed", ""),
        ("2027-02-02", "2027-02-04", "refused", "capacity"),
        ("2027-02-09", "2027-02-11", "confirmed", ""),
    ]
    assert "UAT-2 is fully booked" in runs[1]["reason"]
    assert series["rrule"] == "FREQ=WEEKLY;BYDAY=TU;WKST=MO;COUNT=3"
    assert call(Role.VIEWER, "GET", f"/api/v1/series/{series['id']}").get_json() == series
    booked = call(Role.VIEWER, "GET", f"/api/v1/bookings/{runs[0]['booking_id']}").get_json()
    assert (booked["status"], booked["note"]) == ("confirmed", "regression run")

    cancel = f"/api/v1/series/{series['id']}/occurrences/{runs[0]['id']}/cancel"
    one = call(ENV, "POST", f"/api/v1/series/{series['id']}/occurrences/{runs[2]['id']}/cancel")
    assert [r["state"] for r in one.get_json()["occurrences"]] == [
        "confirmed",
        "refused",
        "cancelled",
    ]
    rest = call(ENV, "POST", cancel, {"rest": True, "reason": "moved to nightly"})
    assert rest.status_code == 200
    assert [r["state"] for r in rest.get_json()["occurrences"]] == [
        "cancelled",
        "refused",
        "cancelled",
    ]
    again = call(ENV, "POST", cancel, {"rest": True})
    assert again.status_code == 409
    assert "not booked; nothing to cancel" in error_of(again)["message"]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"interval": 0}, "interval", 400),
        ({"weekdays": []}, "weekdays", 400),
        ({"weekdays": ["tuesday"]}, "weekdays.0", 400),
        ({"repeat": "monthly"}, "repeat", 400),
        ({"until": "2027-03-01"}, "until", 400),
        ({"times": None}, "until", 400),
        ({"length_days": 8}, "length_days", 400),
        ({"start": "2026-12-31"}, "start", 400),
        ({"environment": "UAT-9"}, "environment", 400),
        ({"phase": "R9-UAT"}, "phase", 400),
        ({"colour": "red"}, "colour", 400),
    ],
)
def test_a_bad_series_is_refused_naming_the_field(
    call: Caller, world: World, change: dict[str, Any], field: str, status: int
) -> None:
    response = call(ENV, "POST", "/api/v1/series", {**SERIES, **change})
    assert response.status_code == status, response.get_json()
    error = error_of(response)
    assert field in error["fields"], error
    assert field in error["message"], error


def test_an_unknown_series_or_run_is_404(call: Caller, world: World) -> None:
    assert call(Role.VIEWER, "GET", "/api/v1/series/999").status_code == 404
    series = call(ENV, "POST", "/api/v1/series", SERIES).get_json()
    missing = call(ENV, "POST", f"/api/v1/series/{series['id']}/occurrences/999/cancel")
    assert missing.status_code == 404


def test_a_test_manager_may_read_a_series_but_not_book_one(call: Caller, world: World) -> None:
    refused = call(Role.TEST_MANAGER, "POST", "/api/v1/series", SERIES)
    assert refused.status_code == 403
    series = call(ENV, "POST", "/api/v1/series", SERIES).get_json()
    assert call(Role.TEST_MANAGER, "GET", f"/api/v1/series/{series['id']}").status_code == 200


def test_a_retry_with_the_same_key_books_the_series_once(
    client: FlaskClient, world: World, token_headers: Callable[..., dict[str, str]]
) -> None:
    headers = {**token_headers(ENV), "Idempotency-Key": "series-once"}
    first = client.post("/api/v1/series", json=SERIES, headers=headers)
    again = client.post("/api/v1/series", json=SERIES, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    other = client.post("/api/v1/series", json=SERIES, headers=token_headers(ENV))
    assert other.get_json()["id"] != first.get_json()["id"]  # no key: a new series
