"""Booking series (issue 16): runs laid out as the RRULE says, each booked through the
rulebook like a direct booking, refused runs kept with the rule in words, cancel one or
the rest, and the planner's scenario seeing every run; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlmodel import col, select

from envsched.audit import audit_lines
from envsched.booking import SeriesIn, create_series, series_days, series_out
from envsched.booking.series import cancel_runs, preview_series
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, InvalidState, PermissionDenied
from envsched.models import AuditEntry, Booking, BookingStatus, Repeat, Role
from envsched.planning.mapping import build_scenario
from tests.envsched.factories import DAY0, NOW, Factory, id_of

TUESDAY = DAY0 + dt.timedelta(days=1)  # DAY0 is Monday 4 January 2027


def weekly(env: str, **extra: object) -> SeriesIn:
    fields: dict[str, object] = {
        "environment": env,
        "repeat": "weekly",
        "weekdays": ["tue"],
        "start": DAY0,
        "length_days": 1,
        "times": 4,
        "note": "regression run",
        **extra,
    }
    return SeriesIn.model_validate(fields)


def week(n: int) -> dt.date:
    return TUESDAY + dt.timedelta(weeks=n)


def test_the_runs_follow_the_rrule_rules() -> None:
    mon, wed, fri = 0, 2, 4
    # every 2 weeks on Monday and Friday from a Wednesday: that week's Friday comes first
    days = series_days(Repeat.WEEKLY, 2, [mon, fri], DAY0 + dt.timedelta(days=2), None, 4)
    assert days == [
        dt.date(2027, 1, 8),
        dt.date(2027, 1, 18),
        dt.date(2027, 1, 22),
        dt.date(2027, 2, 1),
    ]
    # every 3 days until a day: the last start day itself is included
    assert series_days(Repeat.DAYS, 3, [], DAY0, DAY0 + dt.timedelta(days=6), None) == [
        DAY0,
        DAY0 + dt.timedelta(days=3),
        DAY0 + dt.timedelta(days=6),
    ]
    assert series_days(Repeat.WEEKLY, 1, [wed], DAY0, dt.date(2027, 1, 20), None)[-1] == (
        dt.date(2027, 1, 20)
    )
    assert series_days(Repeat.WEEKLY, 1, [], DAY0, None, 3) == []  # no weekday, no run


def test_a_series_books_the_free_runs_lists_the_refused_and_cancels_the_rest(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory, make_freeze: Factory
) -> None:
    env = make_environment(name="UAT-7")
    held = make_booking(env, start=week(1), end=week(1) + dt.timedelta(days=1), note="patch test")
    make_freeze(name="year end", start=week(3), end=week(3) + dt.timedelta(days=2), types=["UAT"])
    before = preview_series(sessions, weekly(env.name), actor=None, now=NOW)
    assert [r.refused for r in before] == [False, True, False, True]

    series = create_series(sessions, weekly(env.name), actor=None, now=NOW)
    shown = series_out(sessions, series.id or 0)
    assert [(o.start, o.state, o.rule) for o in shown.occurrences] == [
        (week(0), "confirmed", ""),
        (week(1), "refused", "capacity"),
        (week(2), "confirmed", ""),
        (week(3), "refused", "freeze"),
    ]
    assert "fully booked" in shown.occurrences[1].reason
    assert "holds 12 Jan 2027" in shown.occurrences[1].reason
    assert "year end" in shown.occurrences[3].reason
    assert shown.rrule == "FREQ=WEEKLY;BYDAY=TU;WKST=MO;COUNT=4"
    with sessions() as session:
        live = session.exec(
            select(Booking).where(col(Booking.id) != held.id).order_by(col(Booking.start))
        ).all()
    assert [(b.start, b.note, b.status) for b in live] == [
        (week(0), "regression run", BookingStatus.CONFIRMED),
        (week(2), "regression run", BookingStatus.CONFIRMED),
    ]

    with read_transaction(sessions) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "booking_series")).one()
        (line,) = audit_lines(session, [entry])
    assert (line.what, line.action) == ("repeating booking regression run on UAT-7", "created")
    assert "repeats: Every Tuesday, 1 day each, from 4 Jan 2027, 4 times" in line.changes

    first = shown.occurrences[0]
    cancelled = cancel_runs(sessions, series.id or 0, first.id, rest=True, actor=None, now=NOW)
    assert sorted(cancelled) == sorted(id_of(b) for b in live)
    states = [o.state for o in series_out(sessions, series.id or 0).occurrences]
    assert states == ["cancelled", "refused", "cancelled", "refused"]


def test_cancel_one_run_keeps_the_others(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    env = make_environment()
    series = create_series(sessions, weekly(env.name, times=3), actor=None, now=NOW)
    runs = series_out(sessions, series.id or 0).occurrences
    cancel_runs(sessions, series.id or 0, runs[1].id, rest=False, actor=None, now=NOW)
    assert [o.state for o in series_out(sessions, series.id or 0).occurrences] == [
        "confirmed",
        "cancelled",
        "confirmed",
    ]


def test_each_run_of_a_phase_is_judged_by_the_rulebook(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory
) -> None:
    """A phase holds one live booking: the first run books it, the rest name the rule."""
    env = make_environment()
    phase = make_phase(duration_days=1)
    series = create_series(sessions, weekly(env.name, phase=phase.key), actor=None, now=NOW)
    runs = series_out(sessions, series.id or 0).occurrences
    assert [o.rule for o in runs] == ["", "one_per_phase", "one_per_phase", "one_per_phase"]
    assert f"{phase.key} is already booked on {env.name}" in runs[1].reason


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"repeat": "days", "weekdays": ["mon"]}, "weekdays"),
        ({"times": None}, "until"),
        ({"until": DAY0 + dt.timedelta(days=30)}, "until"),
        ({"length_days": 8}, "length_days"),
        ({"start": DAY0 - dt.timedelta(days=1)}, "start"),
        ({"times": None, "until": DAY0 + dt.timedelta(days=3000)}, "until"),
    ],
)
def test_a_series_that_cannot_be_laid_out_names_the_field(
    sessions: SessionFactory, make_environment: Factory, extra: dict[str, object], field: str
) -> None:
    env = make_environment()
    with pytest.raises(InvalidInput) as caught:
        create_series(sessions, weekly(env.name, **extra), actor=None, now=NOW)
    assert caught.value.field == field


def test_only_environment_managers_book_a_series(
    sessions: SessionFactory, make_environment: Factory, make_user: Factory
) -> None:
    env = make_environment()
    tester = make_user(role=Role.TEST_MANAGER)
    with pytest.raises(PermissionDenied):
        create_series(sessions, weekly(env.name), actor=tester, now=NOW)


def test_two_series_at_once_never_double_book(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    """The environment is locked for the whole series, as for one booking."""
    env = make_environment()
    done: list[object] = []

    def book() -> None:
        done.append(create_series(sessions, weekly(env.name), actor=None, now=NOW))

    threads = [threading.Thread(target=book) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    states = [
        [o.state for o in series_out(sessions, s.id or 0).occurrences]  # type: ignore[attr-defined]
        for s in done
    ]
    assert sorted(states) == [["confirmed"] * 4, ["refused"] * 4]


def test_the_planner_sees_every_run_as_a_booking(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory
) -> None:
    """A run for no phase holds its days in the scenario (as any such booking does); a
    run for a phase is that phase's booking, pinned or movable as the series says."""
    env = make_environment()
    create_series(sessions, weekly(env.name), actor=None, now=NOW)
    phase = make_phase(duration_days=1)
    other = make_environment()
    create_series(sessions, weekly(other.name, phase=phase.key, pinned=True), actor=None, now=NOW)
    with read_transaction(sessions) as session:
        scenario = build_scenario(session, start=DAY0, horizon_days=60).scenario
    held = scenario.environment_by_id[env.name].unavailable
    assert [(w.start, w.end) for w in held] == [(1 + 7 * n, 2 + 7 * n) for n in range(4)]
    assert all(w.reason.startswith("regression run on") for w in held)
    assert [(b.phase, b.environment, b.start, b.pinned) for b in scenario.bookings] == [
        (phase.key, other.name, 1, True)
    ]


def test_a_run_under_way_is_handed_back_not_cancelled(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    """The rule of a single booking (``cancel_booking``) holds for a series' cancel."""
    env = make_environment()
    series = create_series(sessions, weekly(env.name, times=3), actor=None, now=NOW)
    runs = series_out(sessions, series.id or 0).occurrences
    under_way = dt.datetime.combine(runs[0].start, NOW.timetz()) + dt.timedelta(days=1)
    with pytest.raises(InvalidState) as refused:
        cancel_runs(sessions, series.id or 0, runs[0].id, rest=True, actor=None, now=under_way)
    assert "hand it back instead of cancelling it" in refused.value.message
    states = [o.state for o in series_out(sessions, series.id or 0).occurrences]
    assert states == ["confirmed", "confirmed", "confirmed"]
