"""The what-if API: make, change (400 naming the field), run in the background, compare,
export the scenario, promote; every error code; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import func, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, Role
from envsched.permissions import roles_with
from tests.envsched.stuck import dead_owner, elsewhere_owner, stuck_whatif
from tests.web.api_world import Caller, World, error_of
from tests.web.helpers import NOW, csrf_token
from web.background import join_all

NEW_RELEASE = {
    "kind": "add_release",
    "id": "R9",
    "due": "2027-03-01",
    "phases": [
        {"id": "R9-SIT", "type": "SIT", "duration_days": 4},
        {"id": "R9-UAT", "type": "UAT", "duration_days": 3},
    ],
}


def _make(call: Caller, name: str = "w") -> int:
    response = call(Role.PLANNER, "POST", "/api/v1/what-ifs", {"name": name})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def _bookings(sessions: SessionFactory) -> int:
    with read_transaction(sessions) as session:
        return int(session.exec(select(func.count()).select_from(Booking)).one())


def _run(
    call: Caller, client: FlaskClient, ident: int, role: Role = Role.PLANNER
) -> dict[str, Any]:
    response = call(role, "POST", f"/api/v1/what-ifs/{ident}/run", {"time_limit": 2})
    assert response.status_code == 202 and response.get_json()["status"] == "running"
    join_all(client.application)
    return dict(call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}").get_json())


def test_a_run_compares_plans_and_leaves_live_bookings_alone(
    call: Caller, client: FlaskClient, sessions: SessionFactory, world: World
) -> None:
    ident = _make(call)
    assert (
        call(Role.PLANNER, "POST", f"/api/v1/what-ifs/{ident}/changes", NEW_RELEASE).status_code
        == 201
    )
    before = _bookings(sessions)
    shown = _run(call, client, ident)
    assert shown["status"] == "done" and shown["progress"]["step"] == "done"
    assert _bookings(sessions) == before
    comparison = call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}/comparison").get_json()
    placed = {r["metric"]: r for r in comparison["rows"]}["placed_phases"]
    assert placed["change"] == 2
    assert {"SIT", "UAT"} <= set(comparison["utilisation"])
    assert {a["phase"] for a in comparison["whatif_plan"]["assignments"]} >= {"R9-SIT", "R9-UAT"}
    assert comparison["changes"] == ["add release R9 (2 phases)"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"kind": "add_environment", "id": "UAT-9", "type": "UAT", "capacity": "two"},
            "add_environment.capacity",
        ),
        ({"kind": "add_environment", "type": "UAT"}, "add_environment.id"),
        ({"kind": "grow_budget"}, "kind"),
        ({"kind": "delay_release", "release": "R7", "days": 3}, "changes[0].delay_release.release"),
        (
            {
                "kind": "add_maintenance",
                "environment": "UAT-1",
                "start": "soon",
                "end": "2027-02-01",
            },
            "add_maintenance.start",
        ),
        ({"kind": "drop_release", "release": "R1", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_change_is_400_naming_the_field_and_is_not_stored(
    call: Caller, world: World, change: dict[str, Any], field: str
) -> None:
    ident = _make(call)
    response = call(Role.PLANNER, "POST", f"/api/v1/what-ifs/{ident}/changes", change)
    assert response.status_code == 400
    assert field in error_of(response)["fields"], error_of(response)
    assert call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}").get_json()["changes"] == []


def test_changes_are_removed_by_index(call: Caller, world: World) -> None:
    ident = _make(call)
    for days in (3, 5):
        call(
            Role.PLANNER,
            "POST",
            f"/api/v1/what-ifs/{ident}/changes",
            {"kind": "delay_release", "release": "R1", "days": days},
        )
    response = call(Role.PLANNER, "DELETE", f"/api/v1/what-ifs/{ident}/changes/0")
    assert response.status_code == 200
    assert response.get_json()["described"] == ["delay release R1 by 5 days"]
    missing = call(Role.PLANNER, "DELETE", f"/api/v1/what-ifs/{ident}/changes/4")
    assert missing.status_code == 400 and "index" in error_of(missing)["fields"]


def test_the_scenario_file_carries_the_changes(call: Caller, world: World) -> None:
    ident = _make(call, "more-uat")
    call(
        Role.PLANNER,
        "POST",
        f"/api/v1/what-ifs/{ident}/changes",
        {"kind": "add_environment", "id": "UAT-9", "type": "UAT"},
    )
    document = call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}/scenario").get_json()
    assert document["format"] == "envsched-scenario/1" and document["name"] == "more-uat"
    assert "UAT-9" in {e["id"] for e in document["environments"]}


def test_the_list_names_every_what_if(call: Caller, world: World) -> None:
    _make(call, "b"), _make(call, "a")
    assert [w["name"] for w in call(Role.VIEWER, "GET", "/api/v1/what-ifs").get_json()] == [
        "a",
        "b",
    ]
    again = call(Role.PLANNER, "POST", "/api/v1/what-ifs", {"name": "a"})
    assert again.status_code == 400 and "name" in error_of(again)["fields"]


def test_promotion_needs_a_run_and_an_environment_manager_and_happens_once(
    call: Caller, client: FlaskClient, sessions: SessionFactory, world: World
) -> None:
    ident = _make(call)
    call(
        Role.PLANNER,
        "POST",
        f"/api/v1/what-ifs/{ident}/changes",
        {"kind": "reprioritise_release", "release": "R1", "priority": 4},
    )
    early = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/what-ifs/{ident}/promote")
    assert early.status_code == 409
    assert call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}/comparison").status_code == 409
    _run(call, client, ident)
    assert call(Role.PLANNER, "POST", f"/api/v1/what-ifs/{ident}/promote").status_code == 403
    before = _bookings(sessions)
    promoted = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/what-ifs/{ident}/promote")
    assert promoted.status_code == 200 and promoted.get_json()["bookings"]
    assert _bookings(sessions) > before
    assert call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}").get_json()["status"] == (
        "promoted"
    )
    twice = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/what-ifs/{ident}/promote")
    assert twice.status_code == 409
    frozen = call(Role.PLANNER, "POST", f"/api/v1/what-ifs/{ident}/changes", NEW_RELEASE)
    assert frozen.status_code == 409


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/what-ifs/99"),
        ("GET", "/api/v1/what-ifs/99/comparison"),
        ("GET", "/api/v1/what-ifs/99/scenario"),
        ("POST", "/api/v1/what-ifs/99/promote"),
        ("DELETE", "/api/v1/what-ifs/99/changes/0"),
    ],
)
def test_an_unknown_what_if_is_404(call: Caller, world: World, method: str, path: str) -> None:
    assert call(Role.ADMIN, method, path).status_code == 404


ENDPOINTS = [  # method, path, permission, body
    ("GET", "/api/v1/what-ifs", "whatif:read", None),
    ("GET", "/api/v1/what-ifs/{w}", "whatif:read", None),
    ("GET", "/api/v1/what-ifs/{w}/scenario", "whatif:read", None),
    ("GET", "/api/v1/what-ifs/{w}/comparison", "whatif:read", None),
    ("POST", "/api/v1/what-ifs", "whatif:write", {"name": "x"}),
    (
        "POST",
        "/api/v1/what-ifs/{w}/changes",
        "whatif:write",
        {"kind": "delay_release", "release": "R1", "days": 1},
    ),
    ("DELETE", "/api/v1/what-ifs/{w}/changes/0", "whatif:write", None),
    ("POST", "/api/v1/what-ifs/{w}/promote", "whatif:promote", None),
]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_what_if_endpoints(
    call: Caller, world: World, role: Role
) -> None:
    ident = _make(call, "table")
    for method, path, permission, body in ENDPOINTS:
        response = call(role, method, path.format(w=ident), body)
        if role == Role.ADMIN or role in roles_with(permission):
            assert response.status_code in (200, 201, 400, 409), (path, role)
        else:
            assert response.status_code == 403, (path, role)


def test_nobody_signed_in_gets_401(client: FlaskClient, world: World) -> None:
    headers = {"X-CSRFToken": csrf_token(client)}
    for method, path, _permission, body in ENDPOINTS:
        response = client.open(path.format(w=1), method=method, headers=headers, json=body)
        assert response.status_code == 401, path


def test_a_what_if_its_crashed_process_left_running_shows_failed_and_runs_again(
    call: Caller, client: FlaskClient, sessions: SessionFactory, world: World
) -> None:
    ident = _make(call)
    owner = dead_owner()  # the web worker that ran it was killed mid-run
    stuck_whatif(sessions, ident, owner=owner, started_at=NOW, time_limit=2)
    shown = call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}").get_json()
    assert shown["status"] == "failed"
    assert shown["error"] == f"interrupted: the process running it ({owner}) has ended"
    assert [w["status"] for w in call(Role.VIEWER, "GET", "/api/v1/what-ifs").get_json()] == [
        "failed"
    ]
    assert _run(call, client, ident)["status"] == "done"


def test_a_what_if_running_elsewhere_within_its_time_is_409_to_run_again(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    ident = _make(call)
    stuck_whatif(sessions, ident, owner=elsewhere_owner(), started_at=NOW, time_limit=2)
    again = call(Role.PLANNER, "POST", f"/api/v1/what-ifs/{ident}/run", {"time_limit": 2})
    assert again.status_code == 409 and "is running" in error_of(again)["message"]
    assert call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}").get_json()["status"] == ("running")
