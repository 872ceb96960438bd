"""Every input is checked at the edge (issue 12): what the fuzzer found, one test each.

Numbers past the database's INTEGER, NUL bytes and lone surrogates, blank tags, loose
dates and booleans, deep and large bodies: each is a 400 (413 for the size) naming the
field, never a 500, on SQLite and on PostgreSQL (whose INTEGER is where most were found).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from envsched.models import Role
from tests.web.api_world import Caller, World, error_of

ADMIN = Role.ADMIN
ENV = Role.ENVIRONMENT_MANAGER


def _refused(response: Any, field: str, status: int = 400) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    error = error_of(response)
    assert field in error["fields"], error
    return str(error["fields"][field])


def _new_environment(**fields: Any) -> dict[str, Any]:
    return {"name": "UAT-9", "type": "UAT", **fields}


# -- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/bookings/52983901558",
        "/api/v1/requests/2147483648",
        "/api/v1/plan-runs/99999999999999999999",
        "/api/v1/what-ifs/9223372036854775808",
    ],
)
def test_an_id_past_the_database_integer_names_the_path_field(
    call: Caller, world: World, path: str
) -> None:
    name = {
        "bookings": "booking_id",
        "requests": "request_id",
        "plan-runs": "run_id",
        "what-ifs": "whatif_id",
    }[path.split("/")[3]]
    assert "2147483647" in _refused(call(ADMIN, "GET", path), name)


def test_a_page_number_past_the_database_integer_is_refused(call: Caller, world: World) -> None:
    response = call(ADMIN, "GET", "/api/v1/bookings", page="10000000000000000000000")
    _refused(response, "page")
    assert call(ADMIN, "GET", "/api/v1/bookings", page="2147483647").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_new_environment(capacity=2147483648), "capacity"),
        (_new_environment(changeover_days=2**40), "changeover_days"),
        (_new_environment(capacity=1e300), "capacity"),
    ],
)
def test_environment_numbers_past_their_bounds_are_refused(
    call: Caller, world: World, body: dict[str, Any], field: str
) -> None:
    _refused(call(ENV, "POST", "/api/v1/environments", body), field)


def test_a_request_for_a_billion_days_is_refused(call: Caller, world: World) -> None:
    body = {
        "phase": world.sit_phase.key,
        "duration_days": 1_000_000_000,
        "earliest_start": "2027-03-01",
    }
    _refused(call(ADMIN, "POST", "/api/v1/requests", body), "duration_days")


def test_a_what_if_change_of_huge_days_names_the_field(call: Caller, world: World) -> None:
    made = call(ADMIN, "POST", "/api/v1/what-ifs", {"name": "slip"}).get_json()
    change = {"kind": "delay_release", "release": world.release.key, "days": 2**40}
    response = call(ADMIN, "POST", f"/api/v1/what-ifs/{made['id']}/changes", change)
    _refused(response, "delay_release.days")


# -- text -----------------------------------------------------------------------------------


def test_a_nul_byte_in_a_body_names_the_field(call: Caller, world: World) -> None:
    body = {
        "environment": world.uat1.name,
        "start": "2027-08-02",
        "end": "2027-08-04",
        "note": "a\u0000b",
    }
    assert "NUL" in _refused(call(ADMIN, "POST", "/api/v1/bookings", body), "note")


def test_a_nul_byte_in_a_query_string_names_the_parameter(call: Caller, world: World) -> None:
    response = call(ADMIN, "GET", "/api/v1/environments?type=a%00b")
    assert "NUL" in _refused(response, "type")


def test_a_nul_byte_in_the_path_names_the_parameter(call: Caller, world: World) -> None:
    _refused(call(ADMIN, "GET", "/api/v1/environments/UAT%001"), "name")


def test_a_lone_surrogate_is_refused_not_stored(call: Caller, world: World) -> None:
    raw = '{"name": "UAT-9", "type": "UAT", "description": "half \\ud800 a pair"}'
    response = call(ENV, "POST", "/api/v1/environments", json.loads(raw))
    assert "surrogate" in _refused(response, "description")


@pytest.mark.parametrize("tags", [[""], ["  "], ["ok", " "], ["two words"]])
def test_a_blank_or_spaced_tag_is_refused(call: Caller, world: World, tags: list[str]) -> None:
    response = call(ENV, "POST", "/api/v1/environments", _new_environment(tags=tags))
    assert response.status_code == 400, response.get_json()
    assert [f for f in error_of(response)["fields"] if f.startswith("tags")]


def test_a_tag_is_stored_stripped(call: Caller, world: World) -> None:
    response = call(ENV, "POST", "/api/v1/environments", _new_environment(tags=[" gpu "]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["tags"] == ["gpu"]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_blank_name_is_refused(call: Caller, world: World, name: str) -> None:
    _refused(call(ENV, "POST", "/api/v1/environments", _new_environment(name=name)), "name")


# -- dates and booleans ---------------------------------------------------------------------


@pytest.mark.parametrize("start", ["0", "1700000000", "2027-1-4", "20270104", "0001-01-01"])
def test_a_date_must_be_an_iso_day_within_the_calendar(
    call: Caller, world: World, start: str
) -> None:
    _refused(call(ADMIN, "GET", "/api/v1/capacity", start=start), "start")


def test_an_iso_date_is_still_read(call: Caller, world: World) -> None:
    response = call(ADMIN, "GET", "/api/v1/capacity", start="2027-01-04", weeks="2")
    assert response.status_code == 200
    assert response.get_json()["start"] == "2027-01-04"


@pytest.mark.parametrize("active", [0, 1, "false"])
def test_active_must_be_true_or_false(call: Caller, world: World, active: Any) -> None:
    path = f"/api/v1/users/{world.tester.name}"
    _refused(call(ADMIN, "PATCH", path, {"active": active}), "active")


def test_a_date_in_a_body_is_strict_too(call: Caller, world: World) -> None:
    body = {"environment": world.uat1.name, "start": 0, "end": "2027-08-04"}
    _refused(call(ADMIN, "POST", "/api/v1/bookings", body), "start")


# -- the body -------------------------------------------------------------------------------


def test_a_deep_body_is_refused_without_a_recursion_error(
    client: FlaskClient, world: World, token_headers: Any
) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/environments",
        data=body,
        headers={**token_headers(ADMIN), "Content-Type": "application/json"},
    )
    assert "deep" in _refused(response, "body")


def test_a_body_a_little_deep_is_refused_naming_where(call: Caller, world: World) -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    response = call(ENV, "POST", "/api/v1/environments", _new_environment(components=deep))
    assert response.status_code == 400


def test_a_body_over_the_size_limit_is_413_in_the_error_shape(
    client: FlaskClient, world: World, token_headers: Any
) -> None:
    body = json.dumps(_new_environment(description="x" * 2_000_000))
    response = client.post(
        "/api/v1/environments",
        data=body,
        headers={**token_headers(ENV), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_unknown_nested_field_is_refused(call: Caller, world: World) -> None:
    body = {
        "name": "major",
        "phases": [{"name": "SIT", "type": "SIT", "duration_days": 5, "colour": "red"}],
    }
    response = call(ADMIN, "POST", "/api/v1/release-templates", body)
    assert response.status_code == 400
    assert [f for f in error_of(response)["fields"] if "colour" in f]


# -- methods --------------------------------------------------------------------------------


def test_a_wrong_method_is_405_with_allow(call: Caller, world: World) -> None:
    response = call(ADMIN, "DELETE", "/api/v1/bookings")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert error_of(response)["code"] == "method_not_allowed"
