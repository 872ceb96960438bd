"""What the timeline's gestures lead to, on the server: days chosen on a lane open the
request form or the direct booking form prefilled, and each books or asks as its role
may; a dragged bar is moved through the move API, and a refusal names the rule (SQLite
and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import col, select
from werkzeug.test import TestResponse

from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, BookingRequest, Role
from tests.envsched import factories
from tests.web.forms import field_errors, page_text, post
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]
Headers = Callable[[FlaskClient], dict[str, str]]


def chosen(environment: str, first: int, last: int) -> str:
    return f"environment={environment}&start={day(first)}&last_day={day(last)}"


def test_the_request_form_opens_on_the_days_chosen_and_asks_for_that_environment(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.TEST_MANAGER)
    page = page_text(client, f"/requests/new?{chosen('UAT-2', 8, 11)}")
    assert "<option selected>UAT-2</option>" in page
    assert "<option selected>UAT</option>" in page  # its type
    assert f'name="earliest_start" type="date" required value="{day(8)}"' in page
    assert f'value="{day(12)}"' in page and 'value="4"' in page  # must end by; days needed
    assert 'id="fixed" name="fixed" type="checkbox" checked' in page
    answer = post(
        client,
        "/requests/new",
        {
            "phase": "",
            "type": "UAT",
            "environment": "UAT-2",
            "duration_days": "4",
            "earliest_start": str(day(8)),
            "latest_end": str(day(12)),
            "fixed": "on",
            "priority": "1",
            "justification": "chosen on the timeline",
        },
    )
    assert answer.status_code == 302, field_errors(answer)
    with read_transaction(sessions) as session:
        made = session.exec(select(BookingRequest).order_by(col(BookingRequest.id).desc())).first()
    assert made is not None and made.environments == ["UAT-2"] and made.fixed
    assert (made.earliest_start, made.duration_days) == (day(8), 4)


def test_a_request_for_an_unknown_environment_is_refused_at_the_field(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    answer = post(
        client,
        "/requests/new",
        {
            "type": "UAT",
            "environment": "UAT-9",
            "duration_days": "2",
            "earliest_start": str(day(8)),
            "priority": "1",
        },
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'id="environment-error" role="alert"' in page
    assert "no environment named UAT-9" in page.split('id="environment-error"')[1][:120]


def test_days_that_do_not_read_as_dates_leave_the_form_as_it_opens(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    page = page_text(client, "/requests/new?environment=UAT-2&start=soon&last_day=")
    assert "<option selected>UAT-2</option>" in page
    assert 'id="fixed" name="fixed" type="checkbox" >' in page


def test_an_environment_manager_books_the_days_chosen_outright(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, f"/bookings/new?{chosen('UAT-2', 8, 11)}")
    assert '<option value="UAT-2" selected>UAT-2</option>' in page
    assert f'name="start" type="date" value="{day(8)}"' in page
    assert f'name="last_day" type="date" value="{day(11)}"' in page
    assert '<option value="R1-UAT">R1-UAT — UAT, 3 days</option>' in page  # UAT phases only
    assert "R1-SIT" not in page.split('id="phase"')[1].split("</select>")[0]
    answer = post(
        client,
        "/bookings/new",
        {
            "environment": "UAT-2",
            "start": str(day(8)),
            "last_day": str(day(11)),
            "phase": "",
            "status": "confirmed",
            "note": "vendor drop",
        },
    )
    assert answer.status_code == 302, field_errors(answer)
    with read_transaction(sessions) as session:
        made = session.exec(select(Booking).where(Booking.note == "vendor drop")).one()
    assert (made.start, made.end) == (day(8), day(12))
    assert answer.headers["Location"] == f"/bookings/{made.id}"
    shown = page_text(client, f"/bookings/{made.id}")
    assert "Booked: vendor drop on UAT-2, 12–15 Jan 2027." in shown


def test_a_direct_booking_into_a_freeze_is_refused_naming_the_rule(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_freeze(
        sessions, name="close", start=day(10), end=day(12), types=["UAT"], reason="quarter close"
    )
    login(client, Role.ENVIRONMENT_MANAGER)
    answer = post(
        client,
        "/bookings/new",
        {
            "environment": "UAT-2",
            "start": str(day(9)),
            "last_day": str(day(10)),
            "status": "confirmed",
        },
    )
    assert answer.status_code == 409
    assert field_errors(answer) == {
        "start": "Change freeze: a freeze covers UAT on 14–15 Jan 2027 (quarter close)"
    }


def test_a_direct_booking_names_each_bad_field(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    answer = post(
        client,
        "/bookings/new",
        {"environment": "", "start": "tomorrow", "last_day": str(day(3)), "status": "confirmed"},
    )
    assert answer.status_code == 400
    assert field_errors(answer) == {
        "environment": "choose an environment",
        "start": "'tomorrow' is not a date (YYYY-MM-DD)",
    }
    backwards = post(
        client,
        "/bookings/new",
        {
            "environment": "UAT-2",
            "start": str(day(9)),
            "last_day": str(day(8)),
            "status": "confirmed",
        },
    )
    assert field_errors(backwards) == {"last_day": "the last day cannot come before the first day"}
    unknown = post(
        client,
        "/bookings/new",
        {
            "environment": "UAT-9",
            "start": str(day(9)),
            "last_day": str(day(9)),
            "status": "confirmed",
        },
    )
    assert unknown.status_code == 400
    assert field_errors(unknown) == {"environment": "no environment named 'UAT-9'"}


def test_a_test_manager_may_not_book_outright(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    assert client.get(f"/bookings/new?{chosen('UAT-2', 8, 9)}").status_code == 403
    answer = post(
        client,
        "/bookings/new",
        {
            "environment": "UAT-2",
            "start": str(day(8)),
            "last_day": str(day(9)),
            "status": "confirmed",
        },
    )
    assert answer.status_code == 403


def smoke_id(sessions: SessionFactory) -> int:
    with read_transaction(sessions) as session:
        return session.exec(select(Booking.id).where(Booking.note == "smoke tests")).one() or 0


def drag(
    client: FlaskClient, csrf_headers: Headers, booking: int, environment: str, start: int
) -> TestResponse:
    """What the timeline sends when a booking is dropped on ``environment`` at ``day(start)``."""
    return client.post(
        f"/api/v1/bookings/{booking}/move",
        json={"environment": environment, "start": str(day(start))},
        headers=csrf_headers(client),
    )


def test_a_drag_moves_through_the_api_with_the_page_session_and_csrf(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    csrf_headers: Headers,
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    booking = smoke_id(sessions)
    body = {"environment": "UAT-2", "start": str(day(2))}
    assert client.post(f"/api/v1/bookings/{booking}/move", json=body).status_code == 400  # CSRF
    answer = drag(client, csrf_headers, booking, "UAT-2", 2)
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["environment"], answer.get_json()["start"]) == ("UAT-2", str(day(2)))


def test_a_drag_onto_a_freeze_is_refused_naming_the_rule(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    csrf_headers: Headers,
) -> None:
    factories.make_freeze(sessions, name="close", start=day(10), end=day(12), types=["UAT"])
    login(client, Role.ENVIRONMENT_MANAGER)
    answer = drag(client, csrf_headers, smoke_id(sessions), "UAT-2", 9)
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert (error["code"], error["rule"]) == ("booking_conflict", "freeze")
    assert error["message"] == "a freeze covers UAT on 14–15 Jan 2027 (close)"
    with read_transaction(sessions) as session:
        kept = session.get_one(Booking, smoke_id(sessions))
    assert (kept.environment_id, kept.start) == (estate.uat1.id, day(0))


def test_a_test_manager_cannot_drag_a_booking(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    csrf_headers: Headers,
) -> None:
    login(client, Role.TEST_MANAGER)
    answer = drag(client, csrf_headers, smoke_id(sessions), "UAT-2", 2)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "permission_denied"


def test_the_slots_offered_keep_to_the_environment_chosen(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.TEST_MANAGER)
    anywhere = client.get(f"/requests/slots?type=UAT&duration=2&after={day(0)}").get_json()
    assert {s["environment"] for s in anywhere["slots"]} == {"UAT-1", "UAT-2"}
    only = client.get(
        f"/requests/slots?type=UAT&duration=2&after={day(0)}&environment=UAT-1"
    ).get_json()
    assert [s["environment"] for s in only["slots"]] == ["UAT-1"]
    by_phase = client.get(
        f"/requests/slots?phase=R1-UAT&duration=3&after={day(0)}&environment=UAT-2"
    ).get_json()
    assert by_phase["slots"] == []  # R1-UAT needs the mainframe tag: UAT-1 only


def test_a_drag_onto_an_environment_without_the_tags_is_refused_naming_the_rule(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    csrf_headers: Headers,
) -> None:
    cloud = factories.make_environment(sessions, name="UAT-3", tags=["cloud"])
    asked = factories.make_request(sessions, required_tags=["cloud"], duration_days=2)
    booking = factories.make_booking(sessions, cloud, request_id=asked.id, start=day(3), end=day(5))
    login(client, Role.ENVIRONMENT_MANAGER)
    answer = drag(client, csrf_headers, booking.id or 0, "UAT-2", 3)
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert (error["rule"], error["problem"]) == ("tags", "UAT-2 lacks the tag cloud")
    page = client.get("/timeline").get_data(as_text=True)
    assert "&#34;tags&#34;: &#34;tags&#34;" in page or '"tags": "tags"' in page  # its title
