"""Gates through the API: listing, each decision by the right role and refused for the
others, reasons required, the audit log, and a booking that starts only past its gate."""

from __future__ import annotations

from typing import Any

from envsched.audit import log as audit
from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.api_world import Caller, D, World, error_of

GATES = "/api/v1/releases/R1/gates"
UAT_EXIT = {"phase": "R1-UAT", "kind": "exit"}
UAT_ENTRY = {"phase": "R1-UAT", "kind": "entry"}
GO = {"kind": "go_no_go"}


def _states(call: Caller) -> dict[tuple[Any, str], str]:
    response = call(Role.VIEWER, "GET", GATES)
    assert response.status_code == 200
    return {(g["phase"], g["kind"]): g["state"] for g in response.get_json()}


def test_the_gates_of_a_release_are_listed_in_phase_order_then_go_no_go(
    call: Caller, world: World
) -> None:
    gates = call(Role.VIEWER, "GET", GATES).get_json()
    assert [(g["phase"], g["kind"], g["state"], g["signoff_role"]) for g in gates] == [
        ("R1-SIT", "entry", "open", "test_manager"),
        ("R1-SIT", "exit", "open", "test_manager"),
        ("R1-UAT", "entry", "open", "test_manager"),
        ("R1-UAT", "exit", "open", "test_manager"),
        (None, "go_no_go", "open", "release_manager"),
    ]
    assert call(Role.VIEWER, "GET", "/api/v1/releases/R9/gates").status_code == 404


def test_the_test_manager_signs_a_test_phase_exit_and_the_release_manager_may_not(
    call: Caller, world: World
) -> None:
    refused = call(Role.RELEASE_MANAGER, "POST", f"{GATES}/sign", UAT_EXIT)
    assert refused.status_code == 403
    assert "test_manager" in error_of(refused)["message"]
    signed = call(Role.TEST_MANAGER, "POST", f"{GATES}/sign", {**UAT_EXIT, "note": "green"})
    assert signed.status_code == 200
    body = signed.get_json()
    assert (body["state"], body["signed_by"], body["reason"]) == ("signed", "test_manager", "green")
    again = call(Role.TEST_MANAGER, "POST", f"{GATES}/sign", UAT_EXIT)
    assert again.status_code == 409


def test_the_release_manager_signs_go_no_go_and_the_test_manager_may_not(
    call: Caller, world: World
) -> None:
    assert call(Role.TEST_MANAGER, "POST", f"{GATES}/sign", GO).status_code == 403
    assert call(Role.RELEASE_MANAGER, "POST", f"{GATES}/sign", GO).status_code == 200
    assert _states(call)[None, "go_no_go"] == "signed"


def test_a_veto_needs_a_reason_and_is_kept(call: Caller, world: World) -> None:
    missing = call(Role.TEST_MANAGER, "POST", f"{GATES}/veto", UAT_EXIT)
    assert missing.status_code == 400
    assert "reason" in error_of(missing)["fields"]
    vetoed = call(
        Role.RELEASE_MANAGER, "POST", f"{GATES}/veto", {**UAT_EXIT, "reason": "sev-1 defects open"}
    )
    assert vetoed.status_code == 200
    assert vetoed.get_json()["reason"] == "sev-1 defects open"
    assert (
        call(Role.PLANNER, "POST", f"{GATES}/veto", {**UAT_EXIT, "reason": "x"}).status_code == 403
    )


def test_only_the_release_manager_waives(call: Caller, world: World) -> None:
    body = {**UAT_ENTRY, "reason": "environment re-used from SIT"}
    assert call(Role.TEST_MANAGER, "POST", f"{GATES}/waive", body).status_code == 403
    assert call(Role.RELEASE_MANAGER, "POST", f"{GATES}/waive", body).status_code == 200
    assert _states(call)["R1-UAT", "entry"] == "waived"


def test_the_release_manager_defines_criteria(call: Caller, world: World) -> None:
    body = {**UAT_ENTRY, "criteria": "build 4.2.1 deployed", "signoff_role": "environment_manager"}
    assert call(Role.TEST_MANAGER, "PUT", GATES, body).status_code == 403
    defined = call(Role.RELEASE_MANAGER, "PUT", GATES, body)
    assert defined.status_code == 200
    assert defined.get_json()["signoff_role"] == "environment_manager"
    assert call(Role.ENVIRONMENT_MANAGER, "POST", f"{GATES}/sign", UAT_ENTRY).status_code == 200


def test_a_bad_gate_name_is_400_or_404(call: Caller, world: World) -> None:
    unknown_kind = call(Role.ADMIN, "POST", f"{GATES}/sign", {"phase": "R1-UAT", "kind": "middle"})
    assert unknown_kind.status_code == 400
    foreign = call(Role.ADMIN, "POST", f"{GATES}/sign", {"phase": "R2-UAT", "kind": "exit"})
    assert foreign.status_code == 404
    no_phase = call(Role.ADMIN, "POST", f"{GATES}/sign", {"kind": "exit"})
    assert no_phase.status_code == 400


def test_every_decision_is_in_the_audit_log(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    call(Role.TEST_MANAGER, "POST", f"{GATES}/veto", {**UAT_EXIT, "reason": "defects"})
    call(Role.TEST_MANAGER, "POST", f"{GATES}/sign", UAT_EXIT)
    call(Role.RELEASE_MANAGER, "POST", f"{GATES}/waive", {**GO, "reason": "deadline"})
    logged = [(e.action, e.actor) for e in reversed(audit.recent(sessions)) if e.entity == "gate"]
    assert logged == [
        ("gate_veto", "test_manager"),
        ("gate_sign", "test_manager"),
        ("gate_waive", "release_manager"),
    ]


def test_a_phase_booking_starts_only_after_its_entry_gate(
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
    call(Role.TEST_MANAGER, "POST", f"{GATES}/sign", {"phase": "R1-SIT", "kind": "exit"})
    refused = call(Role.ENVIRONMENT_MANAGER, "POST", url)
    assert refused.status_code == 409
    assert "the R1-UAT entry gate is open" in error_of(refused)["message"]
    assert call(Role.TEST_MANAGER, "POST", url).status_code == 403
    call(Role.TEST_MANAGER, "POST", f"{GATES}/sign", UAT_ENTRY)
    started = call(Role.ENVIRONMENT_MANAGER, "POST", url)
    assert started.status_code == 200
    assert started.get_json()["status"] == "in_use"
