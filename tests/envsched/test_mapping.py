"""Stored state to a solver scenario and back: export, import, plans as tentative bookings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import BookingConflict, InvalidInput, InvalidScenario, InvalidState
from envsched.models import Booking, BookingStatus, Environment, EnvironmentStatus
from envsched.planning.mapping import (
    Mapped,
    apply_plan_as_tentative,
    build_scenario,
    export_scenario,
    import_scenario,
)
from solver.greedy import greedy_plan
from solver.options import Options
from solver.scenario import Scenario, Window
from solver.scenario_file import load_scenario
from solver.validate import validate
from tests.envsched.factories import DAY0, NOW, Factory

DEMO = Path(__file__).parents[2] / "data" / "demo.json"


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def mapped(sessions: SessionFactory, **kwargs: object) -> Mapped:
    with read_transaction(sessions) as session:
        return build_scenario(session, start=DAY0, horizon_days=100, **kwargs)  # type: ignore[arg-type]


def content(scenario: Scenario) -> Scenario:
    """The scenario with its name dropped and every list in a canonical order."""
    return replace(
        scenario,
        name="",
        environments=tuple(sorted(scenario.environments, key=lambda e: e.id)),
        releases=tuple(sorted(scenario.releases, key=lambda r: r.id)),
        freezes=tuple(sorted(scenario.freezes, key=lambda f: (f.start, f.end, f.reason))),
        bookings=tuple(sorted(scenario.bookings, key=lambda b: b.phase)),
    )


def count(sessions: SessionFactory, model: type) -> int:
    with sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


# -- import and export ----------------------------------------------------------------------


def test_demo_scenario_survives_import_then_export(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    original = load_scenario(DEMO)
    import_scenario(sessions, DEMO, NOW)
    out = tmp_path / "exported.json"
    export_scenario(sessions, out, start=original.start, horizon_days=original.horizon_days)
    assert content(load_scenario(out)) == content(original)


def test_export_without_a_start_begins_at_the_first_open_date(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    import_scenario(sessions, DEMO, NOW)
    out = tmp_path / "exported.json"
    result = export_scenario(sessions, out)
    assert result.scenario.start == dt.date(2027, 1, 4)
    assert result.scenario.horizon_days >= 365
    assert load_scenario(out).bookings == result.scenario.bookings


def test_import_refuses_a_database_that_already_holds_data(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    make_environment()
    with pytest.raises(InvalidState, match="empty database"):
        import_scenario(sessions, DEMO, NOW)
    assert count(sessions, Environment) == 1


def test_import_of_a_bad_file_names_the_field_and_writes_nothing(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(DEMO.read_text().replace('"duration_days": 8', '"duration_days": "8"', 1))
    with pytest.raises(InvalidScenario) as caught:
        import_scenario(sessions, bad, NOW)
    assert caught.value.path == "releases[0].phases[0].duration_days"
    assert count(sessions, Environment) == 0


def test_import_that_double_books_a_capacity_one_environment_writes_nothing(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    clash = tmp_path / "clash.json"
    text = DEMO.read_text().replace(
        '{"phase": "LOS-5.0-SIT", "environment": "SIT-3", "start": "2027-02-08"',
        '{"phase": "LOS-5.0-SIT", "environment": "SIT-3", "start": "2027-01-05"',
    )
    clash.write_text(text)
    with pytest.raises(BookingConflict):
        import_scenario(sessions, clash, NOW)
    assert count(sessions, Environment) == 0


# -- what the mapping turns into what -------------------------------------------------------


def test_confirmed_and_in_use_bookings_are_pinned_tentative_ones_may_move(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    env = make_environment(type="UAT")
    statuses = [
        BookingStatus.CONFIRMED,
        BookingStatus.IN_USE,
        BookingStatus.TENTATIVE,
        BookingStatus.RELEASED,
        BookingStatus.CANCELLED,
    ]
    phases = [make_phase(type="UAT") for _ in statuses]
    for n, (phase, status) in enumerate(zip(phases, statuses, strict=True)):
        make_booking(env, phase_id=phase.id, status=status, start=day(6 * n), end=day(6 * n + 5))
    bookings = {b.phase: b for b in mapped(sessions).scenario.bookings}
    assert {key: b.pinned for key, b in bookings.items()} == {
        phases[0].key: True,
        phases[1].key: True,
        phases[2].key: False,
    }
    assert bookings[phases[2].key].start == 12


def test_windows_statuses_freezes_and_phase_rules_reach_the_scenario(
    sessions: SessionFactory,
    make_environment: Factory,
    make_window: Factory,
    make_freeze: Factory,
    make_release: Factory,
    make_phase: Factory,
) -> None:
    sit = make_environment(type="SIT", name="SIT-A", tags=["mainframe"], capacity=2)
    make_window(sit, start=day(3), end=day(5), reason="patching")
    make_environment(type="SIT", name="SIT-B", status=EnvironmentStatus.DOWN)
    make_freeze(start=day(20), end=day(27), types=["SIT"], reason="quarter end")
    release = make_release(
        key="R1", title="Payments", priority=3, earliest_start=day(2), due=day(40)
    )
    make_phase(release, key="R1-SIT", type="SIT", duration_days=4, required_tags=["mainframe"])
    make_phase(
        release,
        key="R1-SIT2",
        type="SIT",
        duration_days=2,
        gap_days=1,
        after=[],
        environments=["SIT-A"],
        earliest_start=day(9),
    )
    scenario = mapped(sessions).scenario
    envs = scenario.environment_by_id
    assert envs["SIT-A"].unavailable == (Window(3, 5, "patching"),)
    assert envs["SIT-A"].capacity == 2 and envs["SIT-A"].tags == {"mainframe"}
    assert envs["SIT-B"].unavailable == (Window(0, 100, "down"),)
    assert [(f.start, f.end, f.types) for f in scenario.freezes] == [(20, 27, {"SIT"})]
    rel = scenario.release_by_id["R1"]
    assert (rel.name, rel.priority, rel.earliest_start, rel.due) == ("Payments", 3, 2, 40)
    first, second = rel.phases
    assert (first.duration, first.requires_tags, first.after) == (4, {"mainframe"}, None)
    assert (second.after, second.gap_days, second.environments, second.earliest_start) == (
        (),
        1,
        ("SIT-A",),
        9,
    )


def test_a_booking_that_serves_no_phase_still_holds_its_days(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="UAT-X")
    make_booking(env, start=day(4), end=day(8))
    result = mapped(sessions).scenario
    assert result.bookings == ()
    assert [(w.start, w.end) for w in result.environment_by_id["UAT-X"].unavailable] == [(4, 8)]


def test_release_the_solver_could_not_read_is_left_out_and_said_so(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory
) -> None:
    make_environment(type="UAT")
    make_phase(type="UAT")
    orphan = make_phase(type="MAINFRAME-LAB")
    result = mapped(sessions)
    assert orphan.key not in result.scenario.phase_by_id
    assert any("MAINFRAME-LAB" in note for note in result.left_out)


def test_export_of_an_empty_database_asks_for_a_start(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="start"):
        export_scenario(sessions, tmp_path / "x.json")


# -- a plan back as tentative bookings ------------------------------------------------------


def planned(sessions: SessionFactory) -> tuple[Scenario, list[Booking]]:
    scenario = mapped(sessions).scenario
    plan = greedy_plan(scenario, Options(method="greedy"))
    assert validate(scenario, plan) == []
    return scenario, apply_plan_as_tentative(sessions, scenario, plan, NOW)


def live(sessions: SessionFactory) -> list[Booking]:
    with sessions() as session:
        return list(session.exec(select(Booking).order_by(col(Booking.start))).all())


def test_plan_becomes_tentative_bookings_around_a_confirmed_one(
    sessions: SessionFactory,
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_booking: Factory,
) -> None:
    env = make_environment(name="UAT-P")
    release = make_release(earliest_start=DAY0)
    first = make_phase(release, duration_days=5)
    second = make_phase(release, duration_days=3)
    confirmed = make_booking(env, phase_id=first.id, start=day(2), end=day(7))
    _scenario, created = planned(sessions)
    assert [(b.phase_id, b.start, b.end, b.status) for b in created] == [
        (second.id, day(7), day(10), BookingStatus.TENTATIVE)
    ]
    stored = {b.id: b for b in live(sessions)}
    assert (stored[confirmed.id].start, stored[confirmed.id].status) == (
        day(2),
        BookingStatus.CONFIRMED,
    )


def test_a_new_plan_replaces_the_previous_tentative_bookings(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="UAT-Q")
    phase = make_phase(duration_days=5)
    old = make_booking(
        env, phase_id=phase.id, status=BookingStatus.TENTATIVE, start=day(30), end=day(35)
    )
    _scenario, created = planned(sessions)
    statuses = {b.id: b.status for b in live(sessions)}
    assert statuses[old.id] == BookingStatus.CANCELLED
    assert [statuses[b.id] for b in created] == [BookingStatus.TENTATIVE]


def test_a_plan_that_no_longer_fits_writes_nothing(
    sessions: SessionFactory, make_environment: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="UAT-R")
    make_phase(duration_days=5)
    scenario = mapped(sessions).scenario
    plan = greedy_plan(scenario, Options(method="greedy"))
    make_booking(env, start=day(0), end=day(10))  # someone books the days meanwhile
    with pytest.raises(BookingConflict):
        apply_plan_as_tentative(sessions, scenario, plan, NOW)
    assert [b.status for b in live(sessions)] == [BookingStatus.CONFIRMED]


def test_a_shared_environment_cannot_show_a_request_booking_and_says_so(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(name="SIT-S", type="SIT", capacity=2)
    make_booking(env, start=day(0), end=day(3))
    result = mapped(sessions)
    assert result.scenario.environment_by_id["SIT-S"].unavailable == ()
    [note] = [n for n in result.left_out if "SIT-S" in n]
    assert "holds one of the 2 places of SIT-S" in note and "booking 1" not in note
