"""The new-environment form refuses a name its own URL would hide, next to the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.models import Environment, Role
from tests.web.forms import field_errors, post
from tests.web.page_world import PageWorld

Login = Callable[..., object]
NEW = {"name": "UAT-9", "type": "UAT", "capacity": "1", "changeover_days": "0"}


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("new", "'new' is reserved: /environments/new is the new-environment form"),
        ("UAT/9", "'UAT/9' contains '/', so no URL could reach it"),
    ],
)
def test_the_form_refuses_a_name_no_url_reaches_next_to_the_name_field(
    client: FlaskClient,
    login: Login,
    estate: PageWorld,
    sessions: SessionFactory,
    name: str,
    says: str,
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(client, "/environments/new", {**NEW, "name": name})
    assert response.status_code == 400
    assert field_errors(response) == {"name": says}
    with read_transaction(sessions) as session:
        assert session.exec(select(Environment.name)).all()  # the estate's ones stay
        assert session.exec(select(Environment).where(Environment.name == name)).first() is None
