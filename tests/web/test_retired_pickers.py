"""A retired environment is never offered: no picker lists it, and a booking of it
(reached by the API, or by a hand-made form) is refused once, next to the environment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import EnvironmentStatus, Role
from tests.envsched import factories
from tests.web.api_world import Caller, World, error_of
from tests.web.forms import field_errors, page_text, post
from tests.web.page_world import PageWorld

Login = Callable[..., object]
PICKERS = ["/bookings/new", "/requests/new", "/series/new", "/stacks"]


def retire_one(sessions: SessionFactory) -> None:
    factories.make_environment(sessions, name="UAT-13", status=EnvironmentStatus.RETIRED)


@pytest.mark.parametrize("path", PICKERS)
def test_no_picker_offers_a_retired_environment(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, path: str
) -> None:
    retire_one(sessions)
    login(client, Role.ADMIN)
    page = page_text(client, path)
    assert ">UAT-2<" in page or 'value="UAT-2"' in page, "the picker lists environments"
    assert "UAT-13" not in page


def test_booking_a_retired_environment_is_refused_once_next_to_the_environment(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    retire_one(sessions)
    login(client, Role.ENVIRONMENT_MANAGER)
    days = {"environment": "UAT-13", "start": "2027-03-01", "last_day": "2027-03-03"}
    response = post(client, "/bookings/new", days | {"status": "confirmed"})
    assert response.status_code == 409
    assert field_errors(response) == {"environment": "UAT-13 is retired"}


def test_the_api_names_the_environment_field_when_it_is_retired(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    retire_one(sessions)
    body = {"environment": "UAT-13", "start": "2027-03-01", "end": "2027-03-04"}
    response = call(Role.ENVIRONMENT_MANAGER, "POST", "/api/v1/bookings", body)
    assert response.status_code == 409
    assert error_of(response)["fields"] == {"environment": "UAT-13 is retired"}
