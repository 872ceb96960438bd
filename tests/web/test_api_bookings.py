"""/api/v1/bookings: the direct booking (201 or 409 with the clash), lists, cancel, release."""

from __future__ import annotations

import pytest

from envsched.db import SessionFactory
from envsched.models import BookingStatus, Role
from tests.envsched import factories
from tests.web.api_world import Caller, D, World, error_of

ENV = Role.ENVIRONMENT_MANAGER
DIRECT = {
    "environment": "UAT-1",
    "start": "2027-03-01",
    "end": "2027-03-08",
    "phase": "R1-UAT",
    "note": "regression pack",
}


def test_a_direct_booking_is_201_with_the_booking(call: Caller, world: World) -> None:
    response = call(ENV, "POST", "/api/v1/bookings", DIRECT)
    assert response.status_code == 201
    booking = response.get_json()
    assert booking | {"id": 0} == {
        "id": 0,
        "environment": "UAT-1",
        "start": "2027-03-01",
        "end": "2027-03-08",
        "phase": "R1-UAT",
        "release": "R1",
        "note": "regression pack",
        "pinned": False,
        "status": "confirmed",
        "request_id": None,
        "created_at": "2027-01-04T09:00:00Z",
        "forced_reason": "",
        "checked_in_at": None,
    }
    assert call(Role.VIEWER, "GET", f"/api/v1/bookings/{booking['id']}").get_json() == booking


def test_a_direct_booking_for_no_phase_answers_as_the_stored_booking(
    call: Caller, world: World
) -> None:
    response = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "SIT-1", "start": "2027-03-01", "end": "2027-03-03"},
    )
    assert response.status_code == 201
    stored = call(Role.VIEWER, "GET", f"/api/v1/bookings/{response.get_json()['id']}")
    assert response.get_json() == stored.get_json()
    assert (stored.get_json()["phase"], stored.get_json()["release"]) == (None, None)


# Overlap cases against the stored UAT-2 booking [2027-02-01, 2027-02-06):
@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("2027-01-25", "2027-02-01", 201),  # before, touching its start: half-open, no clash
        ("2027-02-06", "2027-02-09", 201),  # after, touching its end
        ("2027-01-30", "2027-02-02", 409),  # overlapping the start
        ("2027-02-01", "2027-02-06", 409),  # the same days
        ("2027-02-02", "2027-02-03", 409),  # inside
        ("2027-01-20", "2027-02-20", 409),  # around
    ],
)
def test_a_direct_booking_clashes_only_on_shared_days(
    call: Caller, world: World, start: str, end: str, status: int
) -> None:
    response = call(
        ENV, "POST", "/api/v1/bookings", {"environment": "UAT-2", "start": start, "end": end}
    )
    assert response.status_code == status
    if status == 409:
        error = error_of(response)
        assert error["code"] == "booking_conflict"
        assert error["clashes"] == [
            {
                "booking_id": world.booking.id,
                "environment": "UAT-2",
                "start": "2027-02-01",
                "end": "2027-02-06",
                "status": "confirmed",
                "phase": None,
            }
        ]


def test_a_capacity_two_environment_takes_two_bookings_then_409(call: Caller, world: World) -> None:
    body = {"environment": "SIT-1", "start": "2027-02-01", "end": "2027-02-03"}
    assert [call(ENV, "POST", "/api/v1/bookings", body).status_code for _ in range(3)] == [
        201,
        201,
        409,
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (DIRECT | {"end": "2027-03-01"}, "end"),  # empty range
        (DIRECT | {"start": "March"}, "start"),
        (DIRECT | {"environment": "NOPE-1"}, "environment"),
        (DIRECT | {"phase": "R9-UAT"}, "phase"),
        (DIRECT | {"status": "cancelled"}, "status"),
        ({"start": "2027-03-01", "end": "2027-03-02"}, "environment"),
    ],
)
def test_a_bad_direct_booking_is_a_400_naming_the_field(
    call: Caller, world: World, body: dict[str, object], field: str
) -> None:
    response = call(ENV, "POST", "/api/v1/bookings", body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_only_managers_book_directly(call: Caller, world: World) -> None:
    response = call(Role.TEST_MANAGER, "POST", "/api/v1/bookings", DIRECT)
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 3),
        ({"environment": "UAT-1"}, 2),
        ({"release": "R1"}, 1),
        ({"phase": "R1-UAT"}, 1),
        ({"status": "cancelled"}, 1),
        ({"after": "2027-03-01"}, 1),  # ends after the 1st of March
        ({"before": "2027-02-02"}, 2),  # starts before the 2nd of February
        ({"environment": "UAT-2", "status": "confirmed"}, 1),
    ],
)
def test_bookings_filter(
    call: Caller, world: World, sessions: SessionFactory, query: dict[str, str], count: int
) -> None:
    factories.make_booking(
        sessions,
        world.uat1,
        start=D("2027-01-10"),
        end=D("2027-01-12"),
        status=BookingStatus.CANCELLED,
    )
    factories.make_booking(
        sessions,
        world.uat1,
        start=D("2027-03-01"),
        end=D("2027-03-05"),
        phase_id=world.uat_phase.id,
    )
    page = call(Role.VIEWER, "GET", "/api/v1/bookings", **query).get_json()
    assert page["total"] == len(page["items"]) == count


def test_an_unknown_booking_is_a_404(call: Caller, world: World) -> None:
    assert call(Role.VIEWER, "GET", "/api/v1/bookings/999999").status_code == 404
    assert call(ENV, "POST", "/api/v1/bookings/999999/cancel").status_code == 404


