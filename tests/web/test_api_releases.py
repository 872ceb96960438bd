"""/api/v1/releases and /api/v1/phases."""

from __future__ import annotations

import pytest

from envsched.models import Role
from tests.web.api_world import Caller, World, error_of

REL = Role.RELEASE_MANAGER


def test_releases_list_with_their_phases_in_order(call: Caller, world: World) -> None:
    page = call(Role.VIEWER, "GET", "/api/v1/releases").get_json()
    assert page["total"] == 1
    release = page["items"][0]
    assert (release["key"], release["title"], release["due"]) == (
        "R1",
        "Payments 4.2",
        "2027-04-30",
    )
    assert [p["key"] for p in release["phases"]] == ["R1-SIT", "R1-UAT"]
    assert call(Role.VIEWER, "GET", "/api/v1/releases", status="deployed").get_json()["total"] == 0


def test_a_release_manager_adds_a_release_and_phases(call: Caller, world: World) -> None:
    made = call(
        REL,
        "POST",
        "/api/v1/releases",
        {
            "key": "R2",
            "title": "Ledger",
            "earliest_start": "2027-02-01",
            "due": "2027-06-30",
            "priority": 2,
        },
    )
    assert made.status_code == 201 and made.get_json()["phases"] == []
    for key, kind in [("R2-SIT", "SIT"), ("R2-UAT", "UAT")]:
        phase = call(
            REL,
            "POST",
            "/api/v1/releases/R2/phases",
            {"key": key, "type": kind, "duration_days": 4},
        )
        assert phase.status_code == 201
    first = call(
        REL,
        "POST",
        "/api/v1/releases/R2/phases",
        {"key": "R2-DEV", "type": "SIT", "duration_days": 2, "position": 0},
    )
    assert first.get_json()["position"] == 0
    phases = call(Role.VIEWER, "GET", "/api/v1/releases/R2/phases").get_json()
    assert [(p["key"], p["position"], p["release"]) for p in phases] == [
        ("R2-DEV", 0, "R2"),
        ("R2-SIT", 1, "R2"),
        ("R2-UAT", 2, "R2"),
    ]


def test_updates_change_only_the_fields_given(call: Caller, world: World) -> None:
    release = call(REL, "PATCH", "/api/v1/releases/R1", {"priority": 3}).get_json()
    assert (release["priority"], release["title"]) == (3, "Payments 4.2")
    phase = call(REL, "PATCH", "/api/v1/phases/R1-UAT", {"duration_days": 7}).get_json()
    assert (phase["duration_days"], phase["required_tags"]) == (7, ["mainframe"])
    assert call(Role.VIEWER, "GET", "/api/v1/phases/R1-UAT").get_json() == phase


def test_a_status_patch_takes_the_flow_and_a_cancellation_withdraws_the_requests(
    call: Caller, world: World
) -> None:
    refused = call(REL, "PATCH", "/api/v1/releases/R1", {"status": "deployed"})
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "invalid_transition"
    assert "status" in error_of(refused)["fields"]
    done = call(REL, "PATCH", "/api/v1/releases/R1", {"status": "cancelled"})
    assert done.get_json()["status"] == "cancelled"
    request = call(Role.VIEWER, "GET", f"/api/v1/requests/{world.request.id}").get_json()
    assert (request["status"], request["decision_reason"]) == (
        "cancelled",
        "release R1 cancelled: release updated",
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/v1/releases", {"key": "R1"}, "key"),
        ("POST", "/api/v1/releases", {"key": "R3", "type": "huge"}, "type"),
        ("PATCH", "/api/v1/releases/R1", {"due": "2027-01-01"}, "due"),
        ("POST", "/api/v1/releases/R1/phases", {"key": "R1-X", "type": "UAT"}, "duration_days"),
        (
            "POST",
            "/api/v1/releases/R1/phases",
            {"key": "R1-X", "type": "UAT", "duration_days": 2, "after": ["R7-SIT"]},
            "after",
        ),
        ("PATCH", "/api/v1/phases/R1-UAT", {"type": "NOPE"}, "type"),
        ("PATCH", "/api/v1/phases/R1-UAT", {"key": "R1-Z"}, "key"),  # keys do not change
    ],
)
def test_bad_release_input_is_a_400_naming_the_field(
    call: Caller, world: World, method: str, path: str, body: dict[str, object], field: str
) -> None:
    response = call(REL, method, path, body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/releases/R9", None),
        ("PATCH", "/api/v1/releases/R9", {"priority": 2}),
        ("GET", "/api/v1/releases/R9/phases", None),
        ("POST", "/api/v1/releases/R9/phases", {"key": "R9-A", "type": "UAT", "duration_days": 1}),
        ("GET", "/api/v1/phases/R9-A", None),
        ("PATCH", "/api/v1/phases/R9-A", {"gap_days": 1}),
    ],
)
def test_an_unknown_release_or_phase_is_a_404(
    call: Caller, world: World, method: str, path: str, body: object
) -> None:
    response = call(REL, method, path, body)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_test_managers_may_not_change_releases(call: Caller, world: World) -> None:
    response = call(Role.TEST_MANAGER, "PATCH", "/api/v1/releases/R1", {"priority": 2})
    assert response.status_code == 403
