"""Gates guard the lifecycle through the API: ready, deploy and start answer 409
``gate_not_passed`` naming each gate in the way, and go through once it is signed or
waived."""

from __future__ import annotations

from typing import Any

from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.api_world import Caller, D, World, error_of

REL, TEST, ENV = Role.RELEASE_MANAGER, Role.TEST_MANAGER, Role.ENVIRONMENT_MANAGER
R1 = "/api/v1/releases/R1"
SIT_EXIT = {"phase": "R1-SIT", "kind": "exit"}
UAT_EXIT = {"phase": "R1-UAT", "kind": "exit"}
GO = {"kind": "go_no_go"}


def gate(call: Caller, role: Role, verb: str, body: dict[str, Any]) -> None:
    assert call(role, "POST", f"{R1}/gates/{verb}", body).status_code == 200, (verb, body)


def to_ready(call: Caller) -> Any:
    return call(REL, "POST", f"{R1}/status", {"status": "ready"})


def in_test(call: Caller) -> None:
    assert call(REL, "POST", f"{R1}/status", {"status": "in_test"}).status_code == 200


def test_ready_is_409_naming_each_exit_gate_open_or_vetoed_until_signed_or_waived(
    call: Caller, world: World
) -> None:
    in_test(call)
    gate(call, TEST, "veto", {**UAT_EXIT, "reason": "sev-1 defects open"})
    refused = to_ready(call)
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "gate_not_passed"
    assert error["fields"] == {"R1-SIT exit": "open", "R1-UAT exit": "vetoed: sev-1 defects open"}
    assert [(g["name"], g["state"]) for g in error["gates"]] == [
        ("R1-SIT exit", "open"),
        ("R1-UAT exit", "vetoed"),
    ]
    assert error["message"].startswith(
        "release R1 cannot become ready: the R1-SIT exit gate "
        "is open; the R1-UAT exit gate is vetoed"
    )
    gate(call, TEST, "sign", SIT_EXIT)
    gate(call, REL, "waive", {**UAT_EXIT, "reason": "defects deferred to 4.3"})
    assert to_ready(call).status_code == 200


def test_a_patch_to_ready_is_held_by_the_same_gates(call: Caller, world: World) -> None:
    in_test(call)
    gate(call, TEST, "sign", SIT_EXIT)
    refused = call(REL, "PATCH", R1, {"status": "ready"})
    assert refused.status_code == 409
    assert error_of(refused)["fields"] == {"R1-UAT exit": "open"}
    gate(call, TEST, "sign", UAT_EXIT)
    patched = call(REL, "PATCH", R1, {"status": "ready"})
    assert patched.status_code == 200 and patched.get_json()["status"] == "ready"


def test_a_deployment_is_409_naming_the_go_no_go_until_it_is_signed(
    call: Caller, world: World
) -> None:
    in_test(call)
    gate(call, TEST, "sign", SIT_EXIT)
    gate(call, TEST, "sign", UAT_EXIT)
    assert to_ready(call).status_code == 200
    body = {"deployed_on": "2027-01-04", "backout_plan": "restore snapshot"}
    refused = call(REL, "POST", f"{R1}/deployments", body)
    assert refused.status_code == 409
    assert error_of(refused)["fields"] == {"R1 go/no-go": "open"}
    gate(call, REL, "veto", {**GO, "reason": "CAB said no"})
    vetoed = error_of(call(REL, "POST", f"{R1}/deployments", body))
    assert "the R1 go/no-go gate is vetoed (CAB said no)" in vetoed["message"]
    assert call(REL, "GET", f"{R1}/deployments").get_json() == []
    gate(call, REL, "sign", GO)
    assert call(REL, "POST", f"{R1}/deployments", body).status_code == 201
    assert call(REL, "GET", R1).get_json()["status"] == "deployed"


def test_starting_a_booking_is_409_naming_the_exit_gate_of_the_phase_it_waits_for(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    held = factories.make_booking(
        sessions,
        world.uat1,
        phase_id=world.uat_phase.id,
        start=D("2027-03-01"),
        end=D("2027-03-06"),
    )
    url = f"/api/v1/bookings/{held.id}/start"
    gate(call, TEST, "sign", {"phase": "R1-UAT", "kind": "entry"})
    gate(call, TEST, "veto", {**SIT_EXIT, "reason": "regression failed"})
    refused = call(ENV, "POST", url)
    assert refused.status_code == 409
    assert error_of(refused)["fields"] == {"R1-SIT exit": "vetoed: regression failed"}
    assert call(ENV, "GET", f"/api/v1/bookings/{held.id}").get_json()["status"] == "confirmed"
    gate(call, REL, "waive", {**SIT_EXIT, "reason": "known issue, not in UAT scope"})
    started = call(ENV, "POST", url)
    assert started.status_code == 200 and started.get_json()["status"] == "in_use"


def test_a_direct_booking_in_use_is_409_while_the_phase_entry_gate_is_open(
    call: Caller, world: World
) -> None:
    body = {
        "environment": "SIT-1",
        "start": "2027-01-11",
        "end": "2027-01-15",
        "phase": "R1-SIT",
        "status": "in_use",
    }
    refused = call(ENV, "POST", "/api/v1/bookings", body)
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "gate_not_passed"
    assert error_of(refused)["fields"] == {"R1-SIT entry": "open"}
    gate(call, TEST, "sign", {"phase": "R1-SIT", "kind": "entry"})
    assert call(ENV, "POST", "/api/v1/bookings", body).status_code == 201
