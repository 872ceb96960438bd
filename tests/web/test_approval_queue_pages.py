"""The approvals queue that helps decide: filters, competing requests side by side, the
other environment chosen from the eligible ones with free days, and bulk approval."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from envsched.db import SessionFactory, read_transaction
from envsched.models import BookingRequest, RequestStatus, Role
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.helpers import csrf_token

Login = Callable[..., object]
DAY0 = factories.DAY0


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@dataclass(frozen=True)
class Queue:
    cards: int  # the two CARD requests that want PERF-1 on the same days
    mobile: int
    payments: int  # a UAT request for a phase of PAY-3


@pytest.fixture
def queue(sessions: SessionFactory, user_of: UserOf) -> Queue:
    factories.make_environment(sessions, name="PERF-1", type="PERF")
    perf2 = factories.make_environment(sessions, name="PERF-2", type="PERF", tags=["mainframe"])
    factories.make_environment(sessions, name="UAT-1", type="UAT")
    release = factories.make_release(sessions, key="PAY-3", title="Payments 3")
    phase = factories.make_phase(sessions, release, key="PAY-3-UAT", type="UAT", duration_days=4)
    tom, tara = user_of(Role.TEST_MANAGER, "tom"), user_of(Role.TEST_MANAGER, "tara")
    cards = factories.make_request(
        sessions,
        tom,
        type="PERF",
        duration_days=10,
        earliest_start=day(21),
        priority=3,
        justification="cards peak test",
    )
    mobile = factories.make_request(
        sessions,
        tara,
        type="PERF",
        duration_days=10,
        earliest_start=day(21),
        priority=2,
        justification="mobile peak test",
    )
    payments = factories.make_request(
        sessions, tom, type="UAT", phase_id=phase.id, duration_days=4, earliest_start=day(2)
    )
    factories.make_booking(sessions, perf2, start=day(0), end=day(60))  # free from 5 Mar
    return Queue(cards.id or 0, mobile.id or 0, payments.id or 0)


def page(client: FlaskClient, path: str = "/approvals", status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def status_of(sessions: SessionFactory, request_id: int) -> RequestStatus:
    with read_transaction(sessions) as session:
        return session.get_one(BookingRequest, request_id).status


def test_competing_requests_are_grouped_side_by_side_with_their_suggested_slots(
    client: FlaskClient, login: Login, queue: Queue
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    html = page(client)
    assert "2 requests want PERF-1 on overlapping days" in html
    group = html.split('class="side-by-side"', 1)[1].split("</section>", 1)[0]
    assert group.count('class="request"') == 2
    assert group.count("Suggested: <strong>PERF-1, 25 Jan – 3 Feb 2027</strong>") == 2
    assert "10 days of PERF</a>" in group and "for tom" in group and "for tara" in group
    assert "Requests that compete with none" in html and "PAY-3-UAT</a>" in html
    assert not re.search(r"Request #\d", html)  # words, never ids


def test_the_other_environment_is_chosen_among_the_eligible_ones_with_their_free_days(
    client: FlaskClient, login: Login, queue: Queue
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    html = page(client)
    other = html.split(f'id="env-{queue.cards}"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r"<option value=\"([^\"]*)\">", other) == ["", "PERF-1", "PERF-2"]
    assert "PERF-2: free 5–14 Mar 2027" in other  # after its booking of days 0 to 59


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        pytest.param("?type=UAT", ["PAY-3-UAT"], ["10 days of PERF"], id="type"),
        pytest.param("?release=PAY-3", ["PAY-3-UAT"], ["10 days of PERF"], id="release"),
        pytest.param("?week=2027-W04", ["10 days of PERF"], ["PAY-3-UAT"], id="week"),
        pytest.param("?week=2027-W01", ["PAY-3-UAT"], ["10 days of PERF"], id="week-first"),
        pytest.param("?week=2026-W52", [], ["PAY-3-UAT", "10 days of PERF"], id="week-before"),
    ],
)
def test_the_queue_filters_by_type_release_and_week(
    client: FlaskClient, login: Login, queue: Queue, query: str, shown: list[str], hidden: list[str]
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    html = page(client, f"/approvals{query}")
    main = html.split('id="main"', 1)[1].split('class="filters"', 1)[1].split("</form>", 1)[1]
    assert all(text in main for text in shown) and not any(text in main for text in hidden)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("?week=next", "week: 'next' is not a week", id="week"),
        pytest.param("?week=2027-W60", "week: '2027-W60' is not a week", id="week-60"),
        pytest.param("?type=GPU", "type: there is no environment type 'GPU'", id="type"),
        pytest.param(
            "?release=R99", "release: no open request is for a release 'R99'", id="release"
        ),
    ],
)
def test_a_filter_that_cannot_be_read_is_dropped_with_a_message(
    client: FlaskClient, login: Login, queue: Queue, query: str, message: str
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    html = page(client, f"/approvals{query}")
    assert message in html.replace("&#39;", "'") and "PAY-3-UAT</a>" in html


def test_bulk_approval_approves_one_and_refuses_the_clash_naming_the_rule(
    client: FlaskClient, login: Login, queue: Queue, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/approvals")
    ticked = [f"{queue.mobile}|PERF-1|{day(21)}", f"{queue.cards}|PERF-1|{day(21)}"]
    response = client.post(
        "/approvals/bulk", data={"csrf_token": token, "approve": ticked, "type": "PERF"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/approvals?type=PERF"
    html = page(client, "/approvals?type=PERF")
    assert (
        "Approved: 10 days of PERF for tom (“cards peak test”) on PERF-1, 25 Jan – 3 Feb 2027."
    ) in html
    assert (
        "Refused: 10 days of PERF for tara (“mobile peak test”) on PERF-1, "
        "25 Jan – 3 Feb 2027 — the capacity rule: PERF-1 is fully booked on "
        "25 Jan – 3 Feb 2027."
    ) in html
    assert status_of(sessions, queue.cards) == RequestStatus.APPROVED
    assert status_of(sessions, queue.mobile) == RequestStatus.REQUESTED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({}, "approve: choose at least one request to approve", id="none-ticked"),
        pytest.param({"approve": "1|PERF-1|tomorrow"}, "approve: each ticked slot names", id="bad"),
        pytest.param(
            {"approve": "1||2027-02-01"}, "approve: each ticked slot names", id="no-environment"
        ),
    ],
)
def test_a_bulk_approval_of_nothing_or_nonsense_says_so(
    client: FlaskClient,
    login: Login,
    queue: Queue,
    sessions: SessionFactory,
    data: dict[str, str],
    message: str,
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/approvals")
    client.post("/approvals/bulk", data={"csrf_token": token, **data})
    assert message in page(client)
    assert status_of(sessions, queue.cards) == RequestStatus.REQUESTED


def test_a_bulk_approval_without_the_csrf_token_is_refused(
    client: FlaskClient, login: Login, queue: Queue, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = client.post("/approvals/bulk", data={"approve": f"{queue.cards}|PERF-1|{day(21)}"})
    assert response.status_code == 400
    assert status_of(sessions, queue.cards) == RequestStatus.REQUESTED


@pytest.mark.parametrize("role", [Role.TEST_MANAGER, Role.VIEWER, Role.PLANNER])
def test_only_environment_managers_approve_in_bulk(
    client: FlaskClient, login: Login, queue: Queue, sessions: SessionFactory, role: Role
) -> None:
    login(client, role)
    response = client.post(
        "/approvals/bulk",
        data={"csrf_token": csrf_token(client, "/"), "approve": f"{queue.cards}|PERF-1|{day(21)}"},
    )
    assert response.status_code == 403
    assert status_of(sessions, queue.cards) == RequestStatus.REQUESTED


def test_approving_one_keeps_the_filters_and_names_the_request_in_words(
    client: FlaskClient, login: Login, queue: Queue
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = client.post(
        f"/approvals/{queue.payments}/approve",
        data={
            "csrf_token": csrf_token(client, "/approvals"),
            "slot": "other",
            "environment": "UAT-1",
            "start": "",
            "release": "PAY-3",
        },
    )
    assert response.headers["Location"] == "/approvals?release=PAY-3"
    assert "PAY-3-UAT for tom approved: UAT-1, 6–9 Jan 2027." in page(client)