def test_cancelling_frees_the_days(call: Caller, world: World) -> None:
    path = f"/api/v1/bookings/{world.booking.id}/cancel"
    response = call(ENV, "POST", path, {"reason": "release slipped"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert "release slipped" in response.get_json()["note"]
    again = call(
        ENV,
        "POST",
        "/api/v1/bookings",
        {"environment": "UAT-2", "start": "2027-02-01", "end": "2027-02-06"},
    )
    assert again.status_code == 201
    assert call(ENV, "POST", path).status_code == 409  # no longer live


def test_releasing_early_ends_the_booking_on_that_day(call: Caller, world: World) -> None:
    path = f"/api/v1/bookings/{world.booking.id}/release"
    outside = call(ENV, "POST", path, {"on": "2027-02-06"})
    assert outside.status_code == 400 and "on" in error_of(outside)["fields"]
    response = call(ENV, "POST", path, {"on": "2027-02-04"})
    assert response.status_code == 200
    assert (response.get_json()["end"], response.get_json()["status"]) == ("2027-02-04", "released")


def test_a_test_manager_may_not_cancel_a_booking_of_someone_else(
    call: Caller, world: World
) -> None:
    response = call(Role.TEST_MANAGER, "POST", f"/api/v1/bookings/{world.booking.id}/cancel")
    assert response.status_code == 403


def test_a_direct_booking_that_breaks_the_phase_order_is_409_naming_the_rule(
    call: Caller, world: World
) -> None:
    sit = {"environment": "SIT-1", "start": "2027-02-01", "end": "2027-02-11", "phase": "R1-SIT"}
    assert call(ENV, "POST", "/api/v1/bookings", sit).status_code == 201
    early = DIRECT | {"start": "2027-02-05", "end": "2027-02-10"}  # SIT runs until 10 Feb
    refused = call(ENV, "POST", "/api/v1/bookings", early)
    error = error_of(refused)
    assert refused.status_code == 409
    assert (error["code"], error["rule"]) == ("rule_broken", "order")
    assert error["breaks"][0]["phases"] == ["R1-UAT", "R1-SIT"]
    assert "start" in error["fields"] and "11 Feb 2027" in error["message"]
    wrong = error_of(call(ENV, "POST", "/api/v1/bookings", DIRECT | {"environment": "UAT-2"}))
    assert wrong["rule"] == "eligibility" and "mainframe" in wrong["fields"]["environment"]
    again = error_of(
        call(ENV, "POST", "/api/v1/bookings", sit | {"start": "2027-03-01", "end": "2027-03-11"})
    )
    assert again["rule"] == "one_per_phase"


def test_an_environment_manager_forces_a_booking_with_a_reason_and_it_is_a_clash(
    call: Caller, world: World
) -> None:
    early = DIRECT | {"start": "2027-01-05", "end": "2027-01-10", "force_reason": "vendor visit"}
    response = call(ENV, "POST", "/api/v1/bookings", early)
    assert response.status_code == 201
    assert response.get_json()["forced_reason"] == "vendor visit"
    kinds = {c["kind"] for c in call(Role.VIEWER, "GET", "/api/v1/clashes").get_json()["items"]}
    assert {"early", "order"} <= kinds


def test_a_move_answers_the_same_booking_on_its_new_days(call: Caller, world: World) -> None:
    response = call(
        ENV,
        "POST",
        f"/api/v1/bookings/{world.booking.id}/move",
        {"environment": "UAT-1", "start": "2027-03-01"},
    )
    assert response.status_code == 200
    moved = response.get_json()
    assert (moved["id"], moved["environment"], moved["start"], moved["end"]) == (
        world.booking.id,
        "UAT-1",
        "2027-03-01",
        "2027-03-06",
    )  # five days, as before
    assert call(Role.VIEWER, "GET", f"/api/v1/bookings/{world.booking.id}").get_json() == moved


def test_a_move_onto_another_booking_is_409_with_the_clash(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    other = factories.make_booking(sessions, world.uat1, start=D("2027-03-03"), end=D("2027-03-05"))
    response = call(
        ENV,
        "POST",
        f"/api/v1/bookings/{world.booking.id}/move",
        {"environment": "UAT-1", "start": "2027-03-01"},
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "booking_conflict"
    assert [c["booking_id"] for c in error["clashes"]] == [other.id]
    assert (
        call(ENV, "GET", f"/api/v1/bookings/{world.booking.id}").get_json()["start"] == "2027-02-01"
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"environment": "SIT-1", "start": "2027-03-01"}, 400, "environment"),  # not UAT
        ({"environment": "NOPE-1", "start": "2027-03-01"}, 400, "environment"),
        ({"environment": "UAT-1", "start": "2026-12-01"}, 400, "start"),  # before today
        ({"environment": "UAT-1", "start": "March"}, 400, "start"),
        ({"environment": "UAT-1"}, 400, "start"),
        ({"environment": "UAT-1", "start": "2027-03-01", "end": "2027-03-09"}, 400, "end"),
    ],
)
def test_a_move_names_the_field_it_cannot_take(
    call: Caller, world: World, body: dict[str, str], status: int, field: str
) -> None:
    response = call(ENV, "POST", f"/api/v1/bookings/{world.booking.id}/move", body)
    assert response.status_code == status
    assert field in error_of(response)["fields"]


def test_a_move_is_403_for_a_test_manager_and_404_for_no_booking(
    call: Caller, world: World
) -> None:
    body = {"environment": "UAT-1", "start": "2027-03-01"}
    refused = call(Role.TEST_MANAGER, "POST", f"/api/v1/bookings/{world.booking.id}/move", body)
    assert refused.status_code == 403
    assert "bookings:move" in error_of(refused)["message"]
    assert call(ENV, "POST", "/api/v1/bookings/9999/move", body).status_code == 404
