"""The environment pages that change the inventory: a new environment, editing one,
retiring and reactivating, environment types. Each form: done, refused naming the
field with nothing stored, and 403 for a role the permission matrix leaves out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.days import days_text
from envsched.db import SessionFactory, read_transaction
from envsched.models import AuditEntry, Environment, EnvironmentStatus, EnvironmentType, Role
from envsched.permissions import PERMISSIONS
from tests.envsched import factories
from tests.web.forms import field_errors, page_text, post
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]
NEW = {
    "name": "UAT-9",
    "type": "UAT",
    "capacity": "2",
    "changeover_days": "1",
    "status": "available",
    "tags": "mainframe, payments mainframe",
    "owner": "UAT team",
    "description": "second mainframe UAT",
    "components": "payments-api 4.2.1\ncore banking 12.4\n\nlegacy-batch",
}
NOT_KEEPERS = [r for r in Role if r != Role.ADMIN and r not in PERMISSIONS["environments:write"]]


def environment(sessions: SessionFactory, name: str) -> Environment | None:
    with read_transaction(sessions) as session:
        found = session.exec(select(Environment).where(Environment.name == name)).first()
        if found is not None:
            _ = (found.type, found.components)  # loaded while the session is open
        return found


def names(sessions: SessionFactory) -> list[str]:
    with read_transaction(sessions) as session:
        return sorted(session.exec(select(Environment.name)).all())


def test_an_environment_manager_adds_an_environment_with_its_components(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(client, "/environments/new", NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == "/environments/UAT-9"
    env = environment(sessions, "UAT-9")
    assert env is not None
    assert (env.type.name, env.capacity, env.changeover_days, env.tags, env.owner) == (
        "UAT",
        2,
        1,
        ["mainframe", "payments"],
        "UAT team",
    )
    assert {c.name: c.version for c in env.components} == {
        "payments-api": "4.2.1",
        "core banking": "12.4",
        "legacy-batch": "",
    }
    page = page_text(client, "/environments/UAT-9")
    assert "Environment UAT-9 is added." in page and "payments-api" in page
    with read_transaction(sessions) as session:
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.entity == "environment", AuditEntry.entity_id == str(env.id)
            )
        ).one()
    assert (entry.action, entry.actor) == ("create", "environment_manager")


def test_a_new_environment_with_bad_fields_names_each_and_stores_nothing(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    before = names(sessions)
    bad = {**NEW, "name": " ", "capacity": "0", "changeover_days": "two", "components": "a 1\na 2"}
    response = post(client, "/environments/new", bad)
    assert response.status_code == 400
    assert field_errors(response) == {
        "name": "give the environment a name",
        "capacity": "must be 1 or more, not 0",
        "changeover_days": "'two' is not a whole number",
        "components": "line 2: a is listed twice",
    }
    page = response.get_data(as_text=True)
    assert 'value="UAT team"' in page  # what was typed comes back
    assert 'aria-invalid="true"' in page and "There are 4 problems" in page
    assert names(sessions) == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "UAT-1"}, "name", "environment 'UAT-1' already exists"),
        ({"type": "MAINFRAME"}, "type", "no environment type 'MAINFRAME'"),
        (
            {"status": "broken"},
            "status",
            "Input should be 'available', 'maintenance', 'down' or 'retired'",
        ),
    ],
)
def test_the_service_refusal_lands_next_to_its_field(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    before = names(sessions)
    response = post(client, "/environments/new", {**NEW, **change})
    assert response.status_code == 400
    assert field_errors(response) == {field: message}
    assert names(sessions) == before


def test_editing_changes_the_fields_and_replaces_the_components(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    form = page_text(client, "/environments/UAT-1/edit")
    assert 'value="UAT-1"' in form and "payments-api 4.2.1" in form
    edited = {
        **NEW,
        "name": "UAT-1",
        "capacity": "1",
        "status": "maintenance",
        "components": "payments-api 4.3.0",
    }
    response = post(client, "/environments/UAT-1/edit", edited)
    assert response.status_code == 302
    env = environment(sessions, "UAT-1")
    assert env is not None
    assert (env.status, env.owner) == (EnvironmentStatus.MAINTENANCE, "UAT team")
    assert [(c.name, c.version) for c in env.components] == [("payments-api", "4.3.0")]
    # the booking on UAT-1 now runs into an unavailable environment: the page says so
    assert "now clash" in page_text(client, "/environments/UAT-1")


def test_cutting_capacity_below_what_is_booked_names_the_bookings_and_changes_nothing(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(sessions, estate.sit1, start=day(1), end=day(3))
    login(client, Role.ENVIRONMENT_MANAGER)
    edited = {**NEW, "name": "SIT-1", "type": "SIT", "capacity": "1", "owner": "changed"}
    response = post(client, "/environments/SIT-1/edit", edited)
    assert response.status_code == 400
    errors = field_errors(response)
    assert list(errors) == ["capacity"]
    assert f"a booking on SIT-1, {days_text(day(1), day(3))} (confirmed)" in errors["capacity"]
    env = environment(sessions, "SIT-1")
    assert env is not None and (env.capacity, env.owner) == (2, "")


def test_a_renamed_environment_may_not_take_a_name_in_use(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ADMIN)
    response = post(client, "/environments/UAT-2/edit", {**NEW, "name": "UAT-1"})
    assert response.status_code == 400
    assert field_errors(response) == {"name": "environment 'UAT-1' already exists"}
    assert names(sessions) == ["SIT-1", "UAT-1", "UAT-2"]


def test_retiring_warns_of_the_bookings_left_and_reactivating_brings_it_back(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    assert post(client, "/environments/UAT-1/status", {"status": "retired"}).status_code == 302
    page = page_text(client, "/environments/UAT-1")
    assert "UAT-1 is retired." in page
    assert "1 live booking on UAT-1 now clash" in page
    assert "Reactivate" in page
    assert post(client, "/environments/UAT-1/status", {"status": "available"}).status_code == 302
    env = environment(sessions, "UAT-1")
    assert env is not None and env.status == EnvironmentStatus.AVAILABLE
    assert post(client, "/environments/UAT-1/status", {"status": "gone"}).status_code == 302
    assert "Status: 'gone' is not one of" in page_text(client, "/environments/UAT-1")


def test_an_environment_type_is_added_and_a_bad_one_named(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    done = post(client, "/environment-types/new", {"name": "DR", "description": "disaster"})
    assert done.status_code == 302
    assert "Environment type DR is added." in page_text(client, "/environment-types")
    taken = post(client, "/environment-types/new", {"name": "UAT"})
    empty = post(client, "/environment-types/new", {"name": "", "description": "x" * 2001})
    assert (taken.status_code, empty.status_code) == (400, 400)
    assert field_errors(taken) == {"type-name": "environment type 'UAT' already exists"}
    assert field_errors(empty) == {
        "type-name": "give the type a name",
        "type-description": "at most 2000 characters, not 2001",
    }
    with read_transaction(sessions) as session:
        assert sorted(session.exec(select(EnvironmentType.name)).all()) == ["DR", "SIT", "UAT"]


@pytest.mark.parametrize("role", NOT_KEEPERS)
def test_other_roles_may_not_add_edit_retire_or_type_and_nothing_changes(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, role: Role
) -> None:
    login(client, role)
    assert client.get("/environments/new").status_code == 403
    assert client.get("/environments/UAT-1/edit").status_code == 403
    assert post(client, "/environments/new", NEW).status_code == 403
    assert post(client, "/environments/UAT-1/edit", {**NEW, "name": "UAT-1"}).status_code == 403
    assert post(client, "/environments/UAT-1/status", {"status": "retired"}).status_code == 403
    assert post(client, "/environment-types/new", {"name": "DR"}).status_code == 403
    assert names(sessions) == ["SIT-1", "UAT-1", "UAT-2"]
    env = environment(sessions, "UAT-1")
    assert env is not None and env.status == EnvironmentStatus.AVAILABLE
    page = page_text(client, "/environments/UAT-1")
    assert "Edit environment" not in page and "Retire" not in page
    assert "New environment" not in page_text(client, "/environments")


def test_a_missing_environment_has_no_edit_page(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    assert client.get("/environments/NOPE/edit").status_code == 404
    assert post(client, "/environments/NOPE/edit", NEW).status_code == 404


def test_the_environment_form_takes_the_api_bounds(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    before = names(sessions)
    bad = {**NEW, "capacity": "2147483648", "changeover_days": str(2**40)}
    response = post(client, "/environments/new", bad)
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["capacity"] == "must be at most 2147483647, not 2147483648"
    assert errors["changeover_days"].startswith("must be at most 3660")
    assert names(sessions) == before


def test_a_nul_byte_in_a_form_is_refused_before_anything_reads_it(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    before = names(sessions)
    response = post(client, "/environments/new", {**NEW, "description": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert names(sessions) == before
