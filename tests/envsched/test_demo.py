"""The demo bank loads on both databases and holds what it promises: the bank itself,
and the release lifecycle around it as a user would meet it (KPIs, windows, templates,
gates, deployments, the release calendar)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from envsched.accounts.signin import authenticate
from envsched.booking.clashes import KINDS, find_clashes
from envsched.db import SessionFactory, create_engine, read_transaction, session_factory
from envsched.demo import DEMO_FILE, load_demo
from envsched.errors import InvalidState, NotFound
from envsched.lifecycle.calendar import calendar_items
from envsched.lifecycle.gates import gates_in
from envsched.lifecycle.kpi_history import kpis_for
from envsched.lifecycle.kpis import Period
from envsched.lifecycle.status import status_history
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
    Freeze,
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
from envsched.planning.capacity import capacity_report
from envsched.planning.mapping import export_scenario
from envsched.settings import Settings
from solver.greedy import greedy_plan
from solver.options import Options
from solver.scenario_file import load_scenario
from tests.envsched.factories import NOW, Factory
from tests.fixtures.database import LoadedTemplates

ANCHOR_WEEK = dt.datetime(2027, 1, 27, 9, 0, tzinfo=dt.UTC)  # a Wednesday of the anchor week
TODAY = ANCHOR_WEEK.date()
S = ReleaseStatus


@pytest.fixture(scope="module")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedTemplates]:
    """The demo loaded at ``ANCHOR_WEEK`` once a backend (seconds each time), copied for
    each test; the loading itself is what the tests that call ``load_demo`` check."""
    templates = LoadedTemplates(
        tmp_path_factory.mktemp("demo"), "demo", lambda sessions: load_demo(sessions, ANCHOR_WEEK)
    )
    yield templates
    templates.drop()


@pytest.fixture
def demo(backend: str, demo_templates: LoadedTemplates, tmp_path: Path) -> Iterator[SessionFactory]:
    """A database of this test's own holding the demo loaded at ``ANCHOR_WEEK``."""
    with demo_templates.copy(backend, tmp_path) as url:
        engine = create_engine(Settings(database_url=url))
        yield session_factory(engine)
        engine.dispose()


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


def test_demo_holds_every_kind_of_clash_and_a_capacity_shortfall(demo: SessionFactory) -> None:
    assert {c.kind for c in find_clashes(demo)} == set(KINDS)
    report = capacity_report(demo, dt.date(2027, 1, 25), weeks=12)
    short = report[report["shortfall_days"] > 0]
    assert list(short["type"]) == ["PERF"]


def test_demo_users_sign_in_with_their_demo_passwords(sessions: SessionFactory) -> None:
    summary = load_demo(sessions, ANCHOR_WEEK)
    assert {u.role for u in summary.users} == {r.value for r in Role}
    first = summary.users[0]
    assert authenticate(sessions, first.name, first.password, now=NOW).name == first.name


def test_demo_dates_move_to_the_week_of_now(sessions: SessionFactory) -> None:
    later = ANCHOR_WEEK + dt.timedelta(days=7 * 10 + 2)
    summary = load_demo(sessions, later)
    assert summary.shift_days == 70
    assert summary.anchor == dt.date(2027, 4, 5)
    with sessions() as session:
        in_use = session.exec(select(Booking).where(Booking.status == BookingStatus.IN_USE)).all()
    assert all(b.start <= later.date() + dt.timedelta(days=7) for b in in_use)
    assert min(b.end for b in in_use) >= summary.anchor


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC),  # a December
        ANCHOR_WEEK,
        ANCHOR_WEEK + dt.timedelta(weeks=31),
        dt.datetime(2027, 12, 28, 9, tzinfo=dt.UTC),
    ],
)
def test_named_freezes_keep_their_dates_wherever_the_story_moves(
    sessions: SessionFactory, now: dt.datetime
) -> None:
    summary = load_demo(sessions, now)
    with sessions() as session:
        freezes = {f.name: f for f in session.exec(select(Freeze)).all()}
    named = {
        name: ((f.start.month, f.start.day), (f.end.month, f.end.day))
        for name, f in freezes.items()
        if name != "Payments hub cut-over"
    }
    assert named == {
        "Q1 close": ((3, 29), (4, 2)),
        "Q2 close": ((6, 28), (7, 2)),
        "Q3 close": ((9, 27), (10, 1)),
        "Year end": ((12, 15), (1, 4)),
        "Christmas": ((12, 23), (1, 2)),
    }
    today = now.date()
    for name in named:  # the next one of its name that has not ended by today
        freeze = freezes[name]
        assert freeze.end > today >= freeze.end.replace(year=freeze.end.year - 1), name
    story = dt.timedelta(days=summary.shift_days)
    # an event's freeze moves with the story: the rehearsal still runs into its cut-over
    assert freezes["Payments hub cut-over"].start == dt.date(2027, 3, 16) + story


