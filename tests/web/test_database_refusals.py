"""A value the database itself refuses is an answer naming what was refused, never a 500
(issue 12): CHECK and NOT NULL constraints and out-of-range numbers are 400, a uniqueness
409, on the API (the one error shape) and on pages (the error page). The statements run
on the real database of each backend, from a route added for the test, as a raw SQL
write past the edge's checks would."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from envsched.models import Role
from tests.web.api_world import World, error_of
from web.context import sessions

STATEMENTS = {
    "check": ("UPDATE environment SET capacity = 0", 400, "capacity_at_least_one"),
    "unique": ("UPDATE environment SET name = 'UAT-1'", 409, "name"),
    "not-null": ("UPDATE environment SET name = NULL", 400, "name"),
}


@pytest.fixture
def raw_client(app: Flask) -> FlaskClient:
    def run(kind: str) -> Any:
        with sessions().begin() as session:
            session.execute(text(STATEMENTS[kind][0]))
        return {}

    for prefix in ("/api/v1/raw", "/raw"):
        app.add_url_rule(
            f"{prefix}/<kind>", f"raw{prefix.replace('/', '_')}", run, methods=["GET", "POST"]
        )
    return app.test_client()


@pytest.mark.parametrize("kind", sorted(STATEMENTS))
def test_a_database_refusal_is_an_api_error_naming_it(
    raw_client: FlaskClient, world: World, token_headers: Any, kind: str
) -> None:
    _statement, status, name = STATEMENTS[kind]
    response = raw_client.post(f"/api/v1/raw/{kind}", headers=token_headers(Role.ADMIN))
    assert response.status_code == status, response.get_data(as_text=True)
    [field] = error_of(response)["fields"]
    assert name in field or name in error_of(response)["message"]


def test_a_database_refusal_on_a_page_is_the_error_page(
    raw_client: FlaskClient, world: World
) -> None:
    response = raw_client.get("/raw/check")  # a GET: no CSRF token in the way
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "capacity_at_least_one" in page, page[page.find("error-message") :][:300]
