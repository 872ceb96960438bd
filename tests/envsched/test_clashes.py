"""Clashes over the stored state, one kind at a time, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.booking.clashes import StateClash, find_clashes
from envsched.db import SessionFactory
from envsched.models import BookingStatus, EnvironmentStatus, ReleaseStatus
from tests.envsched.factories import DAY0, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def kinds(sessions: SessionFactory) -> list[str]:
    return [c.kind for c in find_clashes(sessions)]


def only(sessions: SessionFactory, kind: str) -> StateClash:
    found = find_clashes(sessions)
    assert [c.kind for c in found] == [kind], [c.message for c in found]
    return found[0]


def test_a_clean_state_has_no_clashes(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    first = make_phase()
    make_booking(env, phase_id=first.id, start=day(0), end=day(5))
    make_booking(env, start=day(5), end=day(9))
    assert find_clashes(sessions) == []


def test_overbooked_days_of_a_shared_environment_are_one_clash_per_run(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="SIT-9", capacity=2)
    ids = [make_booking(env, start=day(s), end=day(e)).id for s, e in [(0, 6), (2, 8), (4, 10)]]
    make_booking(env, start=day(3), end=day(9), status=BookingStatus.CANCELLED)
    clash = only(sessions, "overbooked")
    assert (clash.environment, clash.start, clash.end) == ("SIT-9", day(4), day(6))
    assert clash.booking_ids == tuple(sorted(ids))
    assert "3 live bookings" in clash.message and "capacity is 2" in clash.message


def test_bookings_in_maintenance_windows_and_freezes_are_clashes(
    sessions: SessionFactory,
    make_environment: Factory,
    make_window: Factory,
    make_freeze: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment(type="STAGING")
    make_window(env, start=day(3), end=day(12), reason="patching")
    make_freeze(start=day(8), end=day(20), types=["STAGING"], reason="quarter end")
    make_freeze(start=day(0), end=day(20), types=["PERF"])  # another type: no clash
    make_booking(env, start=day(0), end=day(10))
    found = find_clashes(sessions)
    assert [(c.kind, c.start, c.end) for c in found] == [
        ("maintenance", day(3), day(10)),
        ("freeze", day(8), day(10)),
    ]
    assert "patching" in found[0].message and "quarter end" in found[1].message


def test_booking_on_a_down_environment_is_a_clash(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(status=EnvironmentStatus.DOWN)
    make_booking(env)
    assert "down" in only(sessions, "unavailable").message


@pytest.mark.parametrize(
    ("env_fields", "phase_fields", "says"),
    [
        ({"type": "SIT"}, {"type": "UAT"}, "needs a UAT"),  # wrong type
        ({"tags": ["cloud"]}, {"required_tags": ["mainframe"]}, "lacks the tag mainframe"),
        ({"name": "UAT-Z"}, {"environments": ["UAT-Y"]}, "may only use UAT-Y"),  # not listed
    ],
)
def test_booking_on_an_environment_the_phase_cannot_use_is_a_clash(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_booking: Factory,
    env_fields: dict[str, object],
    phase_fields: dict[str, object],
    says: str,
) -> None:
    env = make_environment(**env_fields)
    phase = make_phase(**phase_fields)
    make_booking(env, phase_id=phase.id)
    clash = only(sessions, "ineligible")
    assert says in clash.message and clash.phase == phase.key


def test_phase_booked_before_its_predecessor_is_done_plus_gap_is_a_clash(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    sit, uat = make_environment(type="SIT"), make_environment(type="UAT")
    release = make_release(key="R9")
    first = make_phase(release, key="R9-SIT", type="SIT")
    second = make_phase(release, key="R9-UAT", type="UAT", gap_days=2)
    make_booking(sit, phase_id=first.id, start=day(0), end=day(5))
    make_booking(uat, phase_id=second.id, start=day(6), end=day(11))
    clash = only(sessions, "order")
    assert (clash.release, clash.phase, clash.start, clash.end) == ("R9", "R9-UAT", day(6), day(7))


def test_a_phase_waiting_for_nothing_may_overlap_the_one_before(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    sit, perf = make_environment(type="SIT"), make_environment(type="PERF")
    release = make_release()
    first = make_phase(release, type="SIT")
    second = make_phase(release, type="PERF", after=[])
    make_booking(sit, phase_id=first.id, start=day(0), end=day(5))
    make_booking(perf, phase_id=second.id, start=day(1), end=day(6))
    assert find_clashes(sessions) == []


@pytest.mark.parametrize(("due", "late"), [(10, True), (11, False)])
def test_release_whose_last_booked_phase_ends_after_its_due_date_is_late(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
    due: int,
    late: bool,
) -> None:
    env = make_environment()
    release = make_release(key=f"LATE-{due}", due=day(due))
    phase = make_phase(release)
    make_booking(env, phase_id=phase.id, start=day(6), end=day(11))
    assert kinds(sessions) == (["late"] if late else [])


def test_finished_and_cancelled_releases_are_not_late(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment()
    release = make_release(due=day(1), status=ReleaseStatus.DEPLOYED)
    make_booking(env, phase_id=make_phase(release).id)
    assert kinds(sessions) == []


# -- changeover: capacity-1 environments need free days between releases ----------------------


def test_too_few_changeover_days_between_releases_is_a_clash_naming_both_bookings(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment(name="UAT-7", changeover_days=2)
    r1 = make_phase(make_release(key="CO1"), key="R1-UAT")
    r2 = make_phase(make_release(key="CO2"), key="R2-UAT")
    first = make_booking(env, phase_id=r1.id, start=day(0), end=day(5))
    later = make_booking(env, phase_id=r2.id, start=day(6), end=day(9))
    clash = only(sessions, "changeover")
    assert (clash.environment, clash.start, clash.end) == ("UAT-7", day(5), day(7))
    assert clash.booking_ids == (first.id, later.id)
    assert (clash.release, clash.phase) == ("CO2", "R2-UAT")  # the later booking's
    assert clash.message == (
        "UAT-7 needs 2 changeover days between releases, but R1-UAT on UAT-7 (4–8 Jan "
        "2027) and R2-UAT on UAT-7 (10–12 Jan 2027) have 1 free day between them"
    )


# Free days between a booking ending on day 5 and the next one, on an environment that
# needs 2 changeover days; whether the two serve one release; capacity; is it a clash?
@pytest.mark.parametrize(
    ("free", "same_release", "capacity", "clash"),
    [
        (0, False, 1, True),  # back to back, two releases
        (1, False, 1, True),  # one day short
        (2, False, 1, False),  # exactly the changeover
        (5, False, 1, False),  # well apart
        (0, True, 1, False),  # one release: no changeover needed
        (0, False, 2, False),  # a shared environment has no changeover rule
    ],
)
def test_changeover_is_checked_between_releases_on_capacity_one_only(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
    free: int,
    same_release: bool,
    capacity: int,
    clash: bool,
) -> None:
    env = make_environment(changeover_days=2, capacity=capacity)
    release = make_release()
    first = make_phase(release)
    second = make_phase(release if same_release else None)
    make_booking(env, phase_id=first.id, start=day(0), end=day(5))
    make_booking(env, phase_id=second.id, start=day(5 + free), end=day(9 + free))
    assert kinds(sessions) == (["changeover"] if clash else [])


def test_a_booking_of_no_phase_needs_the_changeover_too(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    env = make_environment(changeover_days=1)
    make_booking(env, start=day(0), end=day(5))  # a request's booking, no phase
    make_booking(env, phase_id=make_phase().id, start=day(5), end=day(8))
    assert kinds(sessions) == ["changeover"]
