"""/api/v1/slots, /api/v1/clashes and /api/v1/capacity."""

from __future__ import annotations

import pytest

from envsched.db import SessionFactory
from envsched.models import Role
from tests.envsched import factories
from tests.web.api_world import Caller, D, World, error_of

VIEWER = Role.VIEWER


@pytest.mark.parametrize(
    ("query", "slots"),
    [
        (
            {"type": "UAT", "days": 5, "after": "2027-01-10", "tags": "mainframe"},
            [("UAT-1", "2027-01-10", "2027-01-15")],
        ),
        (
            {"type": "UAT", "days": 5, "after": "2027-01-29"},  # UAT-2 is booked 1-5 February
            [("UAT-1", "2027-01-29", "2027-02-03"), ("UAT-2", "2027-02-06", "2027-02-11")],
        ),
        (
            {"type": "UAT", "days": 3, "after": "2027-06-09", "environments": "UAT-1"},
            [("UAT-1", "2027-06-12", "2027-06-15")],
        ),  # after the maintenance window
        (
            {"type": "UAT", "days": 5, "after": "2027-01-29", "before": "2027-02-05"},
            [("UAT-1", "2027-01-29", "2027-02-03")],
        ),
        ({"days": 2, "after": "2027-01-10", "limit": 1}, [("SIT-1", "2027-01-10", "2027-01-12")]),
        ({"type": "UAT", "days": 5, "after": "2027-01-10", "tags": "mainframe,gpu"}, []),
    ],
)
def test_free_slots_are_the_earliest_per_environment(
    call: Caller, world: World, query: dict[str, object], slots: list[tuple[str, str, str]]
) -> None:
    response = call(VIEWER, "GET", "/api/v1/slots", **query)
    assert response.status_code == 200
    assert [(s["environment"], s["start"], s["end"]) for s in response.get_json()] == slots


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"type": "UAT", "after": "2027-01-10"}, "days"),
        ({"type": "UAT", "days": 5}, "after"),
        ({"type": "UAT", "days": 0, "after": "2027-01-10"}, "days"),
        ({"type": "NOPE", "days": 5, "after": "2027-01-10"}, "type"),
        ({"days": 5, "after": "2027-01-10", "limit": 51}, "limit"),
    ],
)
def test_bad_slot_questions_are_a_400_naming_the_parameter(
    call: Caller, world: World, query: dict[str, object], field: str
) -> None:
    response = call(VIEWER, "GET", "/api/v1/slots", **query)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_clashes_list_an_overbooked_environment(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    # exclusive=False: the state PostgreSQL's guard refuses, as an import might leave it
    extra = factories.make_booking(
        sessions, world.uat2, start=D("2027-02-03"), end=D("2027-02-10"), exclusive=False
    )
    page = call(VIEWER, "GET", "/api/v1/clashes").get_json()
    assert page["total"] == 1
    assert page["items"][0] | {"message": ""} == {
        "kind": "overbooked",
        "message": "",
        "start": "2027-02-03",
        "end": "2027-02-06",
        "environment": "UAT-2",
        "release": None,
        "phase": None,
        "booking_ids": sorted(b.id or 0 for b in (world.booking, extra)),
    }
    assert call(VIEWER, "GET", "/api/v1/clashes", kind="maintenance").get_json()["total"] == 0
    assert call(VIEWER, "GET", "/api/v1/clashes", environment="UAT-2").get_json()["total"] == 1


def test_clashes_list_too_few_changeover_days_between_releases_by_kind(
    call: Caller, world: World, sessions: SessionFactory
) -> None:
    env = factories.make_environment(sessions, name="UAT-CO", changeover_days=2)
    first = factories.make_booking(sessions, env, start=D("2027-03-01"), end=D("2027-03-05"))
    later = factories.make_booking(sessions, env, start=D("2027-03-06"), end=D("2027-03-08"))
    page = call(VIEWER, "GET", "/api/v1/clashes", kind="changeover").get_json()
    [clash] = page["items"]
    assert (clash["kind"], clash["environment"], clash["start"], clash["end"]) == (
        "changeover",
        "UAT-CO",
        "2027-03-05",
        "2027-03-07",
    )
    assert clash["booking_ids"] == [first.id, later.id]
    assert "needs 2 changeover days between releases" in clash["message"]
    assert call(VIEWER, "GET", "/api/v1/clashes", kind="overbooked").get_json()["total"] == 0


def test_an_unknown_clash_kind_is_a_400_naming_it(call: Caller, world: World) -> None:
    response = call(VIEWER, "GET", "/api/v1/clashes", kind="double")
    assert response.status_code == 400
    assert "kind" in error_of(response)["fields"]


def test_clashes_paginate(call: Caller, world: World, sessions: SessionFactory) -> None:
    for day in ("2027-03-01", "2027-04-01", "2027-05-01"):
        for _ in range(2):
            factories.make_booking(
                sessions,
                world.uat2,
                start=D(day),
                exclusive=False,
                end=D(day) + (D("2027-01-03") - D("2027-01-01")),
            )
    pages = [call(VIEWER, "GET", "/api/v1/clashes", per_page=2, page=p).get_json() for p in (1, 2)]
    assert [len(p["items"]) for p in pages] == [2, 1]
    assert pages[0]["total"] == 3


def test_capacity_reports_demand_supply_and_shortfall_per_week(call: Caller, world: World) -> None:
    response = call(VIEWER, "GET", "/api/v1/capacity", type="UAT", weeks=2, start="2027-02-03")
    assert response.status_code == 200
    assert response.get_json() == {
        "start": "2027-02-03",
        "weeks": 2,
        "rows": [
            {
                "type": "UAT",
                "week_start": "2027-02-01",
                "demand_days": 5,
                "supply_days": 14,
                "shortfall_days": 0,
            },
            # R1 is not booked: forecast from the report's first day, R1-SIT takes 1-10
            # February and R1-UAT 11-15 February, 4 of its days in this week
            {
                "type": "UAT",
                "week_start": "2027-02-08",
                "demand_days": 4,
                "supply_days": 14,
                "shortfall_days": 0,
            },
        ],
    }


def test_capacity_starts_today_by_default(call: Caller, world: World) -> None:
    report = call(VIEWER, "GET", "/api/v1/capacity", weeks=1).get_json()
    assert report["start"] == "2027-01-04"
    assert {row["type"] for row in report["rows"]} == {"SIT", "UAT"}


@pytest.mark.parametrize(
    ("query", "field"),
    [({"type": "NOPE"}, "type"), ({"weeks": 0}, "weeks"), ({"start": "soon"}, "start")],
)
def test_bad_capacity_questions_are_a_400(
    call: Caller, world: World, query: dict[str, object], field: str
) -> None:
    response = call(VIEWER, "GET", "/api/v1/capacity", **query)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
