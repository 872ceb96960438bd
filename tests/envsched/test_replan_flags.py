"""What a round flags: shortfalls with the releases that suffer, and remedies in words."""

from __future__ import annotations

from envsched.db import SessionFactory
from envsched.models import BookingStatus, PlanRunStatus
from envsched.settings import Settings
from tests.envsched.factories import DAY0, Factory, diff_of, flags_of
from tests.envsched.test_replan import DAY, bookings, run_round


def two_releases_for_one_uat(
    make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    """R1 and R2 each need UAT for 10 days from day 14, both due on day 24: one must wait."""
    make_environment(name="UAT-1")
    for key, priority in (("R1", 2), ("R2", 1)):
        release = make_release(
            key=key, priority=priority, earliest_start=DAY0 + 14 * DAY, due=DAY0 + 24 * DAY
        )
        make_phase(release, key=f"{key}-UAT", duration_days=10)


def test_a_shortfall_names_its_type_weeks_days_and_the_releases_that_suffer(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    two_releases_for_one_uat(make_environment, make_phase, make_release)
    run = run_round(sessions)
    assert run.status == PlanRunStatus.DONE
    [shortfall] = flags_of(run).shortfalls
    assert shortfall.type == "UAT" and shortfall.releases == ["R2"]
    # Both want UAT from Monday of week 3: 14 days asked, 7 there; week 4 has room.
    assert (shortfall.weeks, shortfall.short_days) == ("week 3", 7)
    assert [(late.release, late.late_days) for late in flags_of(run).late] == [("R2", 10)]


def test_the_remedies_are_one_more_environment_and_the_slip_the_plan_needs(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    two_releases_for_one_uat(make_environment, make_phase, make_release)
    run = run_round(sessions)
    assert flags_of(run).remedies == [
        "one more UAT environment for weeks 3–4 brings R2 in on time",
        "slip R2 by 10 days",
    ]


def test_a_dry_run_proposes_and_sends_nothing_even_with_auto_apply(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    two_releases_for_one_uat(make_environment, make_phase, make_release)
    run = run_round(sessions, dry_run=True, settings=Settings(replan_auto_apply=True))
    assert run.dry_run and not run.applied and len(diff_of(run).placed) == 2
    assert bookings(sessions) == []


def test_a_phase_already_done_is_not_planned_again_and_its_successor_waits_for_its_end(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    sit, uat = make_environment(type="SIT"), make_environment(type="UAT")
    release = make_release(key="R1", earliest_start=DAY0 - 20 * DAY)
    done = make_phase(release, key="R1-SIT", type="SIT", duration_days=10)
    make_phase(release, key="R1-UAT", type="UAT", gap_days=9)
    make_booking(
        sit,
        phase_id=done.id,
        start=DAY0 - 20 * DAY,
        end=DAY0 - 2 * DAY,
        status=BookingStatus.RELEASED,
    )
    run = run_round(sessions)
    assert run.status == PlanRunStatus.DONE
    assert [(p.phase, p.environment, p.start) for p in diff_of(run).placed] == [
        ("R1-UAT", uat.name, "2027-01-11")
    ]  # the SIT ended on day -2, plus the 9-day gap
