"""A phase the order rule can never place (its later phase is booked, even over, before
it could be done) is still offered, and its slot search and a request's page say which
rule and why."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from envsched.days import day_text
from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]


def test_a_phase_whose_later_phase_is_over_says_the_order_rule_keeps_it_out(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    release = factories.make_release(sessions, key="CRM-7.1", title="CRM", due=day(60))
    factories.make_phase(sessions, release, key="CRM-7.1-UAT", type="UAT", duration_days=3)
    stg = factories.make_phase(sessions, release, key="CRM-7.1-STG", type="SIT")
    factories.make_booking(sessions, estate.sit1, phase_id=stg.id, start=day(-10), end=day(-5))
    login(client, Role.TEST_MANAGER)
    assert "CRM-7.1-UAT" in client.get("/requests/new?q=CRM").get_data(as_text=True)
    asked = {"phase": "CRM-7.1-UAT", "duration": "3", "after": day(0).isoformat()}
    body = client.get("/requests/slots", query_string=asked).get_json()
    assert body["slots"] == []
    assert body["message"] == (
        f"CRM-7.1-UAT: its 3 days cannot fit: it must be done by {day_text(day(-11))}, "
        f"before a later phase (CRM-7.1-STG is booked from {day_text(day(-10))}), "
        f"and may not start before {day_text(day(0))}. No free slot for these days."
    )


def test_a_request_for_such_a_phase_says_on_its_page_why_no_slot_is_offered(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    release = factories.make_release(sessions, key="CRM-7.1", title="CRM", due=day(60))
    uat = factories.make_phase(sessions, release, key="CRM-7.1-UAT", type="UAT", duration_days=3)
    stg = factories.make_phase(sessions, release, key="CRM-7.1-STG", type="SIT")
    factories.make_booking(sessions, estate.sit1, phase_id=stg.id, start=day(-10), end=day(-5))
    asked = factories.make_request(sessions, phase_id=uat.id, duration_days=3)
    login(client, Role.TEST_MANAGER)
    page = client.get(f"/requests/{asked.id}").get_data(as_text=True)
    assert (
        f'<p id="no-slot">CRM-7.1-UAT: its 3 days cannot fit: it must be done by '
        f"{day_text(day(-11))}, before a later phase (CRM-7.1-STG is booked from "
        f"{day_text(day(-10))}), and may not start before {day_text(day(0))}.</p>"
    ) in page
