"""Release strategies, the published twelve-month plan, window assignment and window moves,
on SQLite and PostgreSQL (the move's re-plan runs the real solver)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, PermissionDenied
from envsched.lifecycle import windows
from envsched.lifecycle.shapes import StrategyIn, WindowIn
from envsched.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CadenceKind,
    Phase,
    PlanRun,
    PlanRunStatus,
    Release,
    ReleaseWindow,
    Role,
)
from envsched.settings import Settings
from envsched.solves import drain
from tests.envsched.factories import DAY0, NOW, Factory

DAY = dt.timedelta(days=1)


def monthly(**overrides: object) -> StrategyIn:
    fields: dict[str, object] = {
        "name": "monthly",
        "cadence": CadenceKind.MONTHLY,
        "anchor": dt.date(2027, 1, 31),
        "window_days": 21,
        "freeze_days": 5,
        **overrides,
    }
    return StrategyIn.model_validate(fields)


def stored_windows(sessions: SessionFactory) -> list[tuple[str, dt.date]]:
    with sessions() as session:
        rows = session.exec(select(ReleaseWindow).order_by(col(ReleaseWindow.go_live))).all()
        return [(w.name, w.go_live) for w in rows]


def test_publishing_a_monthly_strategy_stores_twelve_windows_from_today(
    sessions: SessionFactory, make_user: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    windows.create_strategy(sessions, monthly(), actor=rm, now=NOW)
    published = windows.publish_plan(sessions, "monthly", actor=rm, now=NOW)
    assert len(published) == 12
    assert stored_windows(sessions)[:3] == [
        ("2027-01", dt.date(2027, 1, 31)),
        ("2027-02", dt.date(2027, 2, 28)),
        ("2027-03", dt.date(2027, 3, 31)),
    ]
    first = published[0]
    assert (first.start, first.cutoff) == (dt.date(2027, 1, 10), dt.date(2027, 1, 26))


def test_republishing_later_keeps_used_windows_and_rolls_the_plan_forward(
    sessions: SessionFactory, make_user: Factory, make_release: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    windows.create_strategy(sessions, monthly(), actor=rm, now=NOW)
    published = windows.publish_plan(sessions, "monthly", actor=rm, now=NOW)
    release = make_release(key="R1")
    windows.assign_release(sessions, "R1", published[1].id, actor=rm, now=NOW)
    three_months_on = NOW + 90 * DAY  # 2027-04-04
    again = windows.publish_plan(sessions, "monthly", actor=rm, now=three_months_on)
    # past windows stay as history; the plan runs twelve months from the new day
    go_lives = [w.go_live for w in again]
    assert go_lives[0] == dt.date(2027, 1, 31) and go_lives[-1] == dt.date(2028, 3, 31)
    assert len([d for d in go_lives if d >= three_months_on.date()]) == 12
    with sessions() as session:
        assert session.get_one(Release, release.id).window_id == published[1].id


def test_a_strategy_with_a_new_cadence_drops_unused_future_windows(
    sessions: SessionFactory, make_user: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    windows.create_strategy(sessions, monthly(), actor=rm, now=NOW)
    windows.publish_plan(sessions, "monthly", actor=rm, now=NOW)
    with sessions.begin() as session:
        strategy = windows.get_strategy(session, "monthly")
        strategy.cadence = CadenceKind.QUARTERLY
    assert [d for _, d in stored_windows(sessions)][:2] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
    ]
    windows.publish_plan(sessions, "monthly", actor=rm, now=NOW)
    assert [d for _, d in stored_windows(sessions)] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 4, 30),
        dt.date(2027, 7, 31),
        dt.date(2027, 10, 31),
    ]


def test_only_release_managers_keep_the_strategy(
    sessions: SessionFactory, make_user: Factory
) -> None:
    with pytest.raises(PermissionDenied, match="release_manager"):
        windows.create_strategy(
            sessions, monthly(), actor=make_user(role=Role.TEST_MANAGER), now=NOW
        )


def test_a_strategy_name_is_used_once(sessions: SessionFactory, make_user: Factory) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    windows.create_strategy(sessions, monthly(), actor=rm, now=NOW)
    with pytest.raises(InvalidInput, match="already exists"):
        windows.create_strategy(sessions, monthly(), actor=rm, now=NOW)


def test_assigning_a_release_makes_the_cutoff_its_due_date_and_is_audited(
    sessions: SessionFactory, make_user: Factory, make_release: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    window = windows.add_window(
        sessions,
        WindowIn(name="spring", start=DAY0, cutoff=DAY0 + 30 * DAY, go_live=DAY0 + 35 * DAY),
        actor=rm,
        now=NOW,
    )
    make_release(key="R1", earliest_start=DAY0)
    release = windows.assign_release(sessions, "R1", window.id, actor=rm, now=NOW)
    assert (release.window_id, release.due) == (window.id, DAY0 + 30 * DAY)
    with sessions() as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.entity == "release")
        ).all()
    assert actions == ["assign_window"]


def test_a_release_starting_after_the_cutoff_does_not_fit_the_window(
    sessions: SessionFactory, make_user: Factory, make_release: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    window = windows.add_window(
        sessions,
        WindowIn(name="w", start=DAY0, cutoff=DAY0 + 5 * DAY, go_live=DAY0 + 7 * DAY),
        actor=rm,
        now=NOW,
    )
    make_release(key="R1", earliest_start=DAY0 + 6 * DAY)
    with pytest.raises(InvalidInput, match="cut-off"):
        windows.assign_release(sessions, "R1", window.id, actor=rm, now=NOW)


def test_a_window_with_its_cutoff_after_go_live_is_refused(
    sessions: SessionFactory, make_user: Factory
) -> None:
    with pytest.raises(InvalidInput, match="cut-off"):
        windows.add_window(
            sessions,
            WindowIn(name="w", start=DAY0, cutoff=DAY0 + 9 * DAY, go_live=DAY0 + 7 * DAY),
            actor=make_user(role=Role.RELEASE_MANAGER),
            now=NOW,
        )


def test_moving_a_window_moves_its_releases_and_proposes_booking_changes(
    sessions: SessionFactory,
    make_user: Factory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    env = make_environment(name="UAT-1")
    window = windows.add_window(
        sessions,
        WindowIn(name="w", start=DAY0 + 10 * DAY, cutoff=DAY0 + 30 * DAY, go_live=DAY0 + 35 * DAY),
        actor=rm,
        now=NOW,
    )
    release = make_release(key="R1", earliest_start=DAY0 + 10 * DAY)
    phase = make_phase(release, key="R1-UAT", earliest_start=DAY0 + 10 * DAY)
    booking = make_booking(
        env,
        phase_id=phase.id,
        status=BookingStatus.TENTATIVE,
        start=DAY0 + 10 * DAY,
        end=DAY0 + 15 * DAY,
    )
    windows.assign_release(sessions, "R1", window.id, actor=rm, now=NOW)

    moved = windows.move_window(
        sessions,
        window.id or 0,
        DAY0 + 49 * DAY,
        actor=rm,
        now=NOW,
        settings=Settings(),
        time_limit=5.0,
    )

    assert moved.releases == ["R1"]
    assert (moved.window.start, moved.window.cutoff) == (DAY0 + 24 * DAY, DAY0 + 44 * DAY)
    with sessions() as session:
        stored = session.get_one(Release, release.id)
        assert (stored.earliest_start, stored.due) == (DAY0 + 24 * DAY, DAY0 + 44 * DAY)
        assert session.get_one(Phase, phase.id).earliest_start == DAY0 + 24 * DAY
        # proposed, not applied: the booking waits for an environment manager
        assert session.get_one(Booking, booking.id).start == DAY0 + 10 * DAY
    assert moved.run is not None and moved.run.status == PlanRunStatus.RUNNING  # queued
    assert drain(sessions, Settings()) == 1  # the worker's part
    with read_transaction(sessions) as session:
        run = session.get_one(PlanRun, moved.run.id)
    assert run.status == PlanRunStatus.DONE
    assert run.diff is not None
    [proposal] = run.diff.moved
    assert proposal.booking == booking.id and proposal.phase == "R1-UAT"
    assert dt.date.fromisoformat(proposal.to.start) >= DAY0 + 24 * DAY


def test_moving_an_empty_window_runs_no_planning_round(
    sessions: SessionFactory, make_user: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    window = windows.add_window(
        sessions,
        WindowIn(name="w", start=DAY0, cutoff=DAY0 + 5 * DAY, go_live=DAY0 + 7 * DAY),
        actor=rm,
        now=NOW,
    )
    moved = windows.move_window(sessions, window.id or 0, DAY0 + 14 * DAY, actor=rm, now=NOW)
    assert moved.run is None and moved.releases == []
    assert moved.window.go_live == DAY0 + 14 * DAY


def test_a_window_cannot_move_onto_another_go_live_of_its_strategy(
    sessions: SessionFactory, make_user: Factory
) -> None:
    rm = make_user(role=Role.RELEASE_MANAGER)
    windows.create_strategy(sessions, monthly(), actor=rm, now=NOW)
    first, second = windows.publish_plan(sessions, "monthly", actor=rm, now=NOW)[:2]
    with pytest.raises(InvalidInput, match="already"):
        windows.move_window(sessions, first.id or 0, second.go_live, actor=rm, now=NOW)
