"""A booking's page and acting on it: move (to a free slot of its phase, or anywhere the
rules allow; refusals next to the field), cancel, hand back, withdraw its request; the
clashes on the dashboard, the environment page and the timeline name bookings in words,
link to them and offer to move or cancel them, to whom may."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import select

from envsched.booking.bookings import approve_request
from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, BookingRequest, BookingStatus, RequestStatus, Role
from tests.envsched import factories
from tests.fixtures.web import UserOf
from tests.web.forms import field_errors, page_text, post
from tests.web.helpers import NOW
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]


def smoke(sessions: SessionFactory) -> Booking:
    """The estate's UAT-1 booking of no phase, 'smoke tests', days 0-3 (4-7 Jan 2027)."""
    with read_transaction(sessions) as session:
        return session.exec(select(Booking).where(Booking.note == "smoke tests")).one()


def stored(sessions: SessionFactory, booking_id: int | None) -> Booking:
    with read_transaction(sessions) as session:
        return session.get_one(Booking, booking_id)


def test_the_booking_page_says_its_days_and_offers_a_manager_every_action(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    booking = smoke(sessions)
    page = page_text(client, f"/bookings/{booking.id}")
    assert "<h1>Smoke tests on UAT-1" in page  # a heading starts with a capital
    assert "4–7 Jan 2027" in page and "(4 days, first and last day included)" in page
    assert 'id="move-h">Move</h2>' in page and "Cancel booking" in page
    # free slots of its length on UAT environments: UAT-2 today, UAT-1 once it is over
    assert re.search(r"<span>UAT-2, 4–7 Jan 2027</span>", page)
    assert 'aria-label="Move to UAT-1, 8–11 Jan 2027"' in page


def test_a_viewer_sees_the_booking_and_no_action(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.VIEWER)
    page = page_text(client, f"/bookings/{smoke(sessions).id}")
    assert "4–7 Jan 2027" in page
    assert "Move here" not in page and "Cancel booking" not in page
    assert "An environment manager can move or cancel this booking" in page
    assert client.get("/bookings/9999").status_code == 404


def test_a_booking_whose_days_are_over_says_ended_everywhere_and_promises_no_action(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    over = factories.make_booking(
        sessions,
        estate.uat2,
        start=day(-10),
        end=day(-2),
        note="MOB-4.1-SIT",
        status=BookingStatus.IN_USE,  # nobody marked it done
    )
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, f"/bookings/{over.id}")
    assert '<h1>MOB-4.1-SIT on UAT-2 <span class="badge status-ended">ended</span>' in page
    assert "an ended booking can no longer be moved, cancelled or handed back" in page
    assert "can move or cancel" not in page and 'id="move-h"' not in page
    environment = page_text(client, "/environments/UAT-2")
    row = environment[environment.index(">MOB-4.1-SIT<") :].split("</tr>")[0]
    assert "status-ended" in row and "in use" not in row
    found = page_text(client, "/search?q=UAT-2")
    hit = found[found.index("MOB-4.1-SIT on UAT-2") :].split("</li>")[0]
    assert '<span class="muted">ended</span>' in hit


def test_a_manager_moves_a_booking_to_a_free_slot_and_back_to_the_page_they_came_from(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    booking = smoke(sessions)
    response = post(
        client,
        f"/bookings/{booking.id}/move",
        {"environment": "UAT-2", "start": str(day(10)), "next": "/timeline"},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/timeline")
    moved = stored(sessions, booking.id)
    assert (moved.environment_id, moved.start, moved.end) == (estate.uat2.id, day(10), day(14))
    assert "Moved: smoke tests on UAT-2, 14–17 Jan 2027." in page_text(client, "/timeline")


def test_a_move_onto_a_window_or_a_wrong_environment_is_refused_next_to_the_field(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    sit = stored(sessions, _sit_booking(sessions))
    clash = post(
        client, f"/bookings/{sit.id}/move", {"environment": "SIT-1", "start": str(day(-1))}
    )
    assert clash.status_code == 400
    assert field_errors(clash) == {"move-start": f"{day(-1)} is in the past"}
    booking = smoke(sessions)
    window = post(
        client, f"/bookings/{booking.id}/move", {"environment": "UAT-2", "start": str(day(19))}
    )
    assert window.status_code == 409
    assert "UAT-2 is in maintenance" in field_errors(window)["move-start"]
    wrong = post(
        client, f"/bookings/{sit.id}/move", {"environment": "UAT-1", "start": str(day(30))}
    )
    assert wrong.status_code == 409  # the rulebook's eligibility; a manager may force it
    assert field_errors(wrong) == {
        "move-environment": "R1-SIT needs a SIT environment, and UAT-1 is UAT"
    }
    assert 'name="force_reason"' in wrong.get_data(as_text=True)
    assert stored(sessions, sit.id).start == day(0)


def _sit_booking(sessions: SessionFactory) -> int:
    with read_transaction(sessions) as session:
        found = session.exec(select(Booking.id).where(Booking.note == "")).one()
    assert found is not None
    return found


def test_a_move_onto_another_booking_names_it_in_words(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    factories.make_booking(
        sessions, estate.uat2, start=day(30), end=day(35), phase_id=estate.uat_phase.id
    )
    response = post(
        client,
        f"/bookings/{smoke(sessions).id}/move",
        {"environment": "UAT-2", "start": str(day(28))},
    )
    assert response.status_code == 409
    assert field_errors(response)["move-start"] == (
        "UAT-2 is fully booked on 3–4 Feb 2027: R1-UAT on UAT-2, 3–7 Feb 2027 (confirmed)"
    )


def test_a_test_manager_may_not_move_and_cancels_only_their_own(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    tester = login(client, Role.TEST_MANAGER)
    booking = smoke(sessions)
    assert (
        post(
            client, f"/bookings/{booking.id}/move", {"environment": "UAT-2", "start": str(day(10))}
        ).status_code
        == 403
    )
    refused = post(client, f"/bookings/{booking.id}/cancel", {"reason": "mine?"})
    assert refused.status_code == 302
    assert "you may not cancel or hand back other people" in page_text(
        client, f"/bookings/{booking.id}"
    )
    assert stored(sessions, booking.id).status == BookingStatus.CONFIRMED
    mine = approve_request(sessions, estate.request.id or 0, actor=None, now=NOW)
    page = page_text(client, f"/bookings/{mine.id}")
    assert "Cancel booking" in page and "Move here" not in page and tester is not None
    assert post(client, f"/bookings/{mine.id}/cancel", {"reason": "slipped"}).status_code == 302
    assert stored(sessions, mine.id).status == BookingStatus.CANCELLED


def test_an_approved_request_is_withdrawn_with_its_booking_from_either_page(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.TEST_MANAGER)
    booking = approve_request(sessions, estate.request.id or 0, actor=None, now=NOW)
    shown = page_text(client, f"/bookings/{booking.id}")
    assert "Withdraw the request</button>" in shown and "request #" not in shown.lower()
    assert "see the request</a>" in shown
    summary = page_text(client, f"/requests/{estate.request.id}")
    assert "Request for R1-UAT" in summary and "booked on UAT-1, " in summary
    assert "Withdraw this request" in page_text(client, f"/requests/{estate.request.id}")
    response = post(client, f"/requests/{estate.request.id}/cancel")
    assert response.status_code == 302
    assert stored(sessions, booking.id).status == BookingStatus.CANCELLED
    with read_transaction(sessions) as session:
        request = session.get_one(BookingRequest, estate.request.id)
    assert request.status == RequestStatus.CANCELLED


def test_a_clash_on_the_dashboard_names_its_bookings_and_offers_to_move_or_cancel_them(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    clashing = factories.make_booking(
        sessions, estate.uat2, start=day(3), end=day(6), phase_id=estate.uat_phase.id
    )
    other = factories.make_booking(
        sessions, estate.uat2, start=day(5), end=day(8), note="data refresh", exclusive=False
    )  # as legacy rows are
    login(client, Role.ENVIRONMENT_MANAGER)
    page = page_text(client, "/")
    assert f'<a href="/bookings/{clashing.id}">R1-UAT on UAT-2, 7–9 Jan 2027</a>' in page
    assert f'<a href="/bookings/{other.id}">data refresh on UAT-2, 9–11 Jan 2027</a>' in page
    assert f'href="/bookings/{clashing.id}?next=/#move-h"' in page
    assert f'action="/bookings/{other.id}/cancel"' in page
    assert "booking " + str(clashing.id) not in page
    assert "UAT-2 holds 2 live bookings on 9 Jan 2027, but its capacity is 1" in page
    response = post(client, f"/bookings/{other.id}/cancel", {"next": "/"})
    assert response.headers["Location"] == "/"
    after = page_text(client, "/")
    assert "Cancelled: data refresh on UAT-2, 9–11 Jan 2027." in after
    assert "holds 2 live bookings" not in after
    assert "R1-UAT on UAT-2 (7–9 Jan 2027): UAT-2 lacks the tag mainframe" in after  # to do


def test_clashes_link_their_bookings_for_viewers_without_offering_actions(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    clashing = factories.make_booking(
        sessions, estate.uat2, start=day(19), end=day(22), note="load test"
    )
    login(client, Role.VIEWER)
    for path in ("/environments/UAT-2", f"/timeline?start={day(14)}"):
        page = page_text(client, path)
        assert (
            f'<a href="/bookings/{clashing.id}">load test on UAT-2, 23–25 Jan 2027</a>' in page
        ), path
        assert "Move…" not in page and f"/bookings/{clashing.id}/cancel" not in page, path


def test_a_booking_with_several_clashes_is_one_row_with_every_reason(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    """R1-UAT needs tags UAT-2 lacks, and a maintenance window covers its days: two
    clashes of one booking, listed together with one Move and one Cancel (its clash of
    order with R1-SIT's booking involves another booking, so it has a row of its own)."""
    clashing = factories.make_booking(
        sessions, estate.uat2, start=day(3), end=day(6), phase_id=estate.uat_phase.id
    )
    factories.make_window(sessions, estate.uat2, start=day(4), end=day(5))
    login(client, Role.ENVIRONMENT_MANAGER)
    for path in ("/", "/environments/UAT-2", f"/timeline?start={day(0)}"):
        page = page_text(client, path)
        both = page.split("lacks the tag mainframe", 1)[1].split("runs into maintenance", 1)[0]
        assert "#move-h" not in both and "/cancel" not in both, path  # one row, both reasons
        rows = page.count("R1-UAT on UAT-2 (7–9 Jan 2027)")  # each clash names the booking
        moves = len(re.findall(rf'href="/bookings/{clashing.id}\?next=[^"]*#move-h"', page))
        assert moves == rows - 1, path
        assert "resolving a clash (ineligible and maintenance)" in page, path


def test_a_direct_booking_nothing_names_is_whoever_booked_it_with_a_capital(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    eric = user_of(Role.ENVIRONMENT_MANAGER, "eric_envman")
    theirs = factories.make_booking(sessions, estate.uat2, start=day(6), end=day(8))
    booked = factories.make_booking(
        sessions, estate.uat2, start=day(1), end=day(3), created_by_id=eric.id
    )
    login(client, Role.VIEWER)
    html = client.get(f"/bookings/{booked.id}").get_data(as_text=True)
    assert re.search(r"<h1>Eric Envman&#39;s UAT booking on UAT-2 ", html)
    assert "booked directly by Eric Envman" in html and "no phase" not in html
    unknown = client.get(f"/bookings/{theirs.id}").get_data(as_text=True)
    assert re.search(r"<h1>A booking on UAT-2 ", unknown)  # nobody recorded: "a booking"
