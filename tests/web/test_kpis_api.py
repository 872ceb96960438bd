"""``GET /api/v1/kpis`` and ``GET /api/v1/release-calendar`` on the API world
(clock: 2027-01-04), with a deployment and a go/no-go added to its history."""

from __future__ import annotations

import pytest

from envsched.db import SessionFactory
from envsched.lifecycle.shapes import CalendarItemOut, KpiReportOut
from envsched.models import Deployment, Role
from tests.envsched import factories
from tests.web.api_world import Caller, D, World, error_of
from tests.web.helpers import NOW
from web.api import ROUTES
from web.openapi import build_document


@pytest.fixture
def history(world: World, sessions: SessionFactory) -> World:
    """R1: SIT booked from Jan 11 (asked on Jan 4), deployed Feb 20, no gate signed."""
    factories.make_booking(
        sessions,
        world.sit1,
        phase_id=world.sit_phase.id,
        start=D("2027-01-11"),
        end=D("2027-01-21"),
    )
    with sessions.begin() as session:
        assert world.release.id is not None
        session.add(
            Deployment(release_id=world.release.id, deployed_on=D("2027-02-20"), recorded_at=NOW)
        )
    return world


def test_kpis_default_to_the_twelve_months_up_to_this_one(call: Caller, world: World) -> None:
    response = call(Role.VIEWER, "GET", "/api/v1/kpis")
    assert response.status_code == 200
    body = KpiReportOut.model_validate(response.get_json())
    assert (body.period.start, body.period.end) == (D("2026-02-01"), D("2027-02-01"))
    assert [row["month"] for row in body.monthly][::11] == ["2026-02", "2027-01"]


def test_kpis_of_chosen_months_count_the_stored_history(call: Caller, history: World) -> None:
    response = call(Role.VIEWER, "GET", "/api/v1/kpis", start="2027-01-15", months=3)
    body = response.get_json()
    assert body["period"] == {"start": "2027-01-01", "end": "2027-04-01"}
    releases = body["releases"]
    # due 2027-04-30 in the world: on time; Jan 11 -> Feb 20 is 40 days
    assert (releases["deployed"], releases["on_time"], releases["late"]) == (1, 1, 0)
    assert releases["without_test_signoff"] == ["R1"]
    assert releases["without_operational_signoff"] == ["R1"]
    assert body["time_to_implement"] == [
        {"type": "minor", "releases": 1, "average_days": 40.0, "best_days": 40, "worst_days": 40}
    ]
    by_type = {u["type"]: u for u in body["utilisation"]}
    # SIT-1 has capacity 2: 10 booked of 2 x 90 days; UAT-2's Feb booking: 5 of 2 x 90
    assert by_type["SIT"] == {"type": "SIT", "booked_days": 10, "open_days": 180, "percent": 5.6}
    assert by_type["UAT"]["booked_days"] == 5
    # lead time: Jan 4 -> Jan 11 (SIT) and Jan 4 -> Feb 1 (UAT-2)
    assert body["lead_time"]["average_days"] == 17.5
    feb = next(row for row in body["monthly"] if row["month"] == "2027-02")
    assert (feb["deployed"], feb["on_time"]) == (1, 1)


def test_a_bad_kpi_period_is_400(call: Caller, world: World) -> None:
    response = call(Role.VIEWER, "GET", "/api/v1/kpis", months=0)
    assert response.status_code == 400
    assert "months" in error_of(response)["fields"]


def test_the_release_calendar_lists_its_items(call: Caller, history: World) -> None:
    response = call(Role.VIEWER, "GET", "/api/v1/release-calendar", months=3)
    items = [CalendarItemOut.model_validate(i) for i in response.get_json()]
    assert [(i.kind, i.lane, i.label) for i in items] == [
        ("release", "R1", "R1 Payments 4.2"),
        ("phase", "R1", "R1-SIT"),
        ("deployment", "R1", "R1 deployed"),
    ]


def test_the_kpis_and_the_release_calendar_are_in_the_openapi_document() -> None:
    paths = build_document(ROUTES)["paths"]
    kpis = paths["/api/v1/kpis"]["get"]
    assert kpis["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/KpiReportPublic"
    }
    assert {p["name"] for p in kpis["parameters"]} == {"start", "months"}
    assert "get" in paths["/api/v1/release-calendar"]
    assert {"get", "put"} <= set(paths["/api/v1/releases/{key}/gates"])
    assert "post" in paths["/api/v1/bookings/{booking_id}/start"]
