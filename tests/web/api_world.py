"""A small stored world for the API, calendar and OpenAPI tests, and a caller per role.

Environments UAT-1 (mainframe), UAT-2, SIT-1 (capacity 2); release R1 with phases
R1-SIT and R1-UAT (needs mainframe); an open request of the test manager for R1-UAT;
a confirmed booking of UAT-2 on [2027-02-01, 2027-02-06); a maintenance window on
UAT-1 on [2027-06-10, 2027-06-12); a STAGING freeze over the year end. The clock of
the app is ``helpers.NOW`` (2027-01-04). Paths under ``/users/`` name the test manager,
a path naming a token gets a fresh token of theirs, and a check-in path a booking of
SIT-1 from today. The test manager is in team Payments, which may hold 20 UAT days a month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from envsched import booking, inventory
from envsched.accounts import tokens
from envsched.db import SessionFactory
from envsched.models import (
    Booking,
    BookingRequest,
    Environment,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
    Role,
    Team,
    TeamQuota,
    User,
)
from tests.envsched import factories
from tests.web.helpers import NOW
from tests.web.lifecycle_world import lifecycle_values
from tests.web.planning_world import PlanningRows
from tests.web.series_world import series_values
from web.background import join_all

D = dt.date.fromisoformat
Headers = Callable[..., dict[str, str]]


@dataclass(frozen=True)
class World:
    uat1: Environment
    uat2: Environment
    sit1: Environment
    release: Release
    sit_phase: Phase
    uat_phase: Phase
    request: BookingRequest
    booking: Booking
    window: MaintenanceWindow
    freeze: Freeze
    tester: User
    planning: PlanningRows  # plan-run and what-if ids, made when a path needs them

    def path_values(self, rule_path: str) -> dict[str, Any]:
        """Values for the ``{…}`` of an API path, pointing at rows of this world."""
        key = self.uat_phase.key if "/phases/" in rule_path else self.release.key
        name = self.tester.name if "/users/" in rule_path else self.uat1.name
        return {
            "name": name,
            "type_name": "UAT",
            "key": key,
            "request_id": self.request.id,
            "booking_id": self._today_booking() if "/checkin" in rule_path else self.booking.id,
            "window_id": self.window.id,
            "freeze_id": self.freeze.id,
            **self.planning(rule_path),
            **lifecycle_values(self.planning.sessions, rule_path),
            **self._token_values(rule_path),
            # booking series (issue 16)
            **series_values(self.planning.sessions, rule_path, self.uat1.name),
            **self._stack_values(rule_path),
        }

    def _today_booking(self) -> int | None:
        """A booking of SIT-1 from today (check-in opens on a booking's first day)."""
        today = NOW.date()
        row = factories.make_booking(
            self.planning.sessions, self.sit1, start=today, end=today + dt.timedelta(days=2)
        )
        return row.id

    def _stack_values(self, rule_path: str) -> dict[str, Any]:
        """A stack of two fresh environments, for paths naming one (issue 16)."""
        if "/stacks/" not in rule_path:
            return {}
        app = factories.make_environment(self.planning.sessions, type="UAT")
        db = factories.make_environment(self.planning.sessions, type="SIT")
        members = [app.name, db.name]
        inventory.create_stack(
            self.planning.sessions,
            inventory.StackIn(name=f"STACK-{app.id}", members=members),
            actor=None,
            now=NOW,
        )
        values: dict[str, Any] = {"stack": f"STACK-{app.id}"}
        if "stack_booking_id" in rule_path:
            done = booking.book_stack(
                self.planning.sessions,
                values["stack"],
                booking.StackBookingIn(start=dt.date(2027, 7, 5), end=dt.date(2027, 7, 9)),
                actor=None,
                now=NOW,
            )
            values["stack_booking_id"] = done.id
        return values

    def _token_values(self, rule_path: str) -> dict[str, Any]:
        """A fresh API token of the tester, for paths naming one."""
        if "token_id" not in rule_path:
            return {}
        token, _secret = tokens.issue_token(
            self.planning.sessions, self.tester.name, actor=None, now=NOW, label="world"
        )
        return {"token_id": token.id}


def build_world(sessions: SessionFactory, tester: User) -> World:
    uat1 = factories.make_environment(
        sessions, name="UAT-1", type="UAT", tags=["mainframe"], components={"payments-api": "4.2.1"}
    )
    uat2 = factories.make_environment(sessions, name="UAT-2", type="UAT")
    sit1 = factories.make_environment(sessions, name="SIT-1", type="SIT", capacity=2)
    release = factories.make_release(
        sessions,
        key="R1",
        title="Payments 4.2",
        earliest_start=D("2027-01-10"),
        due=D("2027-04-30"),
    )
    sit_phase = factories.make_phase(sessions, release, key="R1-SIT", type="SIT", duration_days=10)
    uat_phase = factories.make_phase(
        sessions, release, key="R1-UAT", type="UAT", duration_days=5, required_tags=["mainframe"]
    )
    request = factories.make_request(
        sessions,
        tester,
        phase_id=uat_phase.id,
        earliest_start=D("2027-03-01"),
        required_tags=["mainframe"],
    )
    booking = factories.make_booking(
        sessions, uat2, start=D("2027-02-01"), end=D("2027-02-06"), note="smoke tests"
    )
    window = factories.make_window(
        sessions, uat1, start=D("2027-06-10"), end=D("2027-06-12"), reason="patching"
    )
    freeze = factories.make_freeze(
        sessions, name="year-end", start=D("2027-12-20"), end=D("2028-01-04"), types=["STAGING"]
    )
    _team_with_quota(sessions, tester)
    return World(
        uat1,
        uat2,
        sit1,
        release,
        sit_phase,
        uat_phase,
        request,
        booking,
        window,
        freeze,
        tester,
        PlanningRows(sessions),
    )


def _team_with_quota(sessions: SessionFactory, tester: User) -> None:
    """Team Payments, the tester in it, with 20 UAT days a month."""
    with sessions.begin() as session:
        team = Team(name="Payments")
        session.add(team)
        session.flush()
        session.get_one(User, tester.id).team_id = team.id
        session.add(
            TeamQuota(
                team_id=team.id or 0,
                environment_type_id=factories.type_id(session, "UAT"),
                days_per_month=20,
            )
        )


class Caller:
    """Calls the API as a role, with a bearer token of that role's user."""

    def __init__(self, client: FlaskClient, token_headers: Headers) -> None:
        self.client = client
        self.token_headers = token_headers
        self._headers: dict[str, dict[str, str]] = {}

    def __call__(
        self, role: Role | str, method: str, path: str, json: Any = None, **query: Any
    ) -> TestResponse:
        role = Role(role)
        if role not in self._headers:
            self._headers[role] = self.token_headers(role)
        return self.client.open(
            path, method=method, json=json, query_string=query or None, headers=self._headers[role]
        )


def error_of(response: TestResponse) -> dict[str, Any]:
    """The ``error`` object of an API error response (asserting the one shape)."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body
    return dict(body["error"])


# -- fixtures (imported by the test modules that use them) ---------------------------------


@pytest.fixture(name="world")
def world_fixture(sessions: SessionFactory, user_of: Callable[..., User]) -> World:
    return build_world(sessions, user_of(Role.TEST_MANAGER))


@pytest.fixture(name="call")
def call_fixture(client: FlaskClient, token_headers: Headers) -> Iterator[Caller]:
    yield Caller(client, token_headers)
    join_all(client.application)  # rounds and what-if runs started in the background
