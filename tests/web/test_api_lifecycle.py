"""/api/v1 release strategy, windows, templates, status flow, deployments and links."""

from __future__ import annotations

import pytest

from envsched.models import Role
from tests.web.api_world import Caller, World, error_of

REL = Role.RELEASE_MANAGER
TEMPLATE = {
    "name": "minor",
    "release_type": "minor",
    "phases": [
        {"name": "SIT", "type": "SIT", "duration_days": 4},
        {"name": "UAT", "type": "UAT", "duration_days": 3, "gap_days": 1},
    ],
}


def test_a_release_manager_publishes_a_quarterly_plan_everyone_reads(
    call: Caller, world: World
) -> None:
    made = call(
        REL,
        "POST",
        "/api/v1/release-strategies",
        {
            "name": "q",
            "cadence": "quarterly",
            "anchor": "2027-02-26",
            "window_days": 30,
            "freeze_days": 7,
        },
    )
    assert made.status_code == 201
    published = call(REL, "POST", "/api/v1/release-strategies/q/publish").get_json()
    assert [w["go_live"] for w in published] == [
        "2027-02-26",
        "2027-05-26",
        "2027-08-26",
        "2027-11-26",
    ]
    seen = call(Role.VIEWER, "GET", "/api/v1/release-windows").get_json()
    assert [(w["name"], w["strategy"], w["cutoff"]) for w in seen[:2]] == [
        ("2027 Q1", "q", "2027-02-19"),
        ("2027 Q2", "q", "2027-05-19"),
    ]


def test_a_bad_strategy_is_refused_naming_the_field(call: Caller, world: World) -> None:
    response = call(
        REL,
        "POST",
        "/api/v1/release-strategies",
        {"name": "x", "cadence": "weekly", "anchor": "2027-02-26"},
    )
    assert response.status_code == 400 and "cadence" in error_of(response)["fields"]


def test_a_release_from_a_template_has_phases_and_booking_requests(
    call: Caller, world: World
) -> None:
    assert call(REL, "POST", "/api/v1/release-templates", TEMPLATE).status_code == 201
    made = call(
        REL,
        "POST",
        "/api/v1/release-templates/minor/releases",
        {"key": "R5", "earliest_start": "2027-02-01", "due": "2027-03-01"},
    )
    assert made.status_code == 201
    assert [p["key"] for p in made.get_json()["phases"]] == ["R5-SIT", "R5-UAT"]
    requests = call(Role.VIEWER, "GET", "/api/v1/requests", per_page=200).get_json()["items"]
    mine = {
        r["phase"]: (r["earliest_start"], r["latest_end"])
        for r in requests
        if (r["phase"] or "").startswith("R5-")
    }
    assert mine == {"R5-SIT": ("2027-02-01", "2027-02-25"), "R5-UAT": ("2027-02-06", "2027-03-01")}


def test_a_release_goes_live_and_is_backed_out_through_the_api(call: Caller, world: World) -> None:
    for phase in ("R1-SIT", "R1-UAT"):  # the gates ready and the deployment need
        assert (
            call(
                Role.TEST_MANAGER,
                "POST",
                "/api/v1/releases/R1/gates/sign",
                {"phase": phase, "kind": "exit"},
            ).status_code
            == 200
        )
    assert (
        call(REL, "POST", "/api/v1/releases/R1/gates/sign", {"kind": "go_no_go"}).status_code == 200
    )
    for status in ("in_test", "ready"):
        assert (
            call(REL, "POST", "/api/v1/releases/R1/status", {"status": status}).status_code == 200
        )
    deployed = call(
        REL,
        "POST",
        "/api/v1/releases/R1/deployments",
        {"deployed_on": "2027-01-04", "backout_plan": "restore snapshot"},
    )
    assert deployed.status_code == 201 and deployed.get_json()["release"] == "R1"
    backed = call(REL, "POST", "/api/v1/releases/R1/back-out", {"reason": "INC9 outage"})
    assert backed.get_json()["backed_out"] is True
    history = call(Role.VIEWER, "GET", "/api/v1/releases/R1/status-history").get_json()
    assert [h["to_status"] for h in history] == ["in_test", "ready", "deployed", "backed_out"]


def test_a_step_off_the_flow_is_409_naming_both_statuses(call: Caller, world: World) -> None:
    response = call(REL, "POST", "/api/v1/releases/R1/status", {"status": "ready"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "invalid_transition"
    assert "R1 is planned and cannot become ready" in error["message"]


def test_links_to_changes_are_listed_for_everyone(call: Caller, world: World) -> None:
    link = {
        "kind": "change",
        "system": "ServiceNow",
        "key": "CHG1",
        "url": "https://sn.example/CHG1",
    }
    assert call(REL, "POST", "/api/v1/releases/R1/links", link).status_code == 201
    assert call(REL, "POST", "/api/v1/releases/R1/links", link).status_code == 400
    listed = call(Role.VIEWER, "GET", "/api/v1/releases/R1/links").get_json()
    assert [(x["kind"], x["key"]) for x in listed] == [("change", "CHG1")]


def test_a_link_url_must_be_http(call: Caller, world: World) -> None:
    response = call(
        REL,
        "POST",
        "/api/v1/releases/R1/links",
        {"kind": "incident", "system": "Jira", "key": "OPS-1", "url": "javascript:alert(1)"},
    )
    assert response.status_code == 400 and "url" in error_of(response)["fields"]


@pytest.mark.parametrize(
    "role", [Role.TEST_MANAGER, Role.ENVIRONMENT_MANAGER, Role.PLANNER, Role.VIEWER]
)
def test_only_release_managers_write_the_lifecycle(call: Caller, world: World, role: Role) -> None:
    for path, body in [
        ("/api/v1/release-templates", TEMPLATE),
        ("/api/v1/releases/R1/status", {"status": "in_test"}),
        ("/api/v1/release-strategies", {"name": "m", "cadence": "monthly", "anchor": "2027-02-01"}),
    ]:
        response = call(role, "POST", path, body)
        assert response.status_code == 403, path
    assert call(role, "GET", "/api/v1/release-templates").status_code == 200
    assert call(role, "GET", "/api/v1/release-windows").status_code == 200