def test_in_december_this_years_christmas_freeze_covers_the_bookings_on_christmas_day(
    sessions: SessionFactory,
) -> None:
    load_demo(sessions, dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC))
    with sessions() as session:
        freezes = {f.name: f for f in session.exec(select(Freeze)).all()}
    assert (freezes["Christmas"].start, freezes["Christmas"].end) == (
        dt.date(2026, 12, 23),
        dt.date(2027, 1, 2),
    )
    assert (freezes["Year end"].start, freezes["Year end"].end) == (
        dt.date(2026, 12, 15),
        dt.date(2027, 1, 4),
    )
    assert freezes["Q1 close"].start == dt.date(2027, 3, 29)


def test_loading_the_demo_twice_is_refused_and_changes_nothing(demo: SessionFactory) -> None:
    with demo() as session:
        before = len(session.exec(select(Booking)).all())
    with pytest.raises(InvalidState, match="loading the demo needs an empty database"):
        load_demo(demo, ANCHOR_WEEK)
    with demo() as session:
        assert len(session.exec(select(Booking)).all()) == before


def test_existing_users_are_kept_when_the_demo_loads(
    sessions: SessionFactory, make_user: Factory
) -> None:
    make_user(name="admin", role=Role.ADMIN)
    summary = load_demo(sessions, ANCHOR_WEEK)
    assert summary.kept_users == ("admin",)
    assert "admin" not in {u.name for u in summary.users}


def test_demo_exports_to_a_scenario_the_planner_solves(
    demo: SessionFactory, tmp_path: object
) -> None:
    path = f"{tmp_path}/demo.json"
    export_scenario(demo, path)
    scenario = load_scenario(path)
    plan = greedy_plan(scenario, Options(method="greedy"))
    assert plan.has_plan
    with demo() as session:
        open_phases = session.exec(
            select(Release).where(col(Release.status).in_(("planned", "in_test", "ready")))
        ).all()
    assert len(scenario.releases) == len(open_phases)


# -- the release lifecycle around the bank ---------------------------------------------------


def test_the_kpis_count_a_year_of_releases_with_every_outcome(demo: SessionFactory) -> None:
    report = kpis_for(demo, Period.months_ending(TODAY))
    counts = report.releases
    assert counts["deployed"] >= 11 and counts["on_time"] > counts["late"] > 0
    assert "PAY-2.1" in counts["late_keys"]  # went live after its window, this month
    assert counts["backed_out"] == 1
    assert {"CBS-6.0", "LOS-9.0"} <= set(counts["failed_keys"])  # backed out; cancelled in test
    assert counts["without_test_signoff"] and counts["without_operational_signoff"]
    assert counts["clashes"] >= 1
    assert {t["type"] for t in report.time_to_implement} == {"major", "minor", "emergency"}
    assert report.lead_time["average_days"] > 7 and report.lead_time["shortest_days"] >= 0
    months = report.monthly
    assert sum(1 for m in months if m["deployed"]) >= 10
    assert all(m["lead_time_days"] for m in months)  # bookings asked for and started
    assert all(any(v for k, v in m.items() if k.startswith("utilisation_")) for m in months)


def test_the_release_train_has_monthly_windows_a_year_back_and_a_year_ahead(
    demo: SessionFactory,
) -> None:
    with read_transaction(demo) as session:
        strategy = session.exec(select(ReleaseStrategy)).one()
        windows = session.exec(select(ReleaseWindow).order_by(col(ReleaseWindow.go_live))).all()
        releases = session.exec(select(Release)).all()
    train = [w.go_live for w in windows if w.strategy_id == strategy.id]
    assert strategy.cadence == CadenceKind.MONTHLY
    assert strategy.published_at is not None and strategy.published_at < ANCHOR_WEEK
    assert train[0] < TODAY - dt.timedelta(days=330) < TODAY + dt.timedelta(days=300) < train[-1]
    assert all(28 <= (later - earlier).days <= 31 for earlier, later in pairwise(train))
    assert any(w.strategy_id is None for w in windows)  # an emergency go-live between them
    cutoffs = {w.id: w.cutoff for w in windows}
    in_train = [r for r in releases if r.status in (*OPEN_RELEASE_STATUSES, S.DEPLOYED)]
    assert all(r.window_id is not None and r.due == cutoffs[r.window_id] for r in in_train)


def test_this_quarters_gates_stand_in_every_state_and_started_phases_passed_their_entry(
    demo: SessionFactory,
) -> None:
    with read_transaction(demo) as session:
        releases = session.exec(
            select(Release).where(col(Release.status).in_(OPEN_RELEASE_STATUSES))
        ).all()
        views = [g for release in releases for g in gates_in(session, release)]
        started = session.exec(
            select(Booking).where(
                col(Booking.status).in_((BookingStatus.IN_USE, BookingStatus.RELEASED)),
                col(Booking.phase_id).is_not(None),
            )
        ).all()
        started_phases = {
            b.phase.key
            for b in started
            if b.phase and b.phase.release.status in OPEN_RELEASE_STATUSES
        }
    assert {g.state for g in views} == set(GateState)
    assert all(g.reason for g in views if g.state in (GateState.VETOED, GateState.WAIVED))
    assert any(g.kind == GateKind.GO_NO_GO and g.criteria for g in views)
    entries = {g.phase: g for g in views if g.kind == GateKind.ENTRY}
    assert started_phases and all(entries[key].passed for key in started_phases)


