"""/api/v1/environments and their maintenance windows."""

from __future__ import annotations

import pytest

from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.api_world import Caller, D, World, error_of

ENV = Role.ENVIRONMENT_MANAGER
VIEWER = Role.VIEWER


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, ["SIT-1", "UAT-1", "UAT-2"]),
        ({"type": "UAT"}, ["UAT-1", "UAT-2"]),
        ({"tag": "mainframe"}, ["UAT-1"]),
        ({"tag": "mainfr"}, []),  # a tag matches whole, never a part
        ({"type": "SIT", "tag": "mainframe"}, []),
        ({"status": "available"}, ["SIT-1", "UAT-1", "UAT-2"]),
        ({"status": "down"}, []),
    ],
)
def test_environments_filter_by_type_tag_and_status(
    call: Caller, world: World, query: dict[str, str], names: list[str]
) -> None:
    response = call(VIEWER, "GET", "/api/v1/environments", **query)
    assert response.status_code == 200
    assert [row["name"] for row in response.get_json()["items"]] == names


def test_environment_rows_carry_name_type_capacity_and_components(
    call: Caller, world: World
) -> None:
    row = call(VIEWER, "GET", "/api/v1/environments", type="UAT").get_json()["items"][0]
    assert row | {"id": 0} == {
        "id": 0,
        "name": "UAT-1",
        "type": "UAT",
        "capacity": 1,
        "tags": ["mainframe"],
        "changeover_days": 0,
        "status": "available",
        "owner": "",
        "description": "",
        "components": {"payments-api": "4.2.1"},
        "health": None,
    }


def test_environments_paginate_with_the_total(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    for n in range(4):
        factories.make_environment(sessions, name=f"UAT-{n + 10}", type="UAT")
    pages = [
        call(VIEWER, "GET", "/api/v1/environments", type="UAT", per_page=4, page=p).get_json()
        for p in (1, 2, 3)
    ]
    assert [len(p["items"]) for p in pages] == [4, 2, 0]
    assert {p["total"] for p in pages} == {6}
    assert pages[1]["page"] == 2 and pages[1]["per_page"] == 4
    names = [row["name"] for p in pages for row in p["items"]]
    assert names == sorted(names) and len(set(names)) == 6


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "201"}, "per_page"),
        ({"page": "x"}, "page"),
        ({"status": "broken"}, "status"),
        ({"typ": "UAT"}, "typ"),  # a misspelt filter is not ignored
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(
    call: Caller, world: World, query: dict[str, str], field: str
) -> None:
    response = call(VIEWER, "GET", "/api/v1/environments", **query)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_one_environment_by_name_or_404(call: Caller, world: World) -> None:
    assert call(VIEWER, "GET", "/api/v1/environments/SIT-1").get_json()["capacity"] == 2
    response = call(VIEWER, "GET", "/api/v1/environments/NOPE-1")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_environment_manager_adds_an_environment(call: Caller, world: World) -> None:
    body = {
        "name": "PERF-1",
        "type": "UAT",
        "capacity": 2,
        "tags": ["perf"],
        "components": {"ledger": "1.0"},
    }
    response = call(ENV, "POST", "/api/v1/environments", body)
    assert response.status_code == 201
    assert response.get_json() | {"id": 0} == {
        "id": 0,
        "name": "PERF-1",
        "type": "UAT",
        "capacity": 2,
        "tags": ["perf"],
        "changeover_days": 0,
        "status": "available",
        "owner": "",
        "description": "",
        "components": {"ledger": "1.0"},
        "health": None,
    }
    assert call(VIEWER, "GET", "/api/v1/environments/PERF-1").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "UAT-1", "type": "UAT"}, "name"),  # taken
        ({"name": "X-1", "type": "NOPE"}, "type"),  # no such type
        ({"name": "X-1", "type": "UAT", "capacity": 0}, "capacity"),
        ({"name": "X-1"}, "type"),
        ({"name": "X-1", "type": "UAT", "colour": "red"}, "colour"),
        ({"name": "new", "type": "UAT"}, "name"),  # /environments/new is the form
        ({"name": "UAT/3", "type": "UAT"}, "name"),  # no URL reaches it
    ],
)
def test_a_bad_new_environment_is_a_400_naming_the_field(
    call: Caller, world: World, body: dict[str, object], field: str
) -> None:
    response = call(ENV, "POST", "/api/v1/environments", body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_a_body_that_is_not_a_json_object_is_a_400(call: Caller, world: World) -> None:
    response = call(ENV, "POST", "/api/v1/environments", ["UAT-9"])
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"body": "not a JSON object"}


