"""``Idempotency-Key`` on ``POST /api/v1/bookings`` and ``/requests``: a retry answers the
first answer, twins racing with one key make one booking, another body is 422, keys
expire. On SQLite and PostgreSQL (the ``backend`` parametrize of the database fixtures)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert
from sqlmodel import col, func, select
from werkzeug.test import TestResponse

from envsched.db import SessionFactory
from envsched.idempotency import KEY_LIFETIME
from envsched.models import Booking, BookingRequest, IdempotencyKey, Role, User
from envsched.settings import Settings
from tests.web.api_world import World, error_of
from tests.web.helpers import NOW
from web import create_app
from web.api import ROUTES
from web.api.idempotency import request_hash
from web.openapi import build_document

HEADER = "Idempotency-Key"
BOOKING = {
    "environment": "UAT-1",
    "start": "2027-03-01",
    "end": "2027-03-08",
    "phase": "R1-UAT",
    "note": "regression pack",
}
Headers = Callable[..., dict[str, str]]


def post(
    client: FlaskClient,
    headers: dict[str, str],
    body: dict[str, Any],
    key: str | None,
    path: str = "/api/v1/bookings",
) -> TestResponse:
    extra = {HEADER: key} if key is not None else {}
    return client.post(path, json=body, headers={**headers, **extra})


def bookings_of(sessions: SessionFactory, environment_id: int | None) -> int:
    with sessions() as session:
        return session.exec(
            select(func.count())
            .select_from(Booking)
            .where(col(Booking.environment_id) == environment_id)
        ).one()


def test_a_retry_with_the_same_key_answers_the_first_answer_and_books_once(
    client: FlaskClient, token_headers: Headers, world: World, sessions: SessionFactory
) -> None:
    headers = token_headers(Role.ENVIRONMENT_MANAGER)
    first = post(client, headers, BOOKING, "retry-1")
    again = post(client, headers, BOOKING, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert bookings_of(sessions, world.uat1.id) == 1
    without_key = post(client, headers, BOOKING, None)  # what a retry got before: its own clash
    assert without_key.status_code == 409


def test_the_same_key_with_another_body_is_422_naming_the_header(
    client: FlaskClient, token_headers: Headers, world: World
) -> None:
    headers = token_headers(Role.ENVIRONMENT_MANAGER)
    assert post(client, headers, BOOKING, "k-1").status_code == 201
    other = post(client, headers, BOOKING | {"note": "another note"}, "k-1")
    assert other.status_code == 422
    error = error_of(other)
    assert error["code"] == "idempotency_key_reused" and set(error["fields"]) == {HEADER}
    elsewhere = post(
        client,
        headers,
        {"phase": "R1-SIT", "duration_days": 2, "earliest_start": "2027-03-01"},
        "k-1",
        "/api/v1/requests",
    )
    assert elsewhere.status_code == 422  # another path is another request too


def test_keys_are_per_user(
    client: FlaskClient, token_headers: Headers, world: World, sessions: SessionFactory
) -> None:
    first = post(client, token_headers(Role.ENVIRONMENT_MANAGER), BOOKING, "shared")
    second = post(
        client,
        token_headers(Role.ENVIRONMENT_MANAGER, "ellen"),
        BOOKING
        | {"environment": "UAT-2", "start": "2027-04-01", "end": "2027-04-06", "phase": None},
        "shared",
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["id"] != second.get_json()["id"]


def test_a_failed_write_leaves_its_key_free_for_the_retry(
    client: FlaskClient, token_headers: Headers, world: World
) -> None:
    headers = token_headers(Role.ENVIRONMENT_MANAGER)
    taken = {"environment": "UAT-2", "start": "2027-02-01", "end": "2027-02-03"}
    assert post(client, headers, taken, "after-clash").status_code == 409
    cancel = client.post(
        f"/api/v1/bookings/{world.booking.id}/cancel", json={"reason": "freed"}, headers=headers
    )
    assert cancel.status_code == 200
    retry = post(client, headers, taken, "after-clash")
    assert retry.status_code == 201


def test_a_key_expires_after_its_lifetime(
    engine: Engine,
    database_url: str,
    world: World,
    token_headers: Headers,
    sessions: SessionFactory,
) -> None:
    clock = [NOW]
    app = create_app(
        Settings(database_url=database_url, secret_key="test"),
        engine=engine,
        clock=lambda: clock[0],
    )
    client, headers = app.test_client(), token_headers(Role.ENVIRONMENT_MANAGER)
    first = post(client, headers, BOOKING, "old")
    clock[0] = NOW + KEY_LIFETIME - dt.timedelta(seconds=1)
    assert post(client, headers, BOOKING, "old").get_json() == first.get_json()
    clock[0] = NOW + KEY_LIFETIME
    later = post(
        client, headers, {"environment": "UAT-2", "start": "2027-05-03", "end": "2027-05-05"}, "old"
    )
    assert later.status_code == 201 and later.get_json()["id"] != first.get_json()["id"]
    with sessions() as session:  # the expired row is gone, the new one stored
        rows = session.exec(select(IdempotencyKey)).all()
    assert [(row.key, row.created_at) for row in rows] == [("old", NOW + KEY_LIFETIME)]


def test_a_key_that_is_no_key_is_400_naming_the_header(
    client: FlaskClient, token_headers: Headers, world: World
) -> None:
    headers = token_headers(Role.ENVIRONMENT_MANAGER)
    for key in ("", "has space", "x" * 256, "naïve"):
        response = post(client, headers, BOOKING, key.encode().decode("latin-1"))
        assert response.status_code == 400, key
        assert set(error_of(response)["fields"]) == {HEADER}


def test_a_retried_request_is_stored_once(
    client: FlaskClient, token_headers: Headers, world: World, sessions: SessionFactory
) -> None:
    headers = token_headers(Role.TEST_MANAGER)
    body = {"phase": "R1-SIT", "duration_days": 3, "earliest_start": "2027-03-01"}
    answers = [post(client, headers, body, "ask-once", "/api/v1/requests") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].get_json() == answers[1].get_json()
    with sessions() as session:  # the world's request and this one
        assert session.exec(select(func.count()).select_from(BookingRequest)).one() == 2


# -- twins: two requests with one key at the same moment --------------------------------------


def race(
    app: Flask, headers: dict[str, str], body: dict[str, Any], key: str, count: int
) -> list[TestResponse]:
    """``count`` clients send the same request with the same key at once."""
    barrier = threading.Barrier(count)
    answers: list[TestResponse] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(post(client, headers, body, key))

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_twins_with_one_key_make_one_booking_and_get_the_same_answer(
    app: Flask, token_headers: Headers, world: World, sessions: SessionFactory
) -> None:
    headers = token_headers(Role.ENVIRONMENT_MANAGER)
    for round_, env in enumerate((world.uat1, world.uat2, world.uat1)):
        body = {
            "environment": env.name,
            "start": f"2027-0{round_ + 3}-01",
            "end": f"2027-0{round_ + 3}-05",
        }
        answers = race(app, headers, body, f"twin-{round_}", 4)
        assert [a.status_code for a in answers] == [201] * 4
        assert len({a.get_data() for a in answers}) == 1
    assert bookings_of(sessions, world.uat1.id) == 2
    assert bookings_of(sessions, world.uat2.id) == 2  # the world's and one of the race


def test_a_twin_waits_for_the_first_then_answers_its_stored_answer(
    app: Flask,
    engine: Engine,
    token_headers: Headers,
    world: World,
    user_of: Callable[..., User],
    sessions: SessionFactory,
) -> None:
    """The first request still holds its key (its transaction open) when the twin comes:
    the twin waits on the key, then answers what the first one stored."""
    headers = token_headers(Role.ENVIRONMENT_MANAGER)
    manager = user_of(Role.ENVIRONMENT_MANAGER)
    client = app.test_client()
    stored_body = {"id": 4242, "note": "the first request's answer"}
    answers: list[TestResponse] = []
    with engine.begin() as connection:
        connection.execute(
            insert(IdempotencyKey).values(
                user_id=manager.id,
                key="held",
                request_hash=_hash_of(app, headers),
                status=201,
                answer=stored_body,
                created_at=NOW,
            )
        )
        twin = threading.Thread(
            target=lambda: answers.append(post(client, headers, BOOKING, "held"))
        )
        twin.start()
        time.sleep(0.5)  # let the twin reach the key; it must then wait for this commit
    twin.join()
    assert answers[0].status_code == 201 and answers[0].get_json() == stored_body
    assert bookings_of(sessions, world.uat1.id) == 0


def _hash_of(app: Flask, headers: dict[str, str]) -> str:
    """The request hash the app computes for ``BOOKING`` on ``/api/v1/bookings``."""
    with app.test_request_context("/api/v1/bookings", method="POST", json=BOOKING, headers=headers):
        return request_hash()


def test_the_openapi_document_describes_the_header_and_the_422() -> None:
    paths = build_document(ROUTES)["paths"]
    for path in ("/api/v1/bookings", "/api/v1/requests"):
        operation = paths[path]["post"]
        assert HEADER in {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "422" in operation["responses"]
    assert all(
        p["in"] != "header"
        for p in paths["/api/v1/bookings/{booking_id}/move"]["post"]["parameters"]
    )
