"""Bookings a round cannot map move (the same row); a round's proposals always apply."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.models import LIVE_STATUSES, Booking, BookingStatus, Phase, PlanRunStatus
from envsched.planning.rounds.apply import last_accept
from envsched.planning.rounds.replan import accept_run
from envsched.settings import Settings
from tests.envsched.factories import DAY0, NOW, Factory, diff_of, flags_of
from tests.envsched.test_replan import DAY, run_round

AUTO = Settings(replan_auto_apply=True)


def live_bookings_of(sessions: SessionFactory, phase: Phase) -> list[tuple[int, str, dt.date]]:
    with sessions() as session:
        rows = session.exec(
            select(Booking).where(
                Booking.phase_id == phase.id, col(Booking.status).in_(LIVE_STATUSES)
            )
        ).all()
        return [(b.id or 0, b.environment.name, b.start) for b in rows]


# Why the round cannot hold the booking where it is:
STRAYS = [
    # the environment lacks the phase's tag
    pytest.param(
        {"environment": "UAT-PLAIN", "start": 10, "end": 15},
        Settings(),
        "not eligible",
        id="not-eligible",
    ),
    # two days at the end of a 30-day horizon, for a 5-day phase
    pytest.param(
        {"environment": "UAT-MF", "start": 28, "end": 30},
        Settings(horizon_days=30),
        "horizon",
        id="past-the-horizon",
    ),
]


@pytest.mark.parametrize(("where", "settings", "problem"), STRAYS)
def test_a_booking_the_round_cannot_map_is_moved_never_booked_twice(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
    where: dict[str, Any],
    settings: Settings,
    problem: str,
) -> None:
    envs = {
        "UAT-PLAIN": make_environment(name="UAT-PLAIN"),
        "UAT-MF": make_environment(name="UAT-MF", tags=["mainframe"]),
    }
    release = make_release(key="CBS", earliest_start=DAY0 + 7 * DAY, due=DAY0 + 25 * DAY)
    phase = make_phase(release, key="CBS-UAT", required_tags=["mainframe"])
    stray = make_booking(
        envs[where["environment"]],
        phase_id=phase.id,
        status=BookingStatus.TENTATIVE,
        start=DAY0 + where["start"] * DAY,
        end=DAY0 + where["end"] * DAY,
    )
    run = run_round(sessions, settings=replace(settings, replan_auto_apply=True))
    assert run.status == PlanRunStatus.DONE and run.applied
    [moved] = diff_of(run).moved
    assert diff_of(run).placed == []
    assert moved.booking == stray.id and problem in moved.why
    assert moved.before.stored() == {
        "environment": where["environment"],
        "start": stray.start.isoformat(),
        "end": stray.end.isoformat(),
    }
    to = dt.date.fromisoformat(moved.to.start)
    assert live_bookings_of(sessions, phase) == [(stray.id, "UAT-MF", to)]
    again = run_round(sessions, settings=settings)
    assert (diff_of(again).moved, diff_of(again).placed) == ([], [])


def test_a_pinned_booking_not_eligible_is_kept_flagged_and_never_booked_twice(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    plain = make_environment(name="UAT-PLAIN")
    make_environment(name="UAT-MF", tags=["mainframe"])
    release = make_release(key="CBS", earliest_start=DAY0 + 7 * DAY, due=DAY0 + 25 * DAY)
    phase = make_phase(release, key="CBS-UAT", required_tags=["mainframe"])
    kept = make_booking(
        plain,
        phase_id=phase.id,
        status=BookingStatus.CONFIRMED,
        start=DAY0 + 10 * DAY,
        end=DAY0 + 15 * DAY,
    )
    run = run_round(sessions, settings=AUTO)
    assert run.status == PlanRunStatus.DONE
    assert "CBS-UAT" not in {p.phase for p in diff_of(run).placed + diff_of(run).moved}
    assert [(c.booking, c.rule, c.environment) for c in flags_of(run).pinned] == [
        (kept.id, "eligibility", "UAT-PLAIN")
    ]
    assert live_bookings_of(sessions, phase) == [(kept.id, "UAT-PLAIN", kept.start)]


def test_auto_apply_applies_what_fits_and_reports_the_refused_proposal(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    shared = make_environment(name="SIT-S", type="SIT", capacity=2)
    # A booking for no phase on a shared environment: the planner cannot see the place it
    # takes, so it plans both phases side by side there, and only one of them still fits.
    make_booking(shared, start=DAY0, end=DAY0 + 60 * DAY)
    phases = [
        make_phase(make_release(earliest_start=DAY0 + 10 * DAY, due=DAY0 + 15 * DAY), type="SIT")
        for _ in range(2)
    ]
    run = run_round(sessions, settings=AUTO)
    assert run.status == PlanRunStatus.DONE and not run.applied and not run.error
    [applied] = [p for p in diff_of(run).placed if p.applied]
    [refused] = [p for p in diff_of(run).placed if not p.applied]
    accepted = last_accept(run)
    assert accepted is not None and dict(accepted.stored(), at=None) == {
        "at": None,
        "by": "auto-apply of a re-plan started at a terminal",
        "applied": [applied.phase],
        "refused": [{"phase": refused.phase, "reason": refused.refused}],
    }
    assert "SIT-S is fully booked" in (refused.refused or "")
    assert sorted(len(live_bookings_of(sessions, p)) for p in phases) == [0, 1]
    # An environment manager's "accept all" later refuses it again, the run still done.
    again = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert again.status == PlanRunStatus.DONE
    again_accepted = last_accept(again)
    assert again_accepted and [r.phase for r in again_accepted.refused] == [refused.phase]


def test_a_near_term_booking_the_round_cannot_map_stays_and_is_flagged(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    plain = make_environment(name="UAT-PLAIN")
    make_environment(name="UAT-MF", tags=["mainframe"])
    phase = make_phase(
        make_release(key="CBS", due=DAY0 + 25 * DAY), key="CBS-UAT", required_tags=["mainframe"]
    )
    # tentative, but it starts within the near term (5 days): the next days never change
    near = make_booking(
        plain,
        phase_id=phase.id,
        status=BookingStatus.TENTATIVE,
        start=DAY0 + 2 * DAY,
        end=DAY0 + 7 * DAY,
    )
    run = run_round(sessions, settings=AUTO)
    assert run.status == PlanRunStatus.DONE
    assert (diff_of(run).moved, diff_of(run).placed) == ([], [])
    assert [(c.booking, c.rule) for c in flags_of(run).pinned] == [(near.id, "eligibility")]
    assert live_bookings_of(sessions, phase) == [(near.id, "UAT-PLAIN", near.start)]
