"""/api/v1/freezes: change freezes block bookings on the types they cover."""

from __future__ import annotations

from envsched.models import Role
from tests.web.api_world import Caller, World, error_of

ENV = Role.ENVIRONMENT_MANAGER


def test_freezes_are_listed(call: Caller, world: World) -> None:
    page = call(Role.VIEWER, "GET", "/api/v1/freezes").get_json()
    assert page["items"] == [
        {
            "id": world.freeze.id,
            "name": "year-end",
            "start": "2027-12-20",
            "end": "2028-01-04",
            "types": ["STAGING"],
            "reason": "",
        }
    ]


def test_a_freeze_blocks_bookings_of_its_types_only(call: Caller, world: World) -> None:
    made = call(
        Role.RELEASE_MANAGER,
        "POST",
        "/api/v1/freezes",
        {"start": "2027-03-01", "end": "2027-03-05", "types": ["UAT"], "reason": "quarter end"},
    )
    assert made.status_code == 201 and made.get_json()["types"] == ["UAT"]
    uat = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "UAT-2", "start": "2027-03-04", "end": "2027-03-06"},
    )
    assert uat.status_code == 409 and "freeze" in error_of(uat)["message"]
    sit = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "SIT-1", "start": "2027-03-04", "end": "2027-03-06"},
    )
    assert sit.status_code == 201


def test_a_bad_freeze_is_a_400_naming_the_field(call: Caller, world: World) -> None:
    for body, field in [
        ({"start": "2027-03-05", "end": "2027-03-01"}, "end"),
        ({"start": "2027-03-01", "end": "2027-03-05", "types": ["NOPE"]}, "types"),
        ({"end": "2027-03-05"}, "start"),
    ]:
        response = call(ENV, "POST", "/api/v1/freezes", body)
        assert response.status_code == 400
        assert field in error_of(response)["fields"], body


def test_a_freeze_is_removed_once(call: Caller, world: World) -> None:
    path = f"/api/v1/freezes/{world.freeze.id}"
    assert call(ENV, "DELETE", path).status_code == 204
    assert call(ENV, "DELETE", path).status_code == 404
    assert call(Role.VIEWER, "GET", "/api/v1/freezes").get_json()["total"] == 0


def test_test_managers_may_not_freeze(call: Caller, world: World) -> None:
    response = call(
        Role.TEST_MANAGER, "POST", "/api/v1/freezes", {"start": "2027-03-01", "end": "2027-03-05"}
    )
    assert response.status_code == 403
