"""A release's lifecycle page: status steps, deployment, back-out and links through the
page, and who may do them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory
from envsched.lifecycle import gates
from envsched.lifecycle.gates import GateRef
from envsched.models import ExternalLink, GateKind, Release, ReleaseStatus, Role
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld

Login = Callable[..., object]
PAGE = "/releases/R1/lifecycle"


def post(client: FlaskClient, path: str, **data: str) -> int:
    response = client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})
    return response.status_code


def status_of(sessions: SessionFactory) -> ReleaseStatus:
    with sessions() as session:
        return session.exec(select(Release).where(Release.key == "R1")).one().status


def test_a_release_manager_walks_r1_to_production_and_backs_it_out(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    for phase in ("R1-SIT", "R1-UAT"):  # the gates ready and the deployment need
        gates.sign_gate(sessions, GateRef("R1", phase, GateKind.EXIT), actor=None, now=NOW)
    gates.sign_gate(sessions, GateRef("R1", None, GateKind.GO_NO_GO), actor=None, now=NOW)
    login(client, Role.RELEASE_MANAGER)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="in_test"' in page and 'value="ready"' not in page  # only allowed steps
    for step in ("in_test", "ready"):
        assert post(client, f"{PAGE}/step", status=step, reason="on plan") == 302
    assert (
        post(
            client,
            f"{PAGE}/deploy",
            deployed_on="2027-01-04",
            backout_plan="restore the 4.1 images",
        )
        == 302
    )
    assert status_of(sessions) == ReleaseStatus.DEPLOYED
    assert post(client, f"{PAGE}/back-out", reason="INC42 card payments fail") == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert status_of(sessions) == ReleaseStatus.BACKED_OUT
    assert "restore the 4.1 images" in page and "R1 is backed out." in page


def test_a_step_the_flow_forbids_comes_back_naming_both_statuses(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.RELEASE_MANAGER)
    post(client, f"{PAGE}/step", status="ready")
    assert "R1 is planned and cannot become ready" in client.get(PAGE).get_data(as_text=True)


def test_links_are_added_shown_and_removed(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.RELEASE_MANAGER)
    assert (
        post(
            client,
            f"{PAGE}/links",
            kind="change",
            system="ServiceNow",
            key="CHG7",
            url="https://sn.example/CHG7",
        )
        == 302
    )
    assert 'href="https://sn.example/CHG7"' in client.get(PAGE).get_data(as_text=True)
    with sessions() as session:
        link = session.exec(select(ExternalLink)).one()
    assert post(client, f"{PAGE}/links/remove", link_id=str(link.id)) == 302
    with sessions() as session:
        assert session.exec(select(ExternalLink)).all() == []


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.RELEASE_MANAGER)])
def test_others_read_the_page_but_change_nothing(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    login(client, role)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Record deployment" not in page.get_data(as_text=True)
    for action in ("step", "deploy", "back-out", "links", "links/remove"):
        assert post(client, f"{PAGE}/{action}", status="in_test") == 403, action
    assert status_of(sessions) == ReleaseStatus.PLANNED


def test_an_unknown_release_is_404(client: FlaskClient, login: Login, estate: PageWorld) -> None:
    login(client, Role.VIEWER)
    assert client.get("/releases/R404/lifecycle").status_code == 404
