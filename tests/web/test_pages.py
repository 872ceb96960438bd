"""What the pages do: requesting, deciding, and what each page shows."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import select

from envsched.days import days_text
from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, BookingRequest, RequestStatus, Role
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.helpers import csrf_token
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]


def text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def request_status(sessions: SessionFactory, request_id: int) -> RequestStatus:
    with read_transaction(sessions) as session:
        return session.get_one(BookingRequest, request_id).status


def test_the_slots_route_offers_the_earliest_free_days_for_a_phase(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    body = client.get("/requests/slots?phase=R1-UAT&duration=3").get_json()
    # only UAT-1 has the phase's tag; it is free from day 4, but R1-SIT runs until day 5
    assert body["slots"] == [
        {
            "environment": "UAT-1",
            "start": str(day(5)),
            "end": str(day(8)),
            "last_day": str(day(7)),
            "days": "9–11 Jan 2027",
        }
    ]


def test_the_slots_route_refuses_a_nonsense_duration(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    response = client.get("/requests/slots?type=UAT&duration=zero")
    assert response.status_code == 400 and "error" in response.get_json()


def test_a_test_manager_requests_a_phase_and_sees_the_suggested_slot(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.TEST_MANAGER)
    response = client.post(
        "/requests/new",
        data={
            "csrf_token": csrf_token(client, "/requests/new"),
            "phase": "R1-UAT",
            "duration_days": "3",
            "earliest_start": str(day(1)),
            "priority": "2",
            "justification": "regression",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your request for R1-UAT is submitted for approval" in page
    assert "<h1>Request for R1-UAT<span" in page  # the phase, never its id
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert " ".join(re.sub(r"<[^>]+>", " ", heading).split()) == "Request for R1-UAT , pending"
    assert "Release R1, phase R1-UAT: 3 days of UAT, from 5 Jan 2027; asked for by " in page
    assert not re.search(r"Request #\d|#\d+</", page)
    assert "Suggested: UAT-1, 9–11 Jan 2027" in page  # days 5 to 7, after R1-SIT
    with read_transaction(sessions) as session:
        assert len(session.exec(select(BookingRequest)).all()) == 2


def test_the_request_form_offers_only_phases_not_booked_yet(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    form = text(client, "/requests/new")
    assert 'value="R1-UAT"' in form and 'value="R1-SIT"' not in form  # R1-SIT is booked
    found = client.get("/requests/phases?q=R1").get_json()
    assert [p["key"] for g in found["groups"] for p in g["phases"]] == ["R1-UAT"]


def test_the_request_form_says_each_thing_of_a_phase_once(
    client: FlaskClient, login: Login, sessions: SessionFactory, estate: PageWorld
) -> None:
    # a template's phase is named by its type, and its key ends with it
    factories.make_phase(
        sessions, estate.release, key="R1-PERF-SIT", type="SIT", name="SIT", duration_days=8
    )
    factories.make_phase(
        sessions, estate.release, key="R1-E2E", type="SIT", name="End to end", duration_days=1
    )
    login(client, Role.TEST_MANAGER)
    form = text(client, "/requests/new")
    for label in ("R1-PERF-SIT — SIT, 8 days", "R1-E2E — End to end (SIT, 1 day)"):
        assert f">{label}</option>" in form
    assert "(SIT, SIT" not in form and "SIT (SIT" not in form
    found = client.get("/requests/phases?q=R1-PERF").get_json()
    assert [p["label"] for g in found["groups"] for p in g["phases"]] == [
        "R1-PERF-SIT — SIT, 8 days"
    ]


def test_a_request_with_a_bad_date_is_shown_again_with_the_reason(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    response = client.post(
        "/requests/new",
        data={
            "csrf_token": csrf_token(client, "/requests/new"),
            "phase": "R1-UAT",
            "duration_days": "3",
            "earliest_start": str(day(-3)),
        },
    )
    assert response.status_code == 400
    assert "is in the past" in response.get_data(as_text=True)


def test_approving_to_the_suggested_slot_books_it(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    queue = text(client, "/approvals")
    assert "Suggested: UAT-1, 9–11 Jan 2027" in queue
    response = client.post(
        f"/approvals/{estate.request.id}/approve",
        follow_redirects=True,
        data={"csrf_token": csrf_token(client, "/approvals"), "slot": f"UAT-1|{day(5)}"},
    )
    assert "approved: UAT-1, 9–11 Jan 2027" in response.get_data(as_text=True)
    assert request_status(sessions, estate.request.id or 0) == RequestStatus.APPROVED
    with read_transaction(sessions) as session:
        booked = session.exec(select(Booking).where(Booking.request_id == estate.request.id)).one()
    assert (booked.environment_id, booked.start) == (estate.uat1.id, day(5))


def test_approving_to_another_start_on_a_clash_says_why_and_books_nothing(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(sessions, estate.uat1, start=day(6), end=day(8), note="load test")
    login(client, Role.ENVIRONMENT_MANAGER)
    response = client.post(
        f"/approvals/{estate.request.id}/approve",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(client, "/approvals"),
            "slot": "other",
            "environment": "UAT-1",
            "start": str(day(5)),
        },
    )
    assert "fully booked" in response.get_data(as_text=True)
    early = client.post(
        f"/approvals/{estate.request.id}/approve",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(client, "/approvals"),
            "slot": "other",
            "environment": "UAT-1",
            "start": str(day(1)),
        },
    )
    assert "cannot start before R1-SIT is done" in early.get_data(as_text=True)
    assert request_status(sessions, estate.request.id or 0) == RequestStatus.REQUESTED


def test_rejecting_needs_a_reason(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/approvals")
    path = f"/approvals/{estate.request.id}/reject"
    blank = client.post(path, data={"csrf_token": token, "reason": " "}, follow_redirects=True)
    assert "say why the request is rejected" in blank.get_data(as_text=True)
    client.post(path, data={"csrf_token": token, "reason": "release cancelled"})
    assert request_status(sessions, estate.request.id or 0) == RequestStatus.REJECTED


def test_waitlisting_keeps_the_request_in_the_queue(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    client.post(
        f"/approvals/{estate.request.id}/waitlist",
        data={"csrf_token": csrf_token(client, "/approvals")},
    )
    assert request_status(sessions, estate.request.id or 0) == RequestStatus.WAITLISTED
    assert "R1-UAT</a>" in text(client, "/approvals")


def test_the_requester_may_withdraw_an_open_request(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.TEST_MANAGER)
    assert "Withdraw this request" in text(client, f"/requests/{estate.request.id}")
    client.post(
        f"/requests/{estate.request.id}/cancel", data={"csrf_token": csrf_token(client, "/")}
    )
    assert request_status(sessions, estate.request.id or 0) == RequestStatus.CANCELLED


def test_the_environment_list_filters_by_type_and_tag(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    page = text(client, "/environments?type=UAT&tag=mainframe")
    assert ">UAT-1</a>" in page and ">UAT-2</a>" not in page and ">SIT-1</a>" not in page
    assert "1 environment<" in page


def test_an_environment_page_shows_components_windows_and_bookings(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    assert "payments-api" in text(client, "/environments/UAT-1")
    assert "smoke tests" in text(client, "/environments/UAT-1")
    assert "24–25 Jan 2027" in text(client, "/environments/UAT-2")  # days 20 and 21
    assert client.get("/environments/NOPE-9").status_code == 404


def test_the_timeline_filters_by_release(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    page = text(client, "/timeline?release=R1")
    assert "1 booking " in page and "R1-SIT" in page and "smoke tests" not in page


def test_the_timeline_of_one_release_opens_on_its_bookings_months_ahead(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(
        sessions, estate.uat2, phase_id=estate.uat_phase.id, start=day(120), end=day(125)
    )
    far = days_text(day(120), day(125))
    login(client, Role.VIEWER)
    assert far not in text(client, "/timeline")  # nine weeks from last week
    page = text(client, "/timeline?release=R1")
    assert far in page and "R1-SIT" in page


def test_the_timeline_counts_only_the_clashes_of_the_bookings_it_shows(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    overbook_uat_in_week_two(sessions, estate)
    login(client, Role.VIEWER)
    assert "3 of them in a clash" in text(client, f"/timeline?start={day(0)}")
    page = text(client, f"/timeline?start={day(0)}&release=R1")
    assert "0 of them in a clash" in page and "holds 3 live bookings" not in page


def test_a_release_page_lists_its_phases_and_their_bookings(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    page = text(client, "/releases/R1")
    assert "R1-SIT" in page and "R1-UAT" in page and "not booked" in page
    assert "1 of 2" in page
    assert 'href="/gates?release=R1"' in page and 'href="/releases/R1/lifecycle"' in page
    assert client.get("/releases/R404").status_code == 404


def overbook_uat_in_week_two(sessions: SessionFactory, estate: PageWorld) -> None:
    """Three bookings on UAT-1 (capacity 1) in the second week: a clash and a shortfall."""
    for _ in range(3):
        factories.make_booking(
            sessions, estate.uat1, start=day(7), end=day(14), exclusive=False
        )  # past PostgreSQL's guard, as raw SQL could


def test_capacity_lists_a_shortfall_in_environment_days(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.PLANNER)
    assert "No shortfall in these weeks" in text(client, f"/capacity?start={day(0)}&weeks=4")
    overbook_uat_in_week_two(sessions, estate)
    page = text(client, f"/capacity?start={day(0)}&weeks=4&type=UAT")
    # UAT supply in week two: 2 environments x 7 days; demand: 3 x 7 booked days, plus the
    # last day of R1-UAT forecast right after R1-SIT (booked until day 5) for 3 days
    assert (
        '<td>UAT</td><td>11–17 Jan 2027</td><td class="num">22</td>'
        '<td class="num">14</td><td class="num"><strong>8</strong>'
    ) in page


def test_the_dashboard_shows_my_open_requests(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    page = text(client, "/")
    assert "My open requests" in page and not re.search(r">#\d+</a>", page)
    assert ">R1-UAT</a> for " in page and "<td>R1</td>" in page


def test_the_dashboard_shows_clashes_of_the_coming_fortnight_and_shortfalls(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    assert "No clashes." in text(client, "/")
    overbook_uat_in_week_two(sessions, estate)
    page = text(client, "/")
    assert "UAT-1 holds 3 live bookings" in page
    assert "Requests waiting for a decision" in page and not re.search(r">#\d+</a>", page)
    assert ">R1-UAT</a> for " in page
    assert "<td>UAT</td><td>11–17 Jan 2027</td>" in page  # the week, in words


def test_the_dashboard_shows_too_few_changeover_days_as_a_clash(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    env = factories.make_environment(sessions, name="UAT-CO", changeover_days=3)
    factories.make_booking(sessions, env, start=day(2), end=day(5))
    factories.make_booking(sessions, env, start=day(6), end=day(9))
    login(client, Role.VIEWER)
    page = text(client, "/")
    assert "UAT-CO needs 3 changeover days between releases" in page
    assert "1 free day between them" in page


def test_the_audit_log_filters_by_actor(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    client.post(
        f"/approvals/{estate.request.id}/waitlist",
        data={"csrf_token": csrf_token(client, "/approvals")},
    )
    page = text(client, "/audit?actor=environment_manager")
    assert "waitlisted" in page and "1 entry" in page
    assert "0 entries" in text(client, "/audit?actor=nobody")


def test_a_booking_someone_made_directly_is_theirs_on_the_dashboard_and_my_work(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    manager = user_of(Role.ENVIRONMENT_MANAGER)
    factories.make_booking(
        sessions, estate.uat2, start=day(2), end=day(4), note="direct", created_by_id=manager.id
    )
    login(client, Role.ENVIRONMENT_MANAGER)
    assert '"big">1</span> upcoming booking of mine' in text(client, "/")
    mine = text(client, "/my").split('id="bookings-h"', 1)[1].split("</section>", 1)[0]
    assert "direct on UAT-2" in mine  # one rule of whose a booking is (booking.owned_by)
