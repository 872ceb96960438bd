"""The plan-run API: history (paginated), one run, "Re-plan now" (202, 409 while a round
runs) and accepting a run whole or one proposal at a time, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, BookingStatus, Phase, PlanTrigger, Role
from envsched.permissions import roles_with
from envsched.planning.rounds import replan
from envsched.planning.rounds.runlock import round_lock
from envsched.settings import Settings
from tests.envsched.stuck import dead_owner, held_sqlite_lock, stuck_run
from tests.web.api_world import Caller, World, error_of
from tests.web.helpers import NOW, csrf_token
from tests.web.planning_world import block_the_proposal_for
from web.background import join_all

SECONDS = 2


def _round(sessions: SessionFactory, *, dry_run: bool = False) -> int:
    run = replan.replan(
        sessions,
        trigger=PlanTrigger.MANUAL,
        now=NOW,
        dry_run=dry_run,
        time_limit=SECONDS,
        settings=Settings(replan_time_limit=SECONDS),
    )
    assert run.id is not None
    return run.id


def _tentative_phases(sessions: SessionFactory) -> set[str]:
    with read_transaction(sessions) as session:
        rows = session.exec(
            select(Phase.key)
            .join(Booking, col(Booking.phase_id) == col(Phase.id))
            .where(Booking.status == BookingStatus.TENTATIVE)
        ).all()
    return set(rows)


def test_re_plan_now_answers_202_with_the_run_and_records_it(
    call: Caller, client: FlaskClient, world: World
) -> None:
    response = call(Role.PLANNER, "POST", "/api/v1/plan-runs", {"time_limit": SECONDS})
    assert response.status_code == 202
    started = response.get_json()
    assert started["trigger"] == "api" and started["status"] in ("running", "done")
    join_all(client.application)
    run = call(Role.VIEWER, "GET", f"/api/v1/plan-runs/{started['id']}").get_json()
    assert run["status"] == "done" and run["solver_status"] in ("OPTIMAL", "FEASIBLE")
    assert "R1-SIT" in {p["phase"] for p in run["diff"]["placed"]}
    assert set(run["flags"]) >= {"clashes", "shortfalls", "late", "remedies"}
    assert run["metrics"]["placed_phases"] >= 1 and run["open_proposals"] >= 1


def test_re_plan_now_is_409_while_another_round_holds_the_lock(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    with round_lock(sessions, NOW):
        response = call(
            Role.ENVIRONMENT_MANAGER, "POST", "/api/v1/plan-runs", {"time_limit": SECONDS}
        )
    assert response.status_code == 409
    assert error_of(response)["code"] == "replan_busy"
    history = call(Role.VIEWER, "GET", "/api/v1/plan-runs").get_json()
    assert [r["status"] for r in history["items"]] == ["refused"]


def test_the_history_is_paginated_newest_first(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    ids = [_round(sessions, dry_run=True) for _ in range(3)]
    first = call(Role.VIEWER, "GET", "/api/v1/plan-runs", per_page=2).get_json()
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    assert [r["id"] for r in first["items"]] == ids[::-1][:2]
    second = call(Role.VIEWER, "GET", "/api/v1/plan-runs", per_page=2, page=2).get_json()
    assert [r["id"] for r in second["items"]] == [ids[0]]
    assert all(r["dry_run"] for r in first["items"])


def test_accepting_the_whole_run_books_every_proposal_inside_the_days_asked(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    """All but R1-UAT: the world's open request for it asks for days from 1 March, and a
    round never books a phase outside the days asked for it."""
    run_id = _round(sessions)
    proposed = {
        p["phase"]
        for p in call(Role.VIEWER, "GET", f"/api/v1/plan-runs/{run_id}").get_json()["diff"][
            "placed"
        ]
    }
    response = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/plan-runs/{run_id}/accept")
    assert response.status_code == 200
    body = response.get_json()
    [held] = body["last_accept"]["refused"]
    assert held["phase"] == "R1-UAT" and "outside the days asked for it" in held["reason"]
    assert body["open_proposals"] == 1
    assert set(body["last_accept"]["applied"]) == proposed - {"R1-UAT"}
    assert proposed - {"R1-UAT"} <= _tentative_phases(sessions)


def test_accepting_the_run_applies_what_fits_and_lists_each_refused_proposal(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    run_id = _round(sessions)
    blocked = block_the_proposal_for(sessions, run_id, "R1-SIT")
    response = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/plan-runs/{run_id}/accept")
    assert response.status_code == 200
    run = response.get_json()
    assert run["status"] == "done" and not run["applied"] and run["open_proposals"] == 2
    refused = {r["phase"]: r["reason"] for r in run["last_accept"]["refused"]}
    assert f"{blocked} is fully booked" in refused["R1-SIT"]
    assert "outside the days asked for it" in refused["R1-UAT"]  # its request asks March
    assert "R1-SIT" not in _tentative_phases(sessions)
    alone = call(
        Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/plan-runs/{run_id}/proposals/R1-SIT/accept"
    )
    assert alone.status_code == 409 and "fully booked" in error_of(alone)["message"]


def test_dropping_a_refused_proposal_closes_it_and_records_who_and_when(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    run_id = _round(sessions)
    block_the_proposal_for(sessions, run_id, "R1-SIT")
    call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/plan-runs/{run_id}/accept")
    path = f"/api/v1/plan-runs/{run_id}/proposals/R1-UAT/drop"
    assert call(Role.PLANNER, "POST", path).status_code == 403
    response = call(Role.ENVIRONMENT_MANAGER, "POST", path)
    assert response.status_code == 200
    run = response.get_json()
    assert run["open_proposals"] == 1 and not run["applied"]
    [uat] = [p for p in run["diff"]["placed"] if p["phase"] == "R1-UAT"]
    assert uat["dropped"] is True and not uat["applied"]
    [drop] = run["diff"]["drops"]
    assert drop["phase"] == "R1-UAT" and drop["by"] and drop["at"]
    again = call(Role.ENVIRONMENT_MANAGER, "POST", path)
    assert again.status_code == 400 and "phase" in error_of(again)["fields"]
    last = call(Role.ADMIN, "POST", f"/api/v1/plan-runs/{run_id}/proposals/R1-SIT/drop")
    assert last.get_json()["applied"] and last.get_json()["open_proposals"] == 0
    assert "R1-SIT" not in _tentative_phases(sessions)


def test_accepting_one_proposal_leaves_the_others_open(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    run_id = _round(sessions)
    before = call(Role.VIEWER, "GET", f"/api/v1/plan-runs/{run_id}").get_json()
    response = call(Role.ADMIN, "POST", f"/api/v1/plan-runs/{run_id}/proposals/R1-SIT/accept")
    assert response.status_code == 200
    run = response.get_json()
    assert run["open_proposals"] == before["open_proposals"] - 1 and not run["applied"]
    assert [p["applied"] for p in run["diff"]["placed"] if p["phase"] == "R1-SIT"] == [True]
    assert _tentative_phases(sessions) == {"R1-SIT"}
    again = call(Role.ADMIN, "POST", f"/api/v1/plan-runs/{run_id}/proposals/R1-SIT/accept")
    assert again.status_code == 400 and "phase" in error_of(again)["fields"]


def test_a_dry_run_or_an_older_run_cannot_be_accepted(
    call: Caller, sessions: SessionFactory, world: World
) -> None:
    dry = _round(sessions, dry_run=True)
    refused = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/plan-runs/{dry}/accept")
    assert refused.status_code == 409 and "dry run" in error_of(refused)["message"]
    older, _newer = _round(sessions), _round(sessions)
    stale = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/plan-runs/{older}/accept")
    assert stale.status_code == 409 and "out of date" in error_of(stale)["message"]
    assert _tentative_phases(sessions) == set()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/plan-runs/999"),
        ("POST", "/api/v1/plan-runs/999/accept"),
        ("POST", "/api/v1/plan-runs/999/proposals/R1-SIT/accept"),
        ("POST", "/api/v1/plan-runs/999/proposals/R1-SIT/drop"),
    ],
)
def test_an_unknown_run_is_404(call: Caller, world: World, method: str, path: str) -> None:
    response = call(Role.ADMIN, method, path)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": "soon"}, "time_limit"),
        ({"dry_run": "maybe"}, "dry_run"),
        ({"workers": 4}, "workers"),
    ],
)
def test_a_bad_re_plan_body_is_400_naming_the_field(
    call: Caller, world: World, body: dict[str, object], field: str
) -> None:
    response = call(Role.PLANNER, "POST", "/api/v1/plan-runs", body)
    assert response.status_code == 400 and field in error_of(response)["fields"]


# endpoint (method, path), permission; the ids come from a round made for the test
ENDPOINTS = [
    ("GET", "/api/v1/plan-runs", "planruns:read"),
    ("GET", "/api/v1/plan-runs/{run}", "planruns:read"),
    ("POST", "/api/v1/plan-runs/{run}/accept", "planruns:accept"),
    ("POST", "/api/v1/plan-runs/{run}/proposals/R1-SIT/accept", "planruns:accept"),
    ("POST", "/api/v1/plan-runs/{run}/proposals/R1-SIT/drop", "planruns:accept"),
    ("POST", "/api/v1/plan-runs", "planruns:run"),
]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_plan_run_endpoints(
    call: Caller, sessions: SessionFactory, world: World, role: Role
) -> None:
    run_id = _round(sessions, dry_run=True)  # a dry run: accepting it is refused (409)
    for method, path, permission in ENDPOINTS:
        starts = (method, path) == ("POST", "/api/v1/plan-runs")  # accepting: an empty body
        body = {"time_limit": SECONDS, "dry_run": True} if starts else None
        response = call(role, method, path.format(run=run_id), body)
        allowed = role == Role.ADMIN or role in roles_with(permission)
        if not allowed:
            assert response.status_code == 403, (path, role)
            assert f"it needs {permission}" in error_of(response)["message"]
        else:
            assert response.status_code in (200, 202, 409), (path, role, response.get_json())


def test_nobody_signed_in_gets_401(client: FlaskClient, world: World) -> None:
    headers = {"X-CSRFToken": csrf_token(client)}  # what an anonymous page would send
    for method, path, _permission in ENDPOINTS:
        response = client.open(
            path.format(run=1),
            method=method,
            headers=headers,
            json={} if method == "POST" else None,
        )
        assert response.status_code == 401, path


def test_a_run_its_crashed_round_left_running_shows_failed_and_a_new_round_runs(
    call: Caller, client: FlaskClient, sessions: SessionFactory, backend: str, world: World
) -> None:
    stuck = stuck_run(sessions, NOW - dt.timedelta(hours=1))
    if backend == "sqlite":  # the crashed round's claim on the lock, within its time
        held_sqlite_lock(
            sessions, dead_owner(), NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)
        )
    shown = call(Role.VIEWER, "GET", f"/api/v1/plan-runs/{stuck}").get_json()
    assert (shown["status"], shown["error"]) == ("failed", replan.INTERRUPTED)
    listed = call(Role.VIEWER, "GET", "/api/v1/plan-runs").get_json()["items"]
    assert [r["status"] for r in listed] == ["failed"]
    response = call(Role.PLANNER, "POST", "/api/v1/plan-runs", {"time_limit": SECONDS})
    assert response.status_code == 202
    join_all(client.application)
    assert (
        call(Role.VIEWER, "GET", f"/api/v1/plan-runs/{response.get_json()['id']}").get_json()[
            "status"
        ]
        == "done"
    )
