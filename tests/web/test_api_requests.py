"""/api/v1/requests: a test manager asks, an environment manager approves, rejects or waits."""

from __future__ import annotations

import pytest

from envsched.models import Role
from tests.web.api_world import Caller, World, error_of

ENV = Role.ENVIRONMENT_MANAGER
TEST = Role.TEST_MANAGER
ASK = {
    "phase": "R1-UAT",
    "duration_days": 5,
    "earliest_start": "2027-03-01",
    "justification": "regression pack",
}


def _path(world: World, verb: str = "") -> str:
    return f"/api/v1/requests/{world.request.id}" + (f"/{verb}" if verb else "")


def test_a_test_manager_requests_a_phase_and_gets_its_type_and_tags(
    call: Caller, world: World
) -> None:
    response = call(TEST, "POST", "/api/v1/requests", ASK)
    assert response.status_code == 201
    row = response.get_json()
    assert (row["requester"], row["phase"], row["type"], row["required_tags"], row["status"]) == (
        "test_manager",
        "R1-UAT",
        "UAT",
        ["mainframe"],
        "requested",
    )
    assert call(Role.VIEWER, "GET", f"/api/v1/requests/{row['id']}").get_json() == row


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (ASK | {"earliest_start": "2026-12-01"}, "earliest_start"),  # before the app's today
        (ASK | {"duration_days": 0}, "duration_days"),
        (ASK | {"phase": "R9-UAT"}, "phase"),
        ({"duration_days": 5, "earliest_start": "2027-03-01"}, "type"),
        (ASK | {"latest_end": "2027-03-03"}, "latest_end"),
    ],
)
def test_a_bad_request_is_a_400_naming_the_field(
    call: Caller, world: World, body: dict[str, object], field: str
) -> None:
    response = call(TEST, "POST", "/api/v1/requests", body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_viewers_may_not_request(call: Caller, world: World) -> None:
    assert call(Role.VIEWER, "POST", "/api/v1/requests", ASK).status_code == 403


def test_requests_filter_by_status_requester_and_phase(call: Caller, world: World) -> None:
    call(TEST, "POST", "/api/v1/requests", ASK)
    call(ENV, "POST", _path(world, "reject"), {"reason": "no"})
    for query, count in [
        ({}, 2),
        ({"status": "requested"}, 1),
        ({"status": "rejected"}, 1),
        ({"requester": "test_manager"}, 2),
        ({"requester": "nobody"}, 0),
        ({"phase": "R1-UAT"}, 2),
        ({"phase": "R1-SIT"}, 0),
    ]:
        page = call(Role.VIEWER, "GET", "/api/v1/requests", **query).get_json()
        assert page["total"] == count, query


def test_the_suggested_slots_are_the_earliest_that_fit(call: Caller, world: World) -> None:
    response = call(TEST, "GET", _path(world, "slots"))
    assert response.get_json() == [
        {"environment": "UAT-1", "start": "2027-03-01", "end": "2027-03-06"}
    ]  # only UAT-1 has the mainframe tag


def test_approving_without_a_choice_books_the_suggested_slot(call: Caller, world: World) -> None:
    response = call(ENV, "POST", _path(world, "approve"), {})
    assert response.status_code == 201
    booking = response.get_json()
    assert (
        booking["environment"],
        booking["start"],
        booking["end"],
        booking["request_id"],
        booking["phase"],
    ) == ("UAT-1", "2027-03-01", "2027-03-06", world.request.id, "R1-UAT")
    assert call(TEST, "GET", _path(world)).get_json()["status"] == "approved"
    again = call(ENV, "POST", _path(world, "approve"), {})
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_state"


def test_approving_to_a_chosen_start(call: Caller, world: World) -> None:
    response = call(
        ENV, "POST", _path(world, "approve"), {"environment": "UAT-1", "start": "2027-03-10"}
    )
    assert response.status_code == 201
    assert (response.get_json()["start"], response.get_json()["end"]) == (
        "2027-03-10",
        "2027-03-15",
    )


def test_approving_to_taken_days_is_a_409_with_the_clash(call: Caller, world: World) -> None:
    taken = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "UAT-1", "start": "2027-03-01", "end": "2027-03-04"},
    )
    response = call(
        ENV, "POST", _path(world, "approve"), {"environment": "UAT-1", "start": "2027-03-02"}
    )
    assert response.status_code == 409
    assert [c["booking_id"] for c in error_of(response)["clashes"]] == [taken.get_json()["id"]]


