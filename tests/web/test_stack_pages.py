"""Stack pages (issue 16): a manager adds a stack and books it whole from its page; a
refusal names the environment in the way and the rule, and books nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, func, select

from envsched.db import SessionFactory
from envsched.inventory import StackIn, create_stack
from envsched.models import LIVE_STATUSES, Booking, EnvironmentType, Role, User
from tests.fixtures.web import UserOf
from tests.web.api_world import Caller
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld, day


def live(sessions: SessionFactory) -> int:
    with sessions() as session:
        query = select(func.count()).select_from(Booking)
        return session.exec(query.where(col(Booking.status).in_(LIVE_STATUSES))).one()


def test_a_manager_adds_a_stack_from_the_list(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/stacks")
    answer = client.post(
        "/stacks/new",
        data={"csrf_token": token, "name": "UAT-STACK", "members": ["UAT-2", "SIT-1"]},
    )
    assert answer.status_code == 302
    page = client.get("/stacks").get_data(as_text=True)
    assert "UAT-STACK" in page and "SIT-1, UAT-2" in page
    refused = client.post(
        "/stacks/new", data={"csrf_token": token, "name": "UAT-1", "members": ["UAT-1"]}
    )
    assert refused.status_code == 400
    assert "UAT-1 is an environment" in refused.get_data(as_text=True)


def test_booking_a_stack_books_every_member_or_none_naming_the_one_in_the_way(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/stacks/PAY")
    before = live(sessions)
    refused = client.post(  # UAT-2 is under maintenance on days 20-21
        "/stacks/PAY/book",
        data={"csrf_token": token, "start": str(day(19)), "last_day": str(day(23))},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "UAT-2" in text and "maintenance" in text.lower()
    assert live(sessions) == before
    booked = client.post(
        "/stacks/PAY/book",
        data={
            "csrf_token": token,
            "start": str(day(30)),
            "last_day": str(day(33)),
            "note": "end-to-end run",
        },
    )
    assert booked.status_code == 302
    assert live(sessions) == before + 2
    page = client.get("/stacks/PAY").get_data(as_text=True)
    assert "end-to-end run" in page and "UAT-2" in page and "SIT-1" in page


def test_the_stack_name_hint_gives_no_environment_name_as_an_example(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    page = client.get("/stacks").get_data(as_text=True)
    assert "e.g. PAYMENTS-STACK; not an environment’s name" in page and "e.g. UAT-3" not in page


def test_viewers_see_stacks_but_no_forms(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    create_stack(sessions, StackIn(name="PAY", members=["UAT-2"]), actor=None, now=NOW)
    login(client, Role.VIEWER)
    page = client.get("/stacks/PAY").get_data(as_text=True)
    assert "Stack PAY" in page and "Book PAY" not in page and "Remove the stack" not in page
    assert "Add a stack" not in client.get("/stacks").get_data(as_text=True)
    assert client.get("/stacks/NOPE").status_code == 404


def test_the_booking_form_offers_the_whole_stack_of_the_chosen_environment(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    login(client, Role.ENVIRONMENT_MANAGER)
    page = client.get(
        f"/bookings/new?environment=UAT-2&start={day(30)}&last_day={day(33)}"
    ).get_data(as_text=True)
    assert "UAT-2 belongs to the stack PAY" in page
    assert f'href="/stacks/PAY?start={day(30)}&amp;last_day={day(33)}"' in page
    stack_page = client.get(f"/stacks/PAY?start={day(30)}&last_day={day(33)}")
    assert f'value="{day(33)}"' in stack_page.get_data(as_text=True)


def test_a_manager_cancels_a_whole_stack_booking_from_the_stack_page(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    from envsched.booking import StackBookingIn, book_stack

    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    before = live(sessions)
    done = book_stack(
        sessions, "PAY", StackBookingIn(start=day(30), end=day(33)), actor=None, now=NOW
    )
    login(client, Role.ENVIRONMENT_MANAGER)
    token = csrf_token(client, "/stacks/PAY")
    answer = client.post(f"/stacks/PAY/bookings/{done.id}/cancel", data={"csrf_token": token})
    assert answer.status_code == 302
    assert live(sessions) == before
    page = client.get("/stacks/PAY").get_data(as_text=True)
    assert "Cancelled the stack booking: SIT-1, UAT-2." in page


def test_cancelling_one_members_booking_on_its_page_cancels_the_whole_stack_booking(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    from envsched.booking import StackBookingIn, book_stack

    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    before = live(sessions)
    done = book_stack(
        sessions, "PAY", StackBookingIn(start=day(30), end=day(33)), actor=None, now=NOW
    )
    member = next(p.booking for p in done.bookings if p.environment == "UAT-2")
    login(client, Role.ENVIRONMENT_MANAGER)
    page = client.get(f"/bookings/{member}").get_data(as_text=True)
    assert (
        "This booking is part of a booking of the stack "
        '<a href="/stacks/PAY">PAY</a>, which is booked whole: cancelling, handing back '
        "or moving it to other days does the same to both members (SIT-1, UAT-2)."
    ) in page
    token = csrf_token(client, f"/bookings/{member}")
    answer = client.post(f"/bookings/{member}/cancel", data={"csrf_token": token})
    assert answer.status_code == 302
    assert live(sessions) == before
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert (
        "It was part of a booking of the stack PAY, which is booked whole, so both members "
        "(SIT-1, UAT-2) were cancelled."
    ) in html


def test_the_api_cancels_a_whole_stack_booking_from_one_members_booking(
    call: Caller, estate: PageWorld, sessions: SessionFactory
) -> None:
    from envsched.booking import StackBookingIn, book_stack

    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    before = live(sessions)
    done = book_stack(
        sessions, "PAY", StackBookingIn(start=day(30), end=day(33)), actor=None, now=NOW
    )
    member = next(p.booking for p in done.bookings if p.environment == "SIT-1")
    answer = call(Role.ENVIRONMENT_MANAGER, "POST", f"/api/v1/bookings/{member}/cancel", json={})
    assert answer.status_code == 200 and answer.get_json()["status"] == "cancelled"
    assert live(sessions) == before


def test_the_stack_page_offers_only_phases_a_member_serves(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    """The list asks the rule booking the stack applies: of a member's type, with its
    tags (R1-UAT needs a mainframe UAT, and UAT-2 is none)."""
    from tests.envsched import factories

    create_stack(sessions, StackIn(name="PAY", members=["UAT-2"]), actor=None, now=NOW)
    factories.make_phase(sessions, estate.release, key="R1-E2E", type="UAT", name="End to end")
    factories.make_phase(sessions, estate.release, key="R1-PERF", type="PERF", name="Load")
    login(client, Role.ENVIRONMENT_MANAGER)
    page = client.get("/stacks/PAY").get_data(as_text=True)
    assert 'value="R1-E2E"' in page
    assert 'value="R1-PERF"' not in page and 'value="R1-UAT"' not in page
    refused = client.post(
        "/stacks/PAY/book",
        data={
            "csrf_token": csrf_token(client, "/stacks/PAY"),
            "start": str(day(30)),
            "last_day": str(day(33)),
            "phase": "R1-PERF",
        },
    )
    assert refused.status_code == 400
    assert "no environment of the stack PAY is a PERF environment" in refused.get_data(as_text=True)


def stack_booked(
    sessions: SessionFactory, start: int, end: int, by: User | None = None
) -> dict[str, int]:
    """Stack PAY (UAT-2 and SIT-1) booked on days ``[start, end)`` (by ``by``); its member
    bookings by environment."""
    from envsched.booking import StackBookingIn, book_stack

    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    done = book_stack(
        sessions, "PAY", StackBookingIn(start=day(start), end=day(end)), actor=by, now=NOW
    )
    return {p.environment: p.booking for p in done.bookings}


def days_of(sessions: SessionFactory, booking_id: int) -> tuple[str, str]:
    with sessions() as session:
        found = session.get_one(Booking, booking_id)
        return str(found.start), str(found.end)


def test_the_api_moves_a_whole_stack_booking_from_one_members_booking(
    call: Caller, estate: PageWorld, sessions: SessionFactory
) -> None:
    """What the timeline's drag posts: the bar's own lane and its new first day."""
    members = stack_booked(sessions, 30, 33)
    answer = call(
        Role.ENVIRONMENT_MANAGER,
        "POST",
        f"/api/v1/bookings/{members['SIT-1']}/move",
        json={"environment": "SIT-1", "start": str(day(35))},
    )
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["start"], answer.get_json()["end"]) == (str(day(35)), str(day(38)))
    assert days_of(sessions, members["UAT-2"]) == (str(day(35)), str(day(38)))


def test_the_api_refuses_a_stack_move_naming_the_member_and_its_rule(
    call: Caller, estate: PageWorld, sessions: SessionFactory
) -> None:
    members = stack_booked(sessions, 30, 33)
    refused = call(  # UAT-2 is under maintenance on days 20-21
        Role.ENVIRONMENT_MANAGER,
        "POST",
        f"/api/v1/bookings/{members['SIT-1']}/move",
        json={"environment": "SIT-1", "start": str(day(19))},
    )
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["rule"] == "maintenance" and error["message"].startswith("UAT-2")
    elsewhere = call(  # dragged onto another lane
        Role.ENVIRONMENT_MANAGER,
        "POST",
        f"/api/v1/bookings/{members['SIT-1']}/move",
        json={"environment": "UAT-1", "start": str(day(30))},
    )
    assert elsewhere.status_code == 400
    assert "the stack PAY, whose members move together" in elsewhere.get_json()["error"]["message"]
    for booking_id in members.values():
        assert days_of(sessions, booking_id) == (str(day(30)), str(day(33)))


def test_moving_one_members_booking_on_its_page_moves_the_whole_stack_booking(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    members = stack_booked(sessions, 30, 33)
    login(client, Role.ENVIRONMENT_MANAGER)
    path = f"/bookings/{members['UAT-2']}"
    answer = client.post(
        f"{path}/move",
        data={
            "csrf_token": csrf_token(client, path),
            "environment": "UAT-2",
            "start": str(day(40)),
        },
    )
    assert answer.status_code == 302
    assert days_of(sessions, members["SIT-1"]) == (str(day(40)), str(day(43)))
    assert (
        "It is part of a booking of the stack PAY, which is booked whole, so both members "
        "(SIT-1, UAT-2) moved to these days."
    ) in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_stack_booking_waits_for_one_check_in_on_both_members_pages(
    app: Flask,
    login: Callable[..., object],
    estate: PageWorld,
    sessions: SessionFactory,
    user_of: UserOf,
) -> None:
    """SIT-1's type needs no check-in, UAT-2's does: the stack booking does, as one."""
    members = stack_booked(sessions, 0, 3, by=user_of(Role.ENVIRONMENT_MANAGER))
    with sessions.begin() as session:
        uat = session.exec(select(EnvironmentType).where(EnvironmentType.name == "UAT")).one()
        uat.checkin_required = True
    manager = app.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    mine = my_bookings(manager)
    assert mine.count("check in by 5 Jan 2027, 09:00 UTC") == 2  # both members' rows
    assert 'aria-label="Check in stack PAY on SIT-1, 4–6 Jan 2027"' in mine
    path = f"/bookings/{members['SIT-1']}"
    before = manager.get(path).get_data(as_text=True)
    assert "checking in this booking checks in both members (SIT-1, UAT-2)" in before
    assert "check in by <strong>5 Jan 2027, 09:00 UTC</strong>" in before
    assert ">Check in</button>" in before
    answer = manager.post(f"{path}/checkin", data={"csrf_token": csrf_token(manager, path)})
    assert answer.status_code == 302
    after = manager.get(f"/bookings/{members['UAT-2']}").get_data(as_text=True)
    assert f"Checked in on 4 Jan 2027, {NOW:%H:%M} UTC." in after
    assert ">Check in</button>" not in after
    mine = my_bookings(manager)
    assert mine.count("checked in") == 2 and "check in by" not in mine
    # the flash names every member checked in, and the stack page says it as My work does
    assert (
        "Checked in: stack PAY on SIT-1, 4–6 Jan 2027, with both members of its booking of "
        "the stack PAY (SIT-1, UAT-2). They stay yours."
    ) in after
    stack = manager.get("/stacks/PAY").get_data(as_text=True)
    assert stack.count('confirmed</span> <span class="muted">checked in</span>') == 2


def my_bookings(client: FlaskClient) -> str:
    """The "My bookings" part of My work."""
    html = client.get("/my").get_data(as_text=True)
    return html.split('id="bookings-h"', 1)[1].split("</section>", 1)[0]


def test_the_stack_page_offers_no_cancel_for_a_stack_booking_under_way(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, sessions: SessionFactory
) -> None:
    """Checked in, it is under way: handed back from a member's page, never cancelled."""
    from envsched.booking import StackBookingIn, book_stack

    create_stack(sessions, StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW)
    done = book_stack(
        sessions, "PAY", StackBookingIn(start=day(30), end=day(33)), actor=None, now=NOW
    )
    login(client, Role.ENVIRONMENT_MANAGER)
    cancel = f"/stacks/PAY/bookings/{done.id}/cancel"
    assert cancel in client.get("/stacks/PAY").get_data(as_text=True)
    with sessions.begin() as session:
        for part in done.bookings:
            session.get_one(Booking, part.booking).checked_in_at = NOW
    assert cancel not in client.get("/stacks/PAY").get_data(as_text=True)