def test_past_releases_went_through_the_flow_to_their_outcome(demo: SessionFactory) -> None:
    def steps(key: str) -> list[ReleaseStatus | None]:
        return [change.to_status for change in status_history(demo, key)]

    assert steps("CBS-6.0") == [S.PLANNED, S.IN_TEST, S.READY, S.DEPLOYED, S.BACKED_OUT]
    assert steps("LOS-9.0") == [S.PLANNED, S.IN_TEST, S.CANCELLED]
    assert steps("PAY-2.1") == [S.PLANNED, S.IN_TEST, S.READY, S.DEPLOYED]
    with read_transaction(demo) as session:
        deployments = session.exec(select(Deployment)).all()
        links = session.exec(select(ExternalLink)).all()
        live = session.exec(
            select(func.count())
            .select_from(Booking)
            .where(
                col(Booking.status).in_((BookingStatus.CONFIRMED, BookingStatus.IN_USE)),
                Booking.end < TODAY - dt.timedelta(days=60),
            )
        ).one()
    assert len(deployments) >= 12 and all(d.backout_plan for d in deployments)
    assert [d.backed_out for d in deployments].count(True) == 1
    assert {link.kind for link in links} == set(LinkKind)
    assert live == 0  # the past year's environments were handed back


def test_a_release_made_from_a_template_asks_for_its_bookings_in_its_window(
    demo: SessionFactory,
) -> None:
    with read_transaction(demo) as session:
        templates = session.exec(select(ReleaseTemplate)).all()
        release = session.exec(select(Release).where(Release.key == "PAY-2.4")).one()
        window = session.get_one(ReleaseWindow, release.window_id)
        requests = session.exec(
            select(BookingRequest).where(
                col(BookingRequest.phase_id).in_([p.id for p in release.phases])
            )
        ).all()
        phases = [p.key for p in release.phases]
    assert len(templates) == 3 and {t.release_type.value for t in templates} == {
        "major",
        "minor",
        "emergency",
    }
    assert phases == ["PAY-2.4-SIT", "PAY-2.4-UAT", "PAY-2.4-STG"]
    assert (release.status, release.due) == (S.PLANNED, window.cutoff)
    assert [r.status for r in requests] == [RequestStatus.REQUESTED] * 3


def test_the_release_calendar_of_the_year_shows_windows_releases_and_deployments(
    demo: SessionFactory,
) -> None:
    with read_transaction(demo) as session:
        items = calendar_items(session, TODAY - dt.timedelta(days=365), TODAY)
    kinds = {item.kind for item in items}
    assert {"window", "go_live", "release", "phase", "deployment"} <= kinds
    outcomes = [item.label for item in items if item.kind == "deployment"]
    assert "CBS-6.0 backed out" in outcomes and "PAY-2.1 deployed" in outcomes


@pytest.mark.parametrize("weeks", [3, 31])  # a monthly go-live drifts a few days either way
def test_the_story_is_the_same_whatever_the_week_it_is_loaded(
    sessions: SessionFactory, weeks: int
) -> None:
    now = ANCHOR_WEEK + dt.timedelta(weeks=weeks)
    load_demo(sessions, now)
    counts = kpis_for(sessions, Period.months_ending(now.date())).releases
    assert counts["late_keys"] == ["OBA-11.0", "OLB-5.0", "PAY-2.1"]
    assert counts["failed_keys"] == ["CBS-6.0", "LOS-9.0"]
    late = {c.release for c in find_clashes(sessions) if c.kind == "late"}
    assert late == {"CBS-6.1", "CRM-7.1"}  # past their window's cut-off, still in test


def test_a_demo_that_fails_half_way_leaves_the_database_empty(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["lifecycle"]["past_releases"][-1]["template"] = "Hotfix"  # no such template
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(NotFound, match="Hotfix"):
        load_demo(sessions, ANCHOR_WEEK, path=broken)
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(Release)).one() == 0
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == 0
    load_demo(sessions, ANCHOR_WEEK)  # and it loads afterwards


def test_a_kept_user_with_another_role_leaves_its_demo_part_to_the_admin(
    sessions: SessionFactory, make_user: Factory
) -> None:
    make_user(name="rita", role=Role.VIEWER)
    load_demo(sessions, ANCHOR_WEEK)
    history = status_history(sessions, "CBS-6.0")
    assert {change.by for change in history} == {"admin"}
