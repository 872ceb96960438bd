"""Maintenance windows on the environment page and the change-freeze page: added,
refused naming the field with nothing stored, a clash with bookings said and only
stored when forced, removed; and 403 for the roles the permission matrix leaves out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.models import AuditEntry, Freeze, MaintenanceWindow, Role
from envsched.permissions import PERMISSIONS
from tests.envsched import factories
from tests.web.forms import field_errors, page_text, post
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]


def refused(permission: str) -> list[Role]:
    return [r for r in Role if r != Role.ADMIN and r not in PERMISSIONS[permission]]


def windows(sessions: SessionFactory) -> list[tuple[str, str, str]]:
    with read_transaction(sessions) as session:
        rows = session.exec(select(MaintenanceWindow).order_by(col(MaintenanceWindow.start))).all()
        return [(w.environment.name, f"{w.start}/{w.end}", w.reason) for w in rows]


def freezes(sessions: SessionFactory) -> list[tuple[str, str, list[str]]]:
    with read_transaction(sessions) as session:
        rows = session.exec(select(Freeze).order_by(col(Freeze.start))).all()
        return [(f.name, f"{f.start}/{f.end}", f.types) for f in rows]


# -- maintenance windows ------------------------------------------------------------------


def test_a_window_is_added_shown_on_the_page_and_removed(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(
        client,
        "/environments/UAT-2/maintenance-windows",
        {"start": str(day(30)), "last_day": str(day(31)), "reason": "OS patching"},
    )
    assert response.status_code == 302
    page = page_text(client, "/environments/UAT-2")
    assert "Maintenance window 3–4 Feb 2027 is added to UAT-2." in page
    assert "3–4 Feb 2027" in page and "OS patching" in page
    assert windows(sessions)[-1] == ("UAT-2", f"{day(30)}/{day(32)}", "OS patching")
    with read_transaction(sessions) as session:
        added = session.exec(
            select(MaintenanceWindow).where(MaintenanceWindow.reason == "OS patching")
        ).one()
        audited = session.exec(
            select(AuditEntry.action).where(
                AuditEntry.entity == "maintenance_window", AuditEntry.entity_id == str(added.id)
            )
        ).all()
    assert audited == ["create"]
    removed = post(client, f"/environments/UAT-2/maintenance-windows/{added.id}/remove")
    assert removed.status_code == 302
    assert "is removed from UAT-2" in page_text(client, "/environments/UAT-2")
    assert windows(sessions) == [("UAT-2", f"{day(20)}/{day(22)}", "patching")]


def test_a_window_over_a_booking_names_it_and_is_stored_only_when_forced(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    form = {"start": str(day(2)), "last_day": str(day(2)), "reason": "hotfix"}
    response = post(client, "/environments/UAT-1/maintenance-windows", form)
    assert response.status_code == 409
    errors = field_errors(response)
    assert list(errors) == ["window-force"]
    assert (
        "UAT-1 has live bookings in that window: smoke tests on UAT-1, 4–7 Jan 2027 (confirmed)"
    ) in errors["window-force"]
    assert 'name="force"' in response.get_data(as_text=True)  # the box to add it anyway
    assert windows(sessions) == [("UAT-2", f"{day(20)}/{day(22)}", "patching")]
    forced = post(client, "/environments/UAT-1/maintenance-windows", {**form, "force": "on"})
    assert forced.status_code == 302
    page = page_text(client, "/environments/UAT-1")
    assert "runs into maintenance" in page  # the clashes service's own words
    assert '<span class="badge status-cancelled">clash</span> <a href="/bookings/' in page  # and
    # next to the window, linking the booking in the way


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {"start": "", "last_day": "2027-13-01"},
            {
                "window-start": "give a date (YYYY-MM-DD)",
                "window-last_day": "'2027-13-01' is not a date (YYYY-MM-DD)",
            },
        ),
        (
            {"start": "2027-02-10", "last_day": "2027-02-09"},
            {"window-last_day": "2027-02-09 is before the first day, 2027-02-10"},
        ),
        (
            {"start": "2027-02-10", "last_day": "2027-02-10", "reason": "x" * 2001},
            {"window-reason": "at most 2000 characters, not 2001"},
        ),
    ],
)
def test_a_window_with_bad_days_names_the_field_and_stores_nothing(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    form: dict[str, str],
    errors: dict[str, str],
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(client, "/environments/UAT-2/maintenance-windows", form)
    assert response.status_code == 400
    assert field_errors(response) == errors
    assert "Timeline," in response.get_data(as_text=True)  # the whole page, sent back
    assert windows(sessions) == [("UAT-2", f"{day(20)}/{day(22)}", "patching")]


def test_a_window_of_another_environment_is_not_found(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    with read_transaction(sessions) as session:
        window_id = session.exec(select(MaintenanceWindow.id)).one()
    assert (
        post(client, f"/environments/UAT-1/maintenance-windows/{window_id}/remove").status_code
        == 404
    )
    assert len(windows(sessions)) == 1


@pytest.mark.parametrize("role", refused("maintenance:write"))
def test_other_roles_may_not_add_or_remove_windows(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    login(client, role)
    with read_transaction(sessions) as session:
        window_id = session.exec(select(MaintenanceWindow.id)).one()
    added = post(
        client,
        "/environments/UAT-2/maintenance-windows",
        {"start": str(day(30)), "last_day": str(day(31))},
    )
    removed = post(client, f"/environments/UAT-2/maintenance-windows/{window_id}/remove")
    assert (added.status_code, removed.status_code) == (403, 403)
    assert windows(sessions) == [("UAT-2", f"{day(20)}/{day(22)}", "patching")]
    assert "Add a maintenance window" not in page_text(client, "/environments/UAT-2")


# -- change freezes -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ENVIRONMENT_MANAGER, Role.RELEASE_MANAGER])
def test_a_freeze_is_added_counted_against_bookings_and_removed(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    login(client, role)
    response = post(
        client,
        "/freezes/new",
        {
            "name": "go-live",
            "start": str(day(1)),
            "last_day": str(day(2)),
            "types": ["UAT", "SIT"],
            "reason": "Payments 4.2 go-live",
        },
    )
    assert response.status_code == 302
    assert freezes(sessions) == [("go-live", f"{day(1)}/{day(3)}", ["UAT", "SIT"])]
    page = page_text(client, "/freezes")
    assert "go-live, 5–6 Jan 2027, is added." in page
    assert "2 clashes" in page  # the SIT-1 and the UAT-1 bookings run into it
    with read_transaction(sessions) as session:
        freeze_id = session.exec(select(Freeze.id)).one()
    assert post(client, f"/freezes/{freeze_id}/remove").status_code == 302
    assert "The freeze is removed." in page_text(client, "/freezes")
    assert freezes(sessions) == []


def test_a_freeze_of_no_type_covers_every_type(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.RELEASE_MANAGER)
    post(client, "/freezes/new", {"start": str(day(40)), "last_day": str(day(40))})
    assert freezes(sessions) == [("", f"{day(40)}/{day(41)}", [])]
    assert "every type" in page_text(client, "/freezes")


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {"start": "soon", "last_day": ""},
            {
                "freeze-start": "'soon' is not a date (YYYY-MM-DD)",
                "freeze-last_day": "give a date (YYYY-MM-DD)",
            },
        ),
        (
            {"start": "2027-03-02", "last_day": "2027-03-01", "name": "n" * 65},
            {
                "freeze-name": "at most 64 characters, not 65",
                "freeze-last_day": "2027-03-01 is before the first day, 2027-03-02",
            },
        ),
        (
            {"start": "2027-03-01", "last_day": "2027-03-01", "types": "MAINFRAME"},
            {"freeze-types": "no environment type 'MAINFRAME'"},
        ),
    ],
)
def test_a_bad_freeze_names_the_field_and_stores_nothing(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    form: dict[str, str],
    errors: dict[str, str],
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(client, "/freezes/new", form)
    assert response.status_code == 400
    assert field_errors(response) == errors
    assert freezes(sessions) == []


@pytest.mark.parametrize("role", refused("freezes:write"))
def test_other_roles_read_freezes_but_may_not_add_or_remove_them(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    freeze = factories.make_freeze(sessions, name="year-end", start=day(300), end=day(310))
    login(client, role)
    page = page_text(client, "/freezes")
    assert "year-end" in page and "Add a change freeze" not in page
    assert (
        post(client, "/freezes/new", {"start": str(day(1)), "last_day": str(day(2))}).status_code
        == 403
    )
    assert post(client, f"/freezes/{freeze.id}/remove").status_code == 403
    assert freezes(sessions) == [("year-end", f"{day(300)}/{day(310)}", [])]
