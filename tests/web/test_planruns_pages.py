"""Plan-run and what-if pages for every role, and the actions through them."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from envsched.days import day_text, days_text
from envsched.db import SessionFactory
from envsched.models import Role
from envsched.permissions import PERMISSIONS
from envsched.planning.whatif import service as whatif
from tests.envsched.factories import diff_of
from tests.envsched.stuck import dead_owner, held_sqlite_lock, stuck_run, stuck_whatif
from tests.web.api_world import World
from tests.web.helpers import NOW, csrf_token
from tests.web.planning_world import a_round, block_the_proposal_for
from web.background import join_all

Login = Callable[..., object]
D = dt.date.fromisoformat
PAGES = [
    ("/plan-runs", "planruns:read"),
    ("/plan-runs/{run}", "planruns:read"),
    ("/what-ifs", "whatif:read"),
    ("/what-ifs/{w}", "whatif:read"),
    ("/what-ifs/{w}/scenario.json", "whatif:read"),
]
ACTIONS = [
    ("/plan-runs/{run}/accept", "planruns:accept"),
    ("/plan-runs/{run}/proposals/R1-SIT/accept", "planruns:accept"),
    ("/plan-runs/{run}/proposals/R1-SIT/drop", "planruns:accept"),
    ("/what-ifs/new", "whatif:write"),
    ("/what-ifs/{w}/changes", "whatif:write"),
    ("/what-ifs/{w}/changes/0/remove", "whatif:write"),
    ("/what-ifs/{w}/run", "whatif:write"),
    ("/what-ifs/{w}/promote", "whatif:promote"),
    ("/solves/{run}/cancel", "planruns:run"),
    ("/plan-runs/start", "planruns:run"),
]


def _ids(sessions: SessionFactory) -> dict[str, int]:
    run = a_round(sessions)
    row = whatif.create_whatif(sessions, "pages", actor=None, now=NOW)
    whatif.add_change(
        sessions, row.id or 0, {"kind": "delay_release", "release": "R1", "days": 2}, actor=None
    )
    return {"run": run.id or 0, "w": row.id or 0}


def allowed(role: Role, permission: str) -> bool:
    return role == Role.ADMIN or role in PERMISSIONS[permission]


@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_each_role_by_the_matrix(
    client: FlaskClient, login: Login, sessions: SessionFactory, world: World, role: Role
) -> None:
    ids = _ids(sessions)
    login(client, role)
    for path, permission in PAGES:
        status = client.get(path.format(**ids)).status_code
        assert status == (200 if allowed(role, permission) else 403), (path, role)


@pytest.mark.parametrize("role", list(Role))
def test_actions_are_refused_outside_the_matrix(
    client: FlaskClient, login: Login, sessions: SessionFactory, world: World, role: Role
) -> None:
    ids = _ids(sessions)
    login(client, role)
    token = csrf_token(client, "/")
    for path, permission in ACTIONS:
        response = client.post(path.format(**ids), data={"csrf_token": token})
        assert response.status_code == (302 if allowed(role, permission) else 403), path
    join_all(client.application)


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, world: World) -> None:
    for path, _ in PAGES:
        response = client.get(path.format(run=1, w=1))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_run_and_what_if_pages_are_404(
    client: FlaskClient, login: Login, world: World
) -> None:
    login(client, Role.VIEWER)
    assert client.get("/plan-runs/99").status_code == 404
    assert client.get("/what-ifs/99").status_code == 404


def test_re_plan_now_and_accepting_through_the_pages(
    client: FlaskClient, login: Login, world: World
) -> None:
    viewer = client.application.test_client()
    login(viewer, Role.VIEWER)
    listed = viewer.get("/plan-runs").get_data(as_text=True)
    assert 'id="replan-now"' not in listed
    assert "<code>" not in listed and "envsched replan" not in listed  # no commands
    login(client, Role.ENVIRONMENT_MANAGER)
    assert 'id="replan-now"' in client.get("/plan-runs").get_data(as_text=True)
    started = client.post("/plan-runs/start", data={"csrf_token": csrf_token(client, "/")})
    assert started.status_code == 302
    join_all(client.application)
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "R1-SIT" in page and "Accept all" in page and "Newly placed phases" in page
    run_path = started.headers["Location"]
    done = client.post(
        f"{run_path}/proposals/R1-SIT/accept",
        data={"csrf_token": csrf_token(client, "/")},
        follow_redirects=True,
    )
    assert "The proposal for R1-SIT was applied." in done.get_data(as_text=True)


def test_accept_all_on_the_page_says_what_was_refused_and_keeps_its_accept_button(
    client: FlaskClient, login: Login, sessions: SessionFactory, world: World
) -> None:
    run = a_round(sessions)
    blocked = block_the_proposal_for(sessions, run.id or 0, "R1-SIT")
    login(client, Role.ENVIRONMENT_MANAGER)
    page = client.post(
        f"/plan-runs/{run.id}/accept",
        data={"csrf_token": csrf_token(client, "/")},
        follow_redirects=True,
    ).get_data(as_text=True)
    # R1-SIT is blocked here; R1-UAT goes where the world's open request for it (from
    # 1 Mar 2027) did not ask, which a round never books
    applied = len(diff_of(run).placed) + len(diff_of(run).moved) - 2
    assert f"{applied} proposal{'' if applied == 1 else 's'} applied." in page
    assert f"The proposal for R1-SIT was refused: {blocked} is fully booked" in page
    assert "The proposal for R1-UAT was refused: R1-UAT on UAT-1" in page
    assert "is outside the days asked for it" in page
    for phase in ("R1-SIT", "R1-UAT"):
        assert f'id="refused-{phase}"' in page
        assert f'aria-label="Accept the proposal for {phase}"' in page
    assert page.count('aria-label="Accept the proposal for') == 2
    assert "Accept all 2 open proposals" in page
    # the run's page and the list say how much applied, as people would
    said = f"{applied or 'none'} of {applied + 2} applied, 2 refused"
    assert f'<dd id="applied">{said}</dd>' in page
    assert f"<td>{said}</td>" in client.get("/plan-runs").get_data(as_text=True)
    # the open request's page says what the round found, from the run's record
    [uat] = [p for p in diff_of(run).placed if p.phase == "R1-UAT"]
    where = f"{uat.environment}, {days_text(D(uat.start), D(uat.end))}"
    page = client.get(f"/requests/{world.request.id}").get_data(as_text=True)
    asked = html.unescape(re.sub(r"</?span[^>]*>", "", page))  # keys kept whole: read the words
    said_here = page.split('id="round-refusal">', 1)[1].split("</p>", 1)[0]
    assert f'<span class="nowrap">{uat.environment}</span>' in said_here
    assert (
        f"The re-plan of 4 Jan 2027, 09:00 found room for R1-UAT only on {where}, before the "
        "days asked for (from 1 Mar 2027); the request stays open for an approver." in asked
    )
    assert "No environment has the free days" not in asked


def test_a_refused_proposal_is_dropped_from_its_page_and_no_longer_open(
    client: FlaskClient, login: Login, sessions: SessionFactory, world: World
) -> None:
    run = a_round(sessions)
    block_the_proposal_for(sessions, run.id or 0, "R1-SIT")
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/")
    client.post(f"/plan-runs/{run.id}/accept", data={"csrf_token": token})
    page = client.get(f"/plan-runs/{run.id}").get_data(as_text=True)
    assert page.count("Drop this proposal") == 2
    page = client.post(
        f"/plan-runs/{run.id}/proposals/R1-UAT/drop",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The proposal for R1-UAT was dropped" in page
    # one left open, said in the singular; the dropped one keeps no button
    assert "Accept the open proposal<" in page and "Accept all 1" not in page
    assert page.count('aria-label="Accept the proposal for') == 1
    assert page.count("Drop this proposal") == 1
    applied = len(diff_of(run).placed) + len(diff_of(run).moved) - 2
    said = f"{applied or 'none'} of {applied + 2} applied, 1 refused, 1 dropped"
    assert f'<dd id="applied">{said}</dd>' in page
    drops = page.split('id="drops">', 1)[1].split("</ul>", 1)[0]
    assert "dropped the proposal for" in drops and "R1-UAT" in drops
    client.post(f"/plan-runs/{run.id}/proposals/R1-SIT/drop", data={"csrf_token": token})
    page = client.get(f"/plan-runs/{run.id}").get_data(as_text=True)
    assert "Drop this proposal" not in page and 'id="accept-all"' not in page
    assert 'aria-label="Accept the proposal for' not in page
    assert f'<dd id="applied">{applied or "none"} of {applied + 2} applied, 2 dropped' in page
    listed = client.get("/plan-runs").get_data(as_text=True)
    assert f"{applied or 'none'} of {applied + 2} applied, 2 dropped" in listed


def test_the_what_if_editor_adds_runs_compares_and_names_bad_fields(
    client: FlaskClient, login: Login, world: World
) -> None:
    login(client, Role.PLANNER)
    token = csrf_token(client, "/")
    made = client.post("/what-ifs/new", data={"csrf_token": token, "name": "ed"})
    path = made.headers["Location"]
    bad = client.post(
        f"{path}/changes",
        follow_redirects=True,
        data={
            "csrf_token": token,
            "kind": "add_environment",
            "add_environment-id": "UAT-9",
            "add_environment-type": "UAT",
            "add_environment-capacity": "lots",
        },
    )
    assert "Add an environment, Capacity: " in bad.get_data(as_text=True)
    good = client.post(
        f"{path}/changes",
        follow_redirects=True,
        data={
            "csrf_token": token,
            "kind": "add_environment",
            "add_environment-id": "UAT-9",
            "add_environment-type": "UAT",
            "add_environment-tags": "mainframe",
        },
    )
    assert "add environment UAT-9 (UAT, capacity 1)" in good.get_data(as_text=True)
    assert '<label for="add_environment-id">Name' in good.get_data(as_text=True)
    again = client.post(
        f"{path}/changes",
        follow_redirects=True,
        data={
            "csrf_token": token,
            "kind": "add_environment",
            "add_environment-id": "UAT-9",
            "add_environment-type": "UAT",
        },
    )
    said = html.unescape(again.get_data(as_text=True))
    assert "Add an environment, Name: environment 'UAT-9' already exists" in said
    assert "changes[" not in said and "add_environment.id" not in said
    running = client.post(
        f"{path}/run", data={"csrf_token": token, "time_limit": "2"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "data-poll-url" in running
    join_all(client.application)
    page = client.get(path).get_data(as_text=True)
    assert 'id="comparison-table"' in page and 'id="baseline-chart"' not in page  # one chart
    assert 'id="whatif-chart"' in page and "UAT-9" in page
    assert 'id="promote"' not in page  # planners run; environment managers promote


def test_runs_a_crashed_process_left_running_show_as_failed_interrupted_on_the_pages(
    client: FlaskClient, login: Login, sessions: SessionFactory, backend: str, world: World
) -> None:
    stuck = stuck_run(sessions, NOW - dt.timedelta(hours=1))
    if backend == "sqlite":  # the crashed round's claim on the lock, within its time
        held_sqlite_lock(
            sessions, dead_owner(), NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)
        )
    row = whatif.create_whatif(sessions, "stuck", actor=None, now=NOW)
    stuck_whatif(sessions, row.id or 0, owner=dead_owner(), started_at=NOW, time_limit=2)
    login(client, Role.VIEWER)
    for path in (f"/plan-runs/{stuck}", f"/what-ifs/{row.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "interrupted: " in page and "data-poll-url" not in page, path
        assert "status-failed" in page, path


def test_a_queued_round_shows_its_place_and_is_cancelled_from_its_page(
    client: FlaskClient, login: Login, world: World
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    started = client.post("/plan-runs/start", data={"csrf_token": csrf_token(client, "/")})
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "place 1 in the queue (it runs next)" in page and 'id="cancel-solve"' in page
    assert _badges(page) == ["queued"]  # not "running" while it waits for the worker
    assert _badges(client.get("/plan-runs").get_data(as_text=True))[0] == "queued"
    run_id = int(started.headers["Location"].rsplit("/", 1)[1])
    answer = client.get(f"/api/v1/plan-runs/{run_id}").get_json()
    assert (answer["status"], answer["queue"]["status"]) == ("running", "queued")
    viewer = client.application.test_client()
    login(viewer, Role.VIEWER)
    assert 'id="cancel-solve"' not in viewer.get(started.headers["Location"]).get_data(as_text=True)
    job = re.search(r'action="/solves/(\d+)/cancel"', page)
    assert job is not None
    cancelled = client.post(
        f"/solves/{job[1]}/cancel",
        data={"csrf_token": csrf_token(client, "/")},
        follow_redirects=True,
    )
    text = cancelled.get_data(as_text=True)
    assert "This round was cancelled:" in text and "before it ran" in text
    assert "cancelled by " in text and " UTC, before it ran" in text  # by whom and when
    assert "failed" not in text and _badges(text) == ["cancelled"]
    assert 'id="cancel-solve"' not in text
    join_all(client.application)  # nothing is left to run: the cancelled round stays so
    assert "This round was cancelled:" in client.get(started.headers["Location"]).get_data(
        as_text=True
    )
    assert _badges(client.get("/plan-runs").get_data(as_text=True))[0] == "cancelled"
    assert client.get(f"/api/v1/plan-runs/{run_id}").get_json()["status"] == "cancelled"


def test_a_queued_whatif_says_queued_and_a_cancelled_one_says_so_and_runs_again(
    client: FlaskClient, login: Login, sessions: SessionFactory, world: World
) -> None:
    row = whatif.create_whatif(sessions, "waits", actor=None, now=NOW)
    login(client, Role.PLANNER)
    path = f"/what-ifs/{row.id}"
    client.post(f"{path}/run", data={"csrf_token": csrf_token(client, "/"), "time_limit": "2"})
    page = client.get(path).get_data(as_text=True)
    assert "place 1 in the queue" in page and _badges(page) == ["queued"]
    assert "queued" in _badges(client.get("/what-ifs").get_data(as_text=True))
    answer = client.get(f"/api/v1/what-ifs/{row.id}").get_json()
    assert (answer["status"], answer["queue"]["status"], answer["queue"]["place"]) == (
        "running",
        "queued",
        1,
    )
    client.post(
        f"/solves/{answer['queue']['job']}/cancel", data={"csrf_token": csrf_token(client, "/")}
    )
    page = client.get(path).get_data(as_text=True)
    assert _badges(page) == ["cancelled"] and 'id="run-cancelled"' in page
    assert "The last run was cancelled: cancelled by " in page and "failed" not in page
    assert _badges(client.get("/what-ifs").get_data(as_text=True)) == ["cancelled"]
    assert client.get(f"/api/v1/what-ifs/{row.id}").get_json()["status"] == "cancelled"
    assert 'id="run-whatif"' in page  # a cancelled what-if can be run again
    client.post(f"{path}/run", data={"csrf_token": csrf_token(client, "/"), "time_limit": "2"})
    join_all(client.application)
    assert _badges(client.get(path).get_data(as_text=True)) == ["done"]


def _badges(page: str) -> list[str]:
    """The status badges a page shows, in order."""
    return re.findall(r'<span class="badge status-[a-z_]+">([a-z ]+)</span>', page)


def test_the_planners_own_figures_are_named_in_words_with_the_last_day_in_words(
    client: FlaskClient, login: Login, sessions: SessionFactory, world: World
) -> None:
    run = a_round(sessions)
    login(client, Role.VIEWER)
    page = client.get(f"/plan-runs/{run.id}").get_data(as_text=True)
    figures = page.split('class="figures"', 1)[1].split("</details>", 1)[0]
    for raw in ("placed_phases", "weighted_tardiness", "makespan_days", "last_end"):
        assert raw not in figures
    assert "Days late, weighted by priority" in figures
    last = dt.date.fromisoformat(run.metrics["last_end"]) - dt.timedelta(days=1)
    said = re.sub(r"</?span[^>]*>", "", figures)
    assert f'<td>Last test ends</td><td class="num">{day_text(last)}</td>' in said
    assert str(run.metrics["placed_phases"]) in figures  # the precise figures stay