@pytest.mark.parametrize(
    ("choice", "field"),
    [
        ({"environment": "UAT-2"}, "environment"),  # lacks mainframe
        ({"environment": "UAT-1", "start": "2027-02-01"}, "start"),  # before the earliest start
        ({"start": "tomorrow"}, "start"),
    ],
)
def test_approving_to_a_wrong_choice_is_a_400(
    call: Caller, world: World, choice: dict[str, str], field: str
) -> None:
    response = call(ENV, "POST", _path(world, "approve"), choice)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_rejecting_needs_a_reason(call: Caller, world: World) -> None:
    missing = call(ENV, "POST", _path(world, "reject"), {})
    assert missing.status_code == 400 and "reason" in error_of(missing)["fields"]
    response = call(ENV, "POST", _path(world, "reject"), {"reason": "UAT full"})
    assert response.status_code == 200
    row = response.get_json()
    assert (row["status"], row["decision_reason"]) == ("rejected", "UAT full")
    assert row["decided_at"] == "2027-01-04T09:00:00Z"


def test_a_waitlisted_request_gets_freed_days(call: Caller, world: World) -> None:
    blocker = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "UAT-1", "start": "2027-03-01", "end": "2027-06-01"},
    )
    waiting = call(ENV, "POST", _path(world, "waitlist"), {"reason": "UAT-1 full"})
    assert waiting.get_json()["status"] == "waitlisted"
    call(ENV, "POST", f"/api/v1/bookings/{blocker.get_json()['id']}/cancel")
    assert call(TEST, "GET", _path(world)).get_json()["status"] == "approved"
    mine = call(TEST, "GET", "/api/v1/bookings", phase="R1-UAT").get_json()["items"]
    assert [(b["environment"], b["start"]) for b in mine] == [("UAT-1", "2027-03-01")]


def test_the_requester_withdraws_their_request(call: Caller, world: World) -> None:
    response = call(TEST, "POST", _path(world, "cancel"))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert call(TEST, "POST", _path(world, "cancel")).status_code == 409


def test_another_requester_may_not_withdraw_it(call: Caller, world: World) -> None:
    assert call(Role.RELEASE_MANAGER, "POST", _path(world, "cancel")).status_code == 403


def test_test_managers_may_not_decide(call: Caller, world: World) -> None:
    for verb in ("approve", "reject", "waitlist"):
        response = call(TEST, "POST", _path(world, verb), {"reason": "mine"})
        assert response.status_code == 403
        assert "requests:decide" in error_of(response)["message"]


def test_an_unknown_request_is_a_404_for_every_verb(call: Caller, world: World) -> None:
    assert call(TEST, "GET", "/api/v1/requests/999999").status_code == 404
    assert call(TEST, "GET", "/api/v1/requests/999999/slots").status_code == 404
    for verb, body in [("approve", {}), ("reject", {"reason": "x"}), ("waitlist", {})]:
        assert call(ENV, "POST", f"/api/v1/requests/999999/{verb}", body).status_code == 404
    assert call(TEST, "POST", "/api/v1/requests/999999/cancel").status_code == 404


def test_withdrawing_an_approved_request_cancels_its_booking(call: Caller, world: World) -> None:
    booking = call(ENV, "POST", _path(world, "approve"), {}).get_json()
    response = call(TEST, "POST", _path(world, "cancel"))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert (
        call(TEST, "GET", f"/api/v1/bookings/{booking['id']}").get_json()["status"] == "cancelled"
    )
