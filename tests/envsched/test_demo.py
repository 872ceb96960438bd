"""The demo bank loads on both databases and holds what it promises: the bank itself,
and the release lifecycle around it as a user would meet it (KPIs, windows, templates,
gates, deployments, the release calendar)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from envsched.db import SessionFactory, read_transaction
from envsched.demo import DEMO_FILE, load_demo
from envsched.errors import InvalidState, NotFound
from envsched.models import (
    OPEN_RELEASE_STATUSES,
    AuditEntry,
    Booking,
    BookingRequest,
    BookingStatus,
    CadenceKind,
    Deployment,
    Environment,
    ExternalLink,
    GateKind,
    GateState,
    LinkKind,
    Release,
    ReleaseStatus,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseWindow,
    RequestStatus,
    Role,
    User,
)
from envsched.services.capacity import capacity_report
from envsched.services.clashes import KINDS, find_clashes
from envsched.services.gates import gates_in
from envsched.services.kpi_history import kpis_for
from envsched.services.kpis import Period
from envsched.services.mapping import export_scenario
from envsched.services.release_calendar import calendar_items
from envsched.services.release_status import status_history
from envsched.services.users import authenticate
from solver.greedy import greedy_plan
from solver.options import Options
from solver.scenario_file import load_scenario
from tests.envsched.factories import Factory

ANCHOR_WEEK = dt.datetime(2027, 1, 27, 9, 0, tzinfo=dt.UTC)  # a Wednesday of the anchor week
TODAY = ANCHOR_WEEK.date()
S = ReleaseStatus


@pytest.fixture
def demo(sessions: SessionFactory) -> SessionFactory:
    load_demo(sessions, ANCHOR_WEEK)
    return sessions


def test_demo_is_a_believable_bank(demo: SessionFactory) -> None:
    with demo() as session:
        envs = session.exec(select(Environment)).all()
        releases = session.exec(select(Release)).all()
        bookings = session.exec(select(Booking)).all()
        requests = session.exec(select(BookingRequest)).all()
        users = session.exec(select(User)).all()
        assert 35 <= len(envs) <= 45 and 40 <= len(releases) <= 50
        assert {e.type.name for e in envs} == {"SIT", "UAT", "PERF", "STAGING"}
        assert all(e.tags and e.owner and e.components for e in envs)
        assert any(e.maintenance_windows for e in envs)
        assert all(len(r.phases) >= 2 for r in releases)
        assert 25 <= sum(r.status in OPEN_RELEASE_STATUSES for r in releases) <= 35
    assert {b.status for b in bookings} == set(BookingStatus)
    assert {r.status for r in requests} == set(RequestStatus)
    assert {u.role for u in users} == set(Role)


# The changeover kind is newer than the demo bank, whose owner adds an example of it;
# until then it is the one kind the demo may lack.
NOT_IN_THE_DEMO_YET = {"changeover"}


def test_demo_holds_every_kind_of_clash_and_a_capacity_shortfall(demo: SessionFactory) -> None:
    assert {c.kind for c in find_clashes(demo)} | NOT_IN_THE_DEMO_YET == set(KINDS)
    report = capacity_report(demo, dt.date(2027, 1, 25), weeks=12)
    short = report[report["shortfall_days"] > 0]
    assert list(short["type"]) == ["PERF"]


def test_demo_users_sign_in_with_their_demo_passwords(sessions: SessionFactory) -> None:
    summary = load_demo(sessions, ANCHOR_WEEK)
    assert {u.role for u in summary.users} == {r.value for r in Role}
    first = summary.users[0]
    assert authenticate(sessions, first.name, first.password).name == first.name


def test_demo_dates_move_to_the_week_of_now(sessions: SessionFactory) -> None:
    later = ANCHOR_WEEK + dt.timedelta(days=7 * 10 + 2)
    summary = load_demo(sessions, later)
    assert summary.shift_days == 70
    assert summary.anchor == dt.date(2027, 4, 5)
    with sessions() as session:
        in_use = session.exec(select(Booking).where(
            Booking.status == BookingStatus.IN_USE)).all()
    assert all(b.start <= later.date() + dt.timedelta(days=7) for b in in_use)
    assert min(b.end for b in in_use) >= summary.anchor


def test_loading_the_demo_twice_is_refused_and_changes_nothing(demo: SessionFactory) -> None:
    with demo() as session:
        before = len(session.exec(select(Booking)).all())
    with pytest.raises(InvalidState, match="loading the demo needs an empty database"):
        load_demo(demo, ANCHOR_WEEK)
    with demo() as session:
        assert len(session.exec(select(Booking)).all()) == before


def test_existing_users_are_kept_when_the_demo_loads(sessions: SessionFactory,
                                                     make_user: Factory) -> None:
    make_user(name="admin", role=Role.ADMIN)
    summary = load_demo(sessions, ANCHOR_WEEK)
    assert summary.kept_users == ("admin",)
    assert "admin" not in {u.name for u in summary.users}


def test_demo_exports_to_a_scenario_the_planner_solves(demo: SessionFactory,
                                                       tmp_path: object) -> None:
    path = f"{tmp_path}/demo.json"
    export_scenario(demo, path)
    scenario = load_scenario(path)
    plan = greedy_plan(scenario, Options(method="greedy"))
    assert plan.has_plan
    with demo() as session:
        open_phases = session.exec(select(Release).where(col(Release.status).in_(
            ("planned", "in_test", "ready")))).all()
    assert len(scenario.releases) == len(open_phases)