def test_an_update_changes_only_the_fields_given(call: Caller, world: World) -> None:
    response = call(
        ENV, "PATCH", "/api/v1/environments/UAT-2", {"description": "spare", "tags": ["x"]}
    )
    assert response.status_code == 200
    row = response.get_json()
    assert (row["description"], row["tags"], row["capacity"]) == ("spare", ["x"], 1)


def test_a_rename_moves_the_environment_to_its_new_name(call: Caller, world: World) -> None:
    assert (
        call(ENV, "PATCH", "/api/v1/environments/UAT-2", {"name": "UAT-20"}).get_json()["name"]
        == "UAT-20"
    )
    assert call(VIEWER, "GET", "/api/v1/environments/UAT-2").status_code == 404


def test_updating_an_unknown_environment_is_a_404(call: Caller, world: World) -> None:
    assert call(ENV, "PATCH", "/api/v1/environments/NOPE", {"capacity": 2}).status_code == 404


def test_a_capacity_cut_below_the_bookings_is_a_409(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    for _ in range(2):
        factories.make_booking(sessions, world.sit1, start=D("2027-02-01"), end=D("2027-02-05"))
    response = call(ENV, "PATCH", "/api/v1/environments/SIT-1", {"capacity": 1})
    assert response.status_code == 409
    assert len(error_of(response)["clashes"]) == 2
    assert "holds 2 live bookings" in error_of(response)["fields"]["capacity"]


# -- maintenance windows ------------------------------------------------------------------


def test_windows_are_listed_per_environment(call: Caller, world: World) -> None:
    response = call(VIEWER, "GET", "/api/v1/environments/UAT-1/maintenance-windows")
    assert response.get_json() == [
        {
            "id": world.window.id,
            "environment": "UAT-1",
            "start": "2027-06-10",
            "end": "2027-06-12",
            "reason": "patching",
        }
    ]
    assert call(VIEWER, "GET", "/api/v1/environments/UAT-2/maintenance-windows").get_json() == []
    assert call(VIEWER, "GET", "/api/v1/environments/NOPE/maintenance-windows").status_code == 404


def test_a_window_is_added_and_blocks_bookings(call: Caller, world: World) -> None:
    response = call(
        ENV,
        "POST",
        "/api/v1/environments/UAT-1/maintenance-windows",
        {"start": "2027-03-01", "end": "2027-03-03", "reason": "refresh"},
    )
    assert response.status_code == 201
    assert response.get_json()["reason"] == "refresh"
    booking = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "UAT-1", "start": "2027-03-02", "end": "2027-03-04"},
    )
    assert booking.status_code == 409
    assert "maintenance" in error_of(booking)["message"]


def test_a_window_over_a_live_booking_needs_force(call: Caller, world: World) -> None:
    path = "/api/v1/environments/UAT-2/maintenance-windows"
    body = {"start": "2027-02-03", "end": "2027-02-04"}
    refused = call(ENV, "POST", path, body)
    assert refused.status_code == 409
    assert [c["booking_id"] for c in error_of(refused)["clashes"]] == [world.booking.id]
    assert call(ENV, "POST", path, body | {"force": True}).status_code == 201


def test_a_window_ending_before_it_starts_is_a_400(call: Caller, world: World) -> None:
    response = call(
        ENV,
        "POST",
        "/api/v1/environments/UAT-1/maintenance-windows",
        {"start": "2027-03-03", "end": "2027-03-01"},
    )
    assert response.status_code == 400
    assert "end" in error_of(response)["fields"]


def test_a_window_is_removed_only_through_its_own_environment(call: Caller, world: World) -> None:
    other = f"/api/v1/environments/UAT-2/maintenance-windows/{world.window.id}"
    assert call(ENV, "DELETE", other).status_code == 404
    own = f"/api/v1/environments/UAT-1/maintenance-windows/{world.window.id}"
    response = call(ENV, "DELETE", own)
    assert response.status_code == 204 and response.data == b""
    assert call(ENV, "DELETE", own).status_code == 404


def test_readers_may_not_change_the_inventory(call: Caller, world: World) -> None:
    response = call(
        Role.TEST_MANAGER, "POST", "/api/v1/environments", {"name": "X-1", "type": "UAT"}
    )
    assert response.status_code == 403
    assert "environments:write" in error_of(response)["message"]


@pytest.mark.parametrize("name", ["new", "UAT/9", ".."])
def test_renaming_to_a_name_no_url_reaches_is_a_400_naming_name(
    call: Caller, world: World, name: str
) -> None:
    response = call(ENV, "PATCH", "/api/v1/environments/UAT-2", {"name": name})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"name"}
    assert call(VIEWER, "GET", "/api/v1/environments/UAT-2").status_code == 200
