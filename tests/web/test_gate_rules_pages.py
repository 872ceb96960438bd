"""Gates guard the lifecycle on the pages: the release pages name the gates that hold
ready, the deployment and a booking's start before anyone clicks; a click while a gate
holds comes back as a message naming it and changes nothing; once the gate is signed or
waived the same click goes through."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import select

from envsched.days import day_text
from envsched.db import SessionFactory, read_transaction
from envsched.lifecycle import gates
from envsched.lifecycle.gates import GateRef
from envsched.models import (
    Booking,
    BookingStatus,
    Deployment,
    GateKind,
    Release,
    ReleaseStatus,
    Role,
)
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld

Login = Callable[..., object]
LIFECYCLE = "/releases/R1/lifecycle"
SIT_EXIT, UAT_EXIT = GateRef("R1", "R1-SIT", GateKind.EXIT), GateRef("R1", "R1-UAT", GateKind.EXIT)
GO = GateRef("R1", None, GateKind.GO_NO_GO)


def text(body: str) -> str:
    """What a reader sees: the words, without tags and with single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def page(client: FlaskClient, path: str) -> str:
    return text(client.get(path).get_data(as_text=True))


def post(client: FlaskClient, path: str, **data: str) -> str:
    """Post the form and follow the redirect: the page with its message."""
    response = client.post(
        path, data={"csrf_token": csrf_token(client, "/"), **data}, follow_redirects=True
    )
    assert response.status_code == 200
    return text(response.get_data(as_text=True))


def status_of(sessions: SessionFactory) -> ReleaseStatus:
    with read_transaction(sessions) as session:
        return session.exec(select(Release).where(Release.key == "R1")).one().status


def test_the_lifecycle_page_names_the_gates_holding_ready_and_refuses_the_step(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.RELEASE_MANAGER)
    post(client, f"{LIFECYCLE}/step", status="in_test")
    gates.veto_gate(sessions, UAT_EXIT, actor=None, now=NOW, reason="sev-1 defects open")
    before = page(client, LIFECYCLE)
    assert "Ready waits for:" in before
    # each state a word and a mark (✓ signed, ✗ vetoed, ↷ waived, ○ open), not colour alone
    assert (
        "Ready waits for: R1-SIT exit gate ○ open; R1-UAT exit gate ✗ vetoed “sev-1 defects open”"
    ) in before
    after = post(client, f"{LIFECYCLE}/step", status="ready")
    assert (
        "release R1 cannot become ready: the R1-SIT exit gate is open; the R1-UAT exit "
        "gate is vetoed (sev-1 defects open)"
    ) in after
    assert status_of(sessions) == ReleaseStatus.IN_TEST
    gates.sign_gate(sessions, SIT_EXIT, actor=None, now=NOW)
    gates.waive_gate(sessions, UAT_EXIT, actor=None, now=NOW, reason="deferred to 4.3")
    assert "Ready waits for:" not in page(client, LIFECYCLE)
    assert "R1 is ready." in post(client, f"{LIFECYCLE}/step", status="ready")


def test_the_lifecycle_page_names_the_go_no_go_holding_the_deployment(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    gates.sign_gate(sessions, SIT_EXIT, actor=None, now=NOW)
    gates.sign_gate(sessions, UAT_EXIT, actor=None, now=NOW)
    login(client, Role.RELEASE_MANAGER)
    post(client, f"{LIFECYCLE}/step", status="in_test")
    post(client, f"{LIFECYCLE}/step", status="ready")
    assert "Deploying waits for: R1 go/no-go gate" in page(client, LIFECYCLE)
    form = {
        "deployed_on": "2027-01-04",
        "backout_plan": "restore the 4.1 images",
        "notes": "change CHG-7",
    }
    response = client.post(
        f"{LIFECYCLE}/deploy", data={"csrf_token": csrf_token(client, "/"), **form}
    )
    assert response.status_code == 409
    refused = response.get_data(as_text=True)
    assert "release R1 cannot be deployed: the R1 go/no-go gate is open" in text(refused)
    # the form comes back as typed: the back-out plan is not lost to the refusal
    assert re.search(r'<textarea id="d-plan"[^>]*>restore the 4.1 images</textarea>', refused)
    assert 'value="change CHG-7"' in refused and 'value="2027-01-04"' in refused
    with read_transaction(sessions) as session:
        assert session.exec(select(Deployment)).all() == []
    gates.sign_gate(sessions, GO, actor=None, now=NOW)
    assert "R1 deployed on 4 Jan 2027." in post(client, f"{LIFECYCLE}/deploy", **form)
    assert status_of(sessions) == ReleaseStatus.DEPLOYED


def test_the_release_page_names_the_gates_holding_a_start_and_starts_once_signed(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    with read_transaction(sessions) as session:
        sit = session.exec(select(Booking).where(Booking.phase_id == estate.sit_phase.id)).one()
    login(client, Role.ENVIRONMENT_MANAGER)
    before = page(client, "/releases/R1")
    assert "Start waits for: R1-SIT entry gate ○ open" in before
    assert "Start waits for: R1-SIT exit gate ○ open; R1-UAT entry gate ○ open" in before
    assert "Start R1-SIT on SIT-1" in before
    refused = post(client, "/releases/R1/start-booking", booking_id=str(sit.id))
    assert "phase R1-SIT cannot start: the R1-SIT entry gate is open" in refused
    with read_transaction(sessions) as session:
        assert session.get_one(Booking, sit.id).status == BookingStatus.CONFIRMED
    gates.sign_gate(sessions, GateRef("R1", "R1-SIT", GateKind.ENTRY), actor=None, now=NOW)
    started = post(client, "/releases/R1/start-booking", booking_id=str(sit.id))
    assert f"The booking from {day_text(sit.start)} is in use from now on." in started
    with read_transaction(sessions) as session:
        assert session.get_one(Booking, sit.id).status == BookingStatus.IN_USE


def test_readers_see_what_holds_a_start_but_get_no_start_button(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    shown = page(client, "/releases/R1")
    assert "Start waits for:" in shown and "Start R1-SIT on" not in shown
