"""The release-windows page and the template editor: who sees and does what, and what a
release manager does through them (strategy, publish, assign, move; template, release)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.models import BookingRequest, Release, ReleaseTemplate, ReleaseWindow, Role
from tests.web.helpers import csrf_token
from tests.web.page_world import PageWorld

Login = Callable[..., object]
WRITERS = {Role.ADMIN, Role.RELEASE_MANAGER}
TEMPLATE_FORM = {
    "name": "minor",
    "release_type": "minor",
    "description": "two phases",
    "phase-0-name": "SIT",
    "phase-0-type": "SIT",
    "phase-0-days": "4",
    "phase-1-name": "UAT",
    "phase-1-type": "UAT",
    "phase-1-days": "3",
    "phase-1-gap": "1",
    "phase-1-tags": "mainframe",
}


def post(client: FlaskClient, path: str, **data: str) -> int:
    response = client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})
    return response.status_code


@pytest.mark.parametrize("role", list(Role))
def test_everyone_reads_both_pages_and_only_release_managers_see_the_forms(
    client: FlaskClient, login: Login, estate: PageWorld, role: Role
) -> None:
    login(client, role)
    windows = client.get("/release-windows")
    editor = client.get("/release-templates")
    assert (windows.status_code, editor.status_code) == (200, 200)
    writes = role in WRITERS
    assert ("Add a strategy" in windows.get_data(as_text=True)) == writes
    assert ("Save template" in editor.get_data(as_text=True)) == writes


@pytest.mark.parametrize("role", [r for r in Role if r not in WRITERS])
def test_other_roles_are_refused_every_lifecycle_action_and_nothing_changes(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    login(client, role)
    for path in (
        "/release-windows/strategies",
        "/release-windows/strategies/x/publish",
        "/release-windows/move",
        "/release-windows/assign",
        "/release-templates/save",
        "/release-templates/x/delete",
        "/release-templates/x/releases",
    ):
        assert post(client, path, **TEMPLATE_FORM) == 403, path
    with sessions() as session:
        assert session.exec(select(ReleaseTemplate)).all() == []


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, estate: PageWorld) -> None:
    for path in ("/release-windows", "/release-templates"):
        assert client.get(path).headers["Location"].startswith("/login?next=")


def test_a_release_manager_publishes_assigns_and_moves_a_window(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.RELEASE_MANAGER)
    assert (
        post(
            client,
            "/release-windows/strategies",
            name="monthly",
            cadence="monthly",
            anchor="2027-01-29",
            window_days="21",
            freeze_days="5",
        )
        == 302
    )
    assert post(client, "/release-windows/strategies/monthly/publish") == 302
    page = client.get("/release-windows").get_data(as_text=True)
    assert "12 windows published" in page and "24 Jan 2027" in page  # the first cut-off
    with sessions() as session:
        first = session.exec(select(ReleaseWindow).order_by(col(ReleaseWindow.go_live))).first()
        assert first is not None
    assert post(client, "/release-windows/assign", release="R1", window_id=str(first.id)) == 302
    assert (
        post(client, "/release-windows/move", window_id=str(first.id), go_live="2027-02-05") == 302
    )
    page = client.get("/release-windows").get_data(as_text=True)
    assert "now goes live 5 Feb 2027 (R1)" in page
    with sessions() as session:
        release = session.exec(select(Release).where(Release.key == "R1")).one()
        assert str(release.due) == "2027-01-31"  # the moved cut-off


def test_a_bad_strategy_comes_back_as_a_message(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.RELEASE_MANAGER)
    post(
        client,
        "/release-windows/strategies",
        name="x",
        cadence="dates",
        anchor="2027-02-01",
        window_days="7",
        freeze_days="2",
    )
    assert "needs dates" in client.get("/release-windows").get_data(as_text=True)


def test_a_release_manager_edits_a_template_and_makes_a_release_from_it(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.RELEASE_MANAGER)
    assert post(client, "/release-templates/save", original="", **TEMPLATE_FORM) == 302
    editor = client.get("/release-templates?edit=minor").get_data(as_text=True)
    assert "Template minor saved" in editor and 'value="mainframe"' in editor
    renamed = {**TEMPLATE_FORM, "name": "minor-2", "phase-1-after": "-"}
    assert post(client, "/release-templates/save", original="minor", **renamed) == 302
    assert (
        post(
            client,
            "/release-templates/minor-2/releases",
            key="R9",
            earliest_start="2027-02-01",
            due="2027-03-01",
        )
        == 302
    )
    assert "Release R9 created" in client.get("/release-templates").get_data(as_text=True)
    with sessions() as session:
        template = session.exec(select(ReleaseTemplate)).one()
        assert template.name == "minor-2" and template.phases[1].after == []
        requests = session.exec(select(BookingRequest)).all()
        assert len(requests) == 3  # the estate's one and one per new phase


def test_a_template_with_a_bad_phase_comes_back_as_a_message(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.RELEASE_MANAGER)
    bad = {**TEMPLATE_FORM, "phase-1-after": "NOPE"}
    post(client, "/release-templates/save", original="", **bad)
    assert "not an earlier phase: NOPE" in client.get("/release-templates").get_data(as_text=True)
