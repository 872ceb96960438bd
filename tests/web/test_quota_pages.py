"""Team quotas on the pages: an admin adds a team and puts the test manager in it, an
environment manager sets its quota; a request past it shows the quota on the approvals
queue, is refused without a reason and approved with one; My work shows the team's use;
a test manager may not set quotas."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, BookingRequest, RequestStatus, Role
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.api_world import Caller, error_of
from tests.web.helpers import csrf_token
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]
QUOTA = "Team Payments has used 4 of 5 UAT days in January 2027; this request needs 3"


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict[str, str], back: str) -> str:
    response = client.post(path, data={"csrf_token": csrf_token(client, back), **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    return page(client, response.headers["Location"])


def payments_team(app: Flask, login: Login, user_of: UserOf) -> None:
    """Team Payments (the test manager in it), allowed 5 UAT days a month."""
    admin = app.test_client()
    login(admin, Role.ADMIN)
    user_of(Role.TEST_MANAGER)
    html = post(admin, "/teams/new", {"team": "Payments"}, "/users")
    assert "Team Payments is added." in html
    html = post(admin, "/users/test_manager/team", {"team": "Payments"}, "/users/test_manager")
    assert "test_manager is now in team Payments." in html
    assert "<dt>Team</dt><dd>Payments</dd>" in html
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    html = post(
        manager,
        "/quotas/set",
        {"team": "Payments", "type": "UAT", "days_per_month": "5"},
        "/quotas",
    )
    assert "Team Payments now has 5 UAT days a month." in html


def test_a_request_past_the_quota_waits_for_a_reason_and_is_approved_with_one(
    app: Flask, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    payments_team(app, login, user_of)
    tester = user_of(Role.TEST_MANAGER)
    held = factories.make_request(
        sessions, tester, type="UAT", duration_days=4, status=RequestStatus.APPROVED
    )
    factories.make_booking(sessions, estate.uat2, start=day(7), end=day(11), request_id=held.id)
    request_id = estate.request.id

    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    queue = page(manager, "/approvals")
    assert f"s quota: {QUOTA}. Approve it with a reason" in queue
    assert ">Approve past the quota</button>" in queue
    html = post(manager, f"/approvals/{request_id}/approve", {"slot": ""}, "/approvals")
    assert QUOTA in html and "still open" not in html
    html = post(
        manager,
        f"/approvals/{request_id}/approve",
        {"slot": "", "quota_reason": "release weekend"},
        "/approvals",
    )
    assert f"; recorded: approved over the quota ({QUOTA}): release weekend." in html
    with read_transaction(sessions) as session:
        decided = session.get_one(BookingRequest, request_id)
        assert decided.status == RequestStatus.APPROVED
        assert decided.decision_reason == f"approved over the quota ({QUOTA}): release weekend"
        assert session.exec(select(Booking).where(Booking.request_id == request_id)).one()

    owner = app.test_client()
    login(owner, Role.TEST_MANAGER)
    mine = page(owner, "/my").split('id="quota-h"', 1)[1].split("</section>", 1)[0]
    assert "Quotas of team Payments this month" in mine  # not "Payments's"
    assert "7 of 5 days used in January 2027" in mine and "over by 2" in mine
    quotas = page(manager, "/quotas?month=2027-01")
    assert '<th scope="row">Payments</th><td>UAT</td>' in quotas and "over by 2" in quotas


def test_setting_a_quota_stays_on_the_month_looked_at(
    app: Flask, login: Login, estate: PageWorld, user_of: UserOf
) -> None:
    payments_team(app, login, user_of)
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    looked_at = page(manager, "/quotas?month=2027-03")
    assert 'action="/quotas/set?month=2027-03#quota-form-h"' in looked_at
    response = manager.post(
        "/quotas/set?month=2027-03",
        data={
            "csrf_token": csrf_token(manager, "/quotas"),
            "team": "Payments",
            "type": "UAT",
            "days_per_month": "6",
        },
    )
    assert response.headers["Location"] == "/quotas?month=2027-03"
    html = page(manager, response.headers["Location"])
    assert "<strong>March 2027</strong>" in html and "now has 6 UAT days a month" in html


def test_a_test_manager_neither_sees_nor_sets_quotas_nor_makes_teams(
    app: Flask, login: Login, estate: PageWorld
) -> None:
    tester = app.test_client()
    login(tester, Role.TEST_MANAGER)
    assert 'href="/quotas"' not in page(tester, "/")
    page(tester, "/quotas", 403)
    token = csrf_token(tester, "/my")
    data = {"csrf_token": token, "team": "Payments", "type": "UAT", "days_per_month": "50"}
    assert tester.post("/quotas/set", data=data).status_code == 403
    assert tester.post("/teams/new", data={"csrf_token": token, "team": "X"}).status_code == 403
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    assert 'href="/quotas"' in page(manager, "/")
    assert (
        manager.post(
            "/teams/new", data={"csrf_token": csrf_token(manager, "/quotas"), "team": "X"}
        ).status_code
        == 403
    )


def test_a_bad_quota_is_refused_next_to_its_field(
    app: Flask, login: Login, estate: PageWorld, user_of: UserOf
) -> None:
    payments_team(app, login, user_of)
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    response = manager.post(
        "/quotas/set",
        data={
            "csrf_token": csrf_token(manager, "/quotas"),
            "team": "Payments",
            "type": "UAT",
            "days_per_month": "-3",
        },
    )
    assert response.status_code == 400
    assert "must be 0 or more, not -3" in response.get_data(as_text=True)
    assert "is not a month (YYYY-MM)" in page(manager, "/quotas?month=2027-13")


def test_a_new_request_past_the_quota_says_so_when_it_is_submitted(
    app: Flask, login: Login, estate: PageWorld, user_of: UserOf
) -> None:
    payments_team(app, login, user_of)
    tester = app.test_client()
    login(tester, Role.TEST_MANAGER)
    response = tester.post(
        "/requests/new",
        data={
            "csrf_token": csrf_token(tester, "/requests/new"),
            "type": "UAT",
            "duration_days": "6",
            "earliest_start": str(day(14)),
            "justification": "soak test",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your request for 6 days of UAT is submitted for approval." in html
    assert (
        "Team Payments has used 0 of 5 UAT days in January 2027; this request needs 6: "
        "an environment manager approves it past the quota, or not." in html
    )


def past_the_quota_round(sessions: SessionFactory, estate: PageWorld, user_of: UserOf) -> int:
    """Payments holds 4 of its 5 UAT days of January; a finished round proposes booking
    R1-UAT (which the test manager asked for) on UAT-1 for 3 more."""
    from envsched.models import PlanRun, PlanRunStatus, PlanTrigger
    from envsched.models.round_results import RoundDiff

    tester = user_of(Role.TEST_MANAGER)
    held = factories.make_request(
        sessions, tester, type="UAT", duration_days=4, status=RequestStatus.APPROVED
    )
    factories.make_booking(sessions, estate.uat2, start=day(7), end=day(11), request_id=held.id)
    placed = {"environment": "UAT-1", "start": str(day(7)), "end": str(day(10))}
    run = PlanRun(
        trigger=PlanTrigger.MANUAL,
        status=PlanRunStatus.DONE,
        started_at=factories.NOW,
        finished_at=factories.NOW,
        diff=RoundDiff.model_validate({"placed": [{**placed, "phase": "R1-UAT", "release": "R1"}]}),
    )
    with sessions.begin() as session:
        session.add(run)
    assert run.id is not None
    return run.id


ROUND_QUOTA = QUOTA.replace("this request", "this proposal")


def test_a_round_proposal_past_the_quota_is_accepted_on_its_page_only_with_a_reason(
    app: Flask, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    payments_team(app, login, user_of)
    run_id = past_the_quota_round(sessions, estate, user_of)
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    path = f"/plan-runs/{run_id}"
    html = post(manager, f"{path}/proposals/R1-UAT/accept", {}, path)
    assert ROUND_QUOTA in html
    assert "Why accept past the quota" in html and ">Accept past the quota</button>" in html
    html = post(
        manager, f"{path}/proposals/R1-UAT/accept", {"quota_reason": "go-live weekend"}, path
    )
    assert "The proposal for R1-UAT was applied." in html
    with read_transaction(sessions) as session:
        booked = session.exec(select(Booking).where(Booking.phase_id == estate.uat_phase.id)).one()
        assert booked.request_id == estate.request.id
        assert f"accepted over the quota ({ROUND_QUOTA}): go-live weekend" in booked.note


def test_the_api_accepts_a_proposal_past_the_quota_with_a_reason_and_names_a_blank_one(
    call: Caller, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    from envsched.accounts import create_team, set_team
    from envsched.booking import set_quota

    admin = user_of(Role.ADMIN)
    create_team(sessions, "Payments", actor=admin, now=factories.NOW)
    set_team(sessions, "test_manager", "Payments", actor=admin, now=factories.NOW)
    set_quota(sessions, "Payments", "UAT", 5, actor=admin, now=factories.NOW)
    run_id = past_the_quota_round(sessions, estate, user_of)
    path = f"/api/v1/plan-runs/{run_id}/proposals/R1-UAT/accept"
    refused = call(Role.ENVIRONMENT_MANAGER, "POST", path)
    assert refused.status_code == 409
    assert error_of(refused)["message"].startswith(f"{ROUND_QUOTA}: an environment manager")
    assert error_of(refused)["rule"] == "quota"
    run = call(Role.VIEWER, "GET", f"/api/v1/plan-runs/{run_id}").get_json()
    assert run["diff"]["placed"][0]["refused_rule"] == "quota"
    blank = call(Role.ENVIRONMENT_MANAGER, "POST", path, json={"quota_reason": ""})
    assert blank.status_code == 400 and "quota_reason" in error_of(blank)["fields"]
    done = call(Role.ENVIRONMENT_MANAGER, "POST", path, json={"quota_reason": "go-live"})
    assert done.status_code == 200 and done.get_json()["applied"]
