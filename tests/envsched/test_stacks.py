"""Stacks (issue 16): kept by environment managers; booked whole or not at all, each
member checked as a direct booking is, a refusal naming the member and its rule. On
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, func, select

from envsched import migrations
from envsched.booking import RuleBroken, StackBookingIn, book_stack
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, InvalidState, PermissionDenied
from envsched.inventory import StackIn, create_stack, delete_stack, stacks
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    Environment,
    Role,
    StackBooking,
    StackBookingPart,
    User,
)
from tests.envsched.factories import DAY0, NOW, Factory, diff_of


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def live(sessions: SessionFactory) -> list[tuple[int, dt.date, dt.date]]:
    with sessions() as session:
        rows = session.exec(
            select(col(Booking.environment_id), col(Booking.start), col(Booking.end)).where(
                col(Booking.status).in_(LIVE_STATUSES)
            )
        ).all()
    return sorted(rows)


@pytest.fixture
def uat3(sessions: SessionFactory, make_environment: Factory) -> tuple:
    """Stack UAT-3: an app (type UAT) and a database (type DB)."""
    app = make_environment(name="UAT-3-APP")
    db = make_environment(name="UAT-3-DB", type="DB")
    create_stack(
        sessions, StackIn(name="UAT-3", members=["UAT-3-DB", "UAT-3-APP"]), actor=None, now=NOW
    )
    return app, db


def test_a_stack_is_booked_whole_for_the_same_days(
    sessions: SessionFactory, uat3: tuple, make_user: Factory
) -> None:
    app, db = uat3
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=manager, now=NOW
    )
    assert sorted(p.environment for p in done.bookings) == ["UAT-3-APP", "UAT-3-DB"]
    assert live(sessions) == sorted([(app.id, day(3), day(8)), (db.id, day(3), day(8))])
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(StackBookingPart)).one() == 2


def test_one_member_busy_refuses_the_whole_stack_naming_it(
    sessions: SessionFactory, uat3: tuple, make_booking: Factory
) -> None:
    _app, db = uat3
    make_booking(db, start=day(5), end=day(9))
    before = live(sessions)
    with pytest.raises(BookingConflict) as refused:
        book_stack(sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW)
    assert "UAT-3-DB" in refused.value.message
    assert refused.value.rule == "capacity"
    assert live(sessions) == before  # nothing of the stack was booked, the app neither
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(StackBooking)).one() == 0


def test_a_member_under_maintenance_refuses_the_stack_naming_member_and_rule(
    sessions: SessionFactory, uat3: tuple, make_window: Factory
) -> None:
    app, _db = uat3
    make_window(app, start=day(6), end=day(7), reason="patching")
    with pytest.raises(BookingConflict) as refused:
        book_stack(sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW)
    assert "UAT-3-APP" in refused.value.message and refused.value.rule == "maintenance"
    assert live(sessions) == []


def test_the_rulebook_judges_the_member_serving_the_phase(
    sessions: SessionFactory, uat3: tuple, make_phase: Factory
) -> None:
    app, db = uat3
    phase = make_phase(earliest_start=day(10))
    with pytest.raises(RuleBroken) as refused:
        book_stack(
            sessions,
            "UAT-3",
            StackBookingIn(start=day(3), end=day(8), phase=phase.key),
            actor=None,
            now=NOW,
        )
    assert refused.value.breaks[0].rule == "earliest_start"
    assert refused.value.message.startswith("UAT-3-APP: ")
    assert live(sessions) == []
    done = book_stack(
        sessions,
        "UAT-3",
        StackBookingIn(start=day(10), end=day(15), phase=phase.key),
        actor=None,
        now=NOW,
    )
    with sessions() as session:
        phases = dict(
            session.exec(select(col(Booking.environment_id), col(Booking.phase_id))).all()
        )
    assert phases == {app.id: phase.id, db.id: None}  # one booking per phase, the rest held
    assert done.phase == phase.key


def test_a_phase_no_member_serves_is_refused_naming_the_phase(
    sessions: SessionFactory, uat3: tuple, make_phase: Factory
) -> None:
    phase = make_phase(type="PERF")
    with pytest.raises(InvalidInput) as refused:
        book_stack(
            sessions,
            "UAT-3",
            StackBookingIn(start=day(3), end=day(8), phase=phase.key),
            actor=None,
            now=NOW,
        )
    assert refused.value.field == "phase" and "PERF" in refused.value.message


def test_only_environment_managers_and_admins_keep_and_book_stacks(
    sessions: SessionFactory, uat3: tuple, make_user: Factory
) -> None:
    tester = make_user(role=Role.TEST_MANAGER)
    with pytest.raises(PermissionDenied):
        book_stack(
            sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=tester, now=NOW
        )
    with pytest.raises(PermissionDenied):
        create_stack(sessions, StackIn(name="S2", members=["UAT-3-APP"]), actor=tester, now=NOW)
    with pytest.raises(PermissionDenied):
        delete_stack(sessions, "UAT-3", actor=tester, now=NOW)


@pytest.mark.parametrize(
    ("name", "members", "field", "words"),
    [
        ("UAT-4", ["UAT-3-APP"], "members", "already belongs to the stack UAT-3"),
        ("UAT-4", ["NOPE"], "members", "no environment named NOPE"),
        ("UAT-3", ["X-1"], "name", "already a stack named UAT-3"),
        ("UAT-3-APP", ["X-1"], "name", "an environment's name"),
    ],
)
def test_a_bad_stack_is_refused_naming_the_field(
    sessions: SessionFactory,
    uat3: tuple,
    make_environment: Factory,
    name: str,
    members: list[str],
    field: str,
    words: str,
) -> None:
    make_environment(name="X-1")
    with pytest.raises(InvalidInput) as refused:
        create_stack(sessions, StackIn(name=name, members=members), actor=None, now=NOW)
    assert refused.value.field == field and words in refused.value.message


def test_deleting_a_stack_keeps_its_environments_and_bookings(
    sessions: SessionFactory, uat3: tuple
) -> None:
    book_stack(sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW)
    delete_stack(sessions, "UAT-3", actor=None, now=NOW)
    with sessions() as session:
        assert stacks(session) == []
    assert len(live(sessions)) == 2


THREADS = 12


def test_writers_booking_one_stack_at_once_get_it_exactly_once(
    sessions: SessionFactory, uat3: tuple
) -> None:
    ready = threading.Barrier(THREADS)

    def one_writer(_: int) -> str:
        ready.wait()
        try:
            book_stack(
                sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
            )
        except BookingConflict:
            return "refused"
        return "booked"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(one_writer, range(THREADS)))
    assert outcomes.count("booked") == 1
    assert len(live(sessions)) == 2


def test_0021_adds_stacks_and_goes_back(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, "0021")
    with empty_engine.begin() as c:
        c.execute(text("INSERT INTO environment_stack (id, name, description) VALUES (1, 'S', '')"))
        c.execute(text("UPDATE phase SET stacks = NULL"))
    migrations.downgrade(empty_engine, "0020")
    with empty_engine.connect() as c:
        tables = set(
            c.execute(
                text(
                    "SELECT table_name FROM information_schema.tables"
                    if empty_engine.dialect.name == "postgresql"
                    else "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ).scalars()
        )
    assert "environment_stack" not in tables and "stack_booking_part" not in tables
    migrations.upgrade(empty_engine, "0021")


# -- planning: the scenario and the plan written back ----------------------------------


def test_a_stack_phase_is_planned_on_the_stack_checked_by_the_validator_and_booked_whole(
    sessions: SessionFactory,
    uat3: tuple[Environment, Environment],
    make_phase: Factory,
    make_release: Factory,
    tmp_path: Path,
) -> None:
    """The scenario holds the stack and the phase's stacks; a pinned stack booking of one
    phase is on the stack (its other member's booking is part of it); the plan places the
    stack phase on the whole stack, the independent validator passes it, and writing it
    back books every member, tentatively."""
    from envsched.planning.mapping import apply_plan_as_tentative, build_scenario, export_scenario
    from solver import Options, plan
    from solver.scenario_file import load_scenario
    from solver.validate import validate

    app, db = uat3
    release = make_release(earliest_start=day(0))
    first = make_phase(release, duration_days=3)
    e2e = make_phase(release, duration_days=4, stacks=["UAT-3"])
    book_stack(
        sessions,
        "UAT-3",
        StackBookingIn(start=day(0), end=day(3), phase=first.key),
        actor=None,
        now=NOW,
    )
    with sessions() as session:
        mapped = build_scenario(session, start=DAY0, horizon_days=60)
    scenario = mapped.scenario
    assert [(s.id, s.members) for s in scenario.stacks] == [("UAT-3", ("UAT-3-APP", "UAT-3-DB"))]
    assert scenario.phase_by_id[e2e.key].stacks == ("UAT-3",)
    assert {b.phase: (b.environment, b.pinned) for b in scenario.bookings} == {
        first.key: ("UAT-3", True)
    }
    assert scenario.environment_by_id["UAT-3-DB"].unavailable == ()  # held by the stack
    result = plan(scenario, Options(time_limit=2.0))
    assert validate(scenario, result) == []
    placed = {a.phase: (a.environment, a.start) for a in result.assignments}
    assert placed[e2e.key] == ("UAT-3", 3)

    apply_plan_as_tentative(sessions, scenario, result, NOW)
    with sessions() as session:
        rows = session.exec(
            select(col(Booking.environment_id), col(Booking.start), col(Booking.status)).where(
                Booking.start == day(3)
            )
        ).all()
    assert sorted(rows) == sorted([(app.id, day(3), "tentative"), (db.id, day(3), "tentative")])
    apply_plan_as_tentative(sessions, scenario, result, NOW)  # again: both replaced
    with sessions() as session:
        statuses = session.exec(select(Booking.status).where(Booking.start == day(3))).all()
    assert sorted(statuses) == ["cancelled", "cancelled", "tentative", "tentative"]

    path = tmp_path / "with-stacks.json"
    export_scenario(sessions, path, start=DAY0, horizon_days=60)
    again = load_scenario(path)
    assert again.stacks == scenario.stacks
    assert again.phase_by_id[e2e.key].stacks == ("UAT-3",)


def test_a_planning_round_places_a_stack_phase_and_accepting_books_every_member(
    sessions: SessionFactory, uat3: tuple, make_phase: Factory, make_release: Factory
) -> None:
    from envsched.planning.rounds.replan import accept_run
    from tests.envsched.test_replan import run_round

    app, db = uat3
    release = make_release(earliest_start=day(10), due=day(30))
    make_phase(release, duration_days=4, stacks=["UAT-3"])
    run = run_round(sessions)
    assert [(p.place.environment, p.place.start) for p in diff_of(run).placed] == [
        ("UAT-3", day(10).isoformat())
    ]
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert accepted.applied
    with sessions() as session:
        rows = session.exec(
            select(col(Booking.environment_id), col(Booking.start), col(Booking.status)).where(
                col(Booking.status).in_(LIVE_STATUSES)
            )
        ).all()
    assert sorted(rows) == sorted([(app.id, day(10), "tentative"), (db.id, day(10), "tentative")])


def test_a_scenario_file_with_stacks_imports_them_and_its_stack_booking_whole(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    import json

    from envsched.planning.mapping import build_scenario, import_scenario

    data = {
        "format": "envsched-scenario/1",
        "start": DAY0.isoformat(),
        "horizon_days": 60,
        "environments": [{"id": "UAT-3-APP", "type": "UAT"}, {"id": "UAT-3-DB", "type": "DB"}],
        "stacks": [{"id": "UAT-3", "members": ["UAT-3-APP", "UAT-3-DB"]}],
        "releases": [
            {
                "id": "R1",
                "phases": [
                    {"id": "R1-E2E", "type": "UAT", "duration_days": 4, "stacks": ["UAT-3"]}
                ],
            }
        ],
        "bookings": [
            {"phase": "R1-E2E", "environment": "UAT-3", "start": day(2).isoformat(), "pinned": True}
        ],
    }
    path = tmp_path / "stacked.json"
    path.write_text(json.dumps(data))
    import_scenario(sessions, path, NOW)
    with sessions() as session:
        assert [(s.name, s.members) for s in stacks(session)] == [
            ("UAT-3", ["UAT-3-APP", "UAT-3-DB"])
        ]
        again = build_scenario(session, start=DAY0, horizon_days=60).scenario
    assert len(live(sessions)) == 2
    assert [(b.phase, b.environment, b.start, b.pinned) for b in again.bookings] == [
        ("R1-E2E", "UAT-3", 2, True)
    ]
    assert again.phase_by_id["R1-E2E"].stacks == ("UAT-3",)


def test_what_if_measures_count_a_stack_phase_on_every_member() -> None:
    """Utilisation counts a stack placement's days on each member's type; a booking on a
    stack survives the what-if's clean-up of impossible bookings."""
    from envsched.planning.whatif.compare import utilisation
    from envsched.planning.whatif.edits import drop_impossible_bookings
    from solver import Options, plan
    from solver.scenario import Booking as Held
    from solver.scenario_file import parse_scenario

    scenario = parse_scenario(
        {
            "format": "envsched-scenario/1",
            "start": DAY0.isoformat(),
            "horizon_days": 10,
            "environments": [{"id": "A", "type": "UAT"}, {"id": "D", "type": "DB"}],
            "stacks": [{"id": "S", "members": ["A", "D"]}],
            "releases": [
                {
                    "id": "R1",
                    "phases": [{"id": "P", "type": "UAT", "duration_days": 5, "stacks": ["S"]}],
                }
            ],
        }
    )
    result = plan(scenario, Options(method="greedy"))
    assert utilisation(scenario, result, 10) == {"DB": 0.5, "UAT": 0.5}
    from dataclasses import replace as changed

    booked = changed(scenario, bookings=(Held("P", "S", 0),))
    assert drop_impossible_bookings(booked).bookings == booked.bookings


def test_a_phase_needing_a_stack_names_stored_stacks_and_no_environments(
    sessions: SessionFactory, uat3: tuple, make_release: Factory
) -> None:
    from envsched.lifecycle import add_phase, update_phase
    from envsched.lifecycle.shapes import PhaseIn, PhasePatch

    release = make_release()

    def phase(**fields: object) -> PhaseIn:
        return PhaseIn.model_validate(
            {"key": f"{release.key}-E2E", "type": "UAT", "duration_days": 4, **fields}
        )

    for fields, words in (
        ({"stacks": ["UAT-9"]}, "no stack named UAT-9"),
        ({"stacks": []}, "at least one stack"),
        ({"stacks": ["UAT-3"], "environments": ["UAT-3-APP"]}, "either its environments"),
    ):
        with pytest.raises(InvalidInput) as refused:
            add_phase(sessions, release.key, phase(**fields), actor=None, now=NOW)
        assert refused.value.field == "stacks" and words in refused.value.message
    added = add_phase(sessions, release.key, phase(stacks=["UAT-3"]), actor=None, now=NOW)
    assert added.stacks == ["UAT-3"]
    with pytest.raises(InvalidInput):
        update_phase(sessions, added.key, PhasePatch(stacks=["NOPE"]), actor=None, now=NOW)


def test_a_phase_names_only_stacks_with_a_member_serving_it(
    sessions: SessionFactory, uat3: tuple, make_release: Factory, make_environment: Factory
) -> None:
    """The rule booking a stack applies (a member of the phase's type with its tags),
    asked when a phase is stored and when its type or tags change."""
    from envsched.lifecycle import add_phase, update_phase
    from envsched.lifecycle.shapes import PhaseIn, PhasePatch

    make_environment(name="SIT-9", type="SIT")
    create_stack(sessions, StackIn(name="SYS", members=["SIT-9"]), actor=None, now=NOW)
    release = make_release()
    fields = {"key": f"{release.key}-E2E", "type": "UAT", "duration_days": 4}
    with pytest.raises(InvalidInput) as refused:
        add_phase(
            sessions,
            release.key,
            PhaseIn.model_validate({**fields, "stacks": ["SYS"]}),
            actor=None,
            now=NOW,
        )
    assert refused.value.field == "stacks"
    assert refused.value.fields == {
        "stacks": f"SYS has no UAT environment with the tags {fields['key']} needs"
    }
    added = add_phase(
        sessions,
        release.key,
        PhaseIn.model_validate({**fields, "stacks": ["UAT-3"]}),
        actor=None,
        now=NOW,
    )
    for patch in (PhasePatch(required_tags=["gpu"]), PhasePatch(type="SIT")):
        with pytest.raises(InvalidInput) as refused:
            update_phase(sessions, added.key, patch, actor=None, now=NOW)
        assert refused.value.field == "stacks" and "UAT-3 has no" in refused.value.message
    moved = update_phase(
        sessions, added.key, PhasePatch(type="SIT", stacks=["SYS"]), actor=None, now=NOW
    )
    assert moved.stacks == ["SYS"]


def test_cancelling_a_stack_booking_cancels_every_member_at_once(
    sessions: SessionFactory, uat3: tuple, make_user: Factory
) -> None:
    from envsched.booking import cancel_stack_booking

    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    with pytest.raises(PermissionDenied):
        cancel_stack_booking(
            sessions, "UAT-3", done.id, actor=make_user(role=Role.TEST_MANAGER), now=NOW
        )
    cancelled = cancel_stack_booking(sessions, "UAT-3", done.id, actor=None, now=NOW)
    assert len(cancelled) == 2 and live(sessions) == []
    with pytest.raises(InvalidState):
        cancel_stack_booking(sessions, "UAT-3", done.id, actor=None, now=NOW)


def test_cancelling_one_members_booking_cancels_the_whole_stack_booking(
    sessions: SessionFactory, uat3: tuple, make_user: Factory
) -> None:
    from envsched.booking import cancel_booking, stacked_with

    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    db_part = next(p for p in done.bookings if p.environment == "UAT-3-DB")
    assert stacked_with(sessions, db_part.booking) == ("UAT-3", ["UAT-3-APP", "UAT-3-DB"])
    with pytest.raises(PermissionDenied):  # someone else's stack booking, as a single one
        cancel_booking(sessions, db_part.booking, actor=make_user(role=Role.TEST_MANAGER), now=NOW)
    assert len(live(sessions)) == 2
    cancel_booking(sessions, db_part.booking, actor=None, now=NOW, reason="rig broken")
    assert live(sessions) == []  # the app's booking went with the database's
    with sessions() as session:
        notes = session.exec(select(Booking.note).order_by(col(Booking.id))).all()
    assert notes == ["stack UAT-3\ncancelled: rig broken"] * 2


def test_moving_one_members_booking_moves_the_whole_stack_booking_to_the_new_days(
    sessions: SessionFactory, uat3: tuple, make_user: Factory
) -> None:
    from envsched.booking import move_booking, stack_booking_of
    from envsched.models import AuditEntry

    app, db = uat3
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    db_part = next(p for p in done.bookings if p.environment == "UAT-3-DB")
    moved = move_booking(
        sessions, db_part.booking, environment="UAT-3-DB", start=day(10), actor=manager, now=NOW
    )
    assert (moved.start, moved.end) == (day(10), day(15))
    assert live(sessions) == sorted([(app.id, day(10), day(15)), (db.id, day(10), day(15))])
    with sessions() as session:
        group = stack_booking_of(session, db_part.booking)
        assert group is not None and (group.start, group.end) == (day(10), day(15))
        moves = session.exec(
            select(AuditEntry.entity_id).where(
                AuditEntry.action == "move", AuditEntry.actor == manager.name
            )
        ).all()
    assert sorted(moves) == sorted(str(p.booking) for p in done.bookings)


def test_a_stack_move_one_member_cannot_take_is_refused_whole_naming_it(
    sessions: SessionFactory, uat3: tuple, make_booking: Factory
) -> None:
    from envsched.booking import move_booking

    _app, db = uat3
    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    make_booking(db, start=day(12), end=day(14))
    before = live(sessions)
    app_part = next(p for p in done.bookings if p.environment == "UAT-3-APP")
    with pytest.raises(BookingConflict) as refused:
        move_booking(
            sessions, app_part.booking, environment="UAT-3-APP", start=day(10), actor=None, now=NOW
        )
    assert refused.value.message.startswith("UAT-3-DB")
    assert refused.value.rule == "capacity"
    assert live(sessions) == before  # the application's booking stayed too


def test_a_stack_move_is_judged_by_the_rulebook_on_the_member_serving_the_phase(
    sessions: SessionFactory, uat3: tuple, make_phase: Factory
) -> None:
    from envsched.booking import move_booking

    phase = make_phase(earliest_start=day(10))
    done = book_stack(
        sessions,
        "UAT-3",
        StackBookingIn(start=day(10), end=day(15), phase=phase.key),
        actor=None,
        now=NOW,
    )
    db_part = next(p for p in done.bookings if p.environment == "UAT-3-DB")
    before = live(sessions)
    with pytest.raises(RuleBroken) as refused:  # the database's move takes the app along
        move_booking(
            sessions, db_part.booking, environment="UAT-3-DB", start=day(3), actor=None, now=NOW
        )
    assert refused.value.breaks[0].rule == "earliest_start"
    assert refused.value.message.startswith("UAT-3-APP: ")
    assert live(sessions) == before


def test_a_stack_booking_moves_on_its_own_environments_only(
    sessions: SessionFactory, uat3: tuple, make_environment: Factory
) -> None:
    from envsched.booking import move_booking

    make_environment(name="UAT-9")
    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    app_part = next(p for p in done.bookings if p.environment == "UAT-3-APP")
    with pytest.raises(InvalidInput) as refused:
        move_booking(
            sessions, app_part.booking, environment="UAT-9", start=day(3), actor=None, now=NOW
        )
    assert refused.value.field == "environment"
    assert "booking of the stack UAT-3, whose members move together" in refused.value.message
    assert sorted(start for _env, start, _end in live(sessions)) == [day(3), day(3)]


def test_a_members_move_choices_are_its_own_environment_on_days_free_on_every_member(
    sessions: SessionFactory, uat3: tuple, make_booking: Factory
) -> None:
    from envsched.booking import Slot, move_choices

    app, db = uat3
    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    make_booking(db, start=day(8), end=day(12))  # the application alone is free from day 8
    app_part = next(p for p in done.bookings if p.environment == "UAT-3-APP")
    choices = move_choices(sessions, app_part.booking, today=day(0))
    assert choices.environments == ["UAT-3-APP"]
    assert choices.slots == [Slot("UAT-3-APP", app.id, day(12), day(17))]


def test_a_stack_booking_missing_a_live_member_does_not_move_by_hand(
    sessions: SessionFactory, uat3: tuple
) -> None:
    from envsched.booking import move_booking
    from envsched.models import BookingStatus

    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    app_part, db_part = sorted(done.bookings, key=lambda p: p.environment)
    with sessions.begin() as session:  # left alone by a release before stacks went whole
        session.get_one(Booking, db_part.booking).status = BookingStatus.RELEASED
    with pytest.raises(InvalidState, match="no longer holds UAT-3-DB"):
        move_booking(
            sessions, app_part.booking, environment="UAT-3-APP", start=day(10), actor=None, now=NOW
        )


def test_handing_back_one_member_hands_back_the_whole_stack_booking(
    sessions: SessionFactory, uat3: tuple
) -> None:
    from envsched.booking import release_early

    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(0), end=day(8)), actor=None, now=NOW
    )
    app_part = next(p for p in done.bookings if p.environment == "UAT-3-APP")
    release_early(sessions, app_part.booking, actor=None, now=NOW, on=day(4))
    with sessions() as session:
        rows = session.exec(select(col(Booking.status), col(Booking.end))).all()
    assert sorted(rows) == [("released", day(4)), ("released", day(4))]


def tentative_on_stack(
    sessions: SessionFactory, stack: str, phase_key: str, start: dt.date, end: dt.date
) -> int:
    """The phase booked tentatively on the whole stack (as a round's proposal books it);
    returns the phase's own booking."""
    from envsched.booking import booking_transaction, place_stack
    from envsched.models import BookingStatus, Phase

    with booking_transaction(sessions) as session:
        phase = session.exec(select(Phase).where(Phase.key == phase_key)).one()
        placed = place_stack(
            session,
            stack,
            start,
            end,
            phase=phase,
            status=BookingStatus.TENTATIVE,
            note="",
            actor=None,
            now=NOW,
        )
        members = [session.get_one(Booking, p.booking) for p in placed.bookings]
        return next(b.id or 0 for b in members if b.phase_id is not None)


def test_a_round_moves_a_tentative_stack_booking_whole_and_accepting_moves_every_member(
    sessions: SessionFactory, uat3: tuple, make_phase: Factory, make_release: Factory
) -> None:
    from envsched.booking import stack_booking_of
    from envsched.planning.rounds.replan import accept_run
    from tests.envsched.test_replan import run_round

    app, db = uat3
    lazy = make_release(key="R1", earliest_start=day(0), due=day(60))
    urgent = make_release(key="R2", earliest_start=day(10), due=day(15))
    make_phase(lazy, key="R1-E2E", stacks=["UAT-3"])
    make_phase(urgent, key="R2-E2E", stacks=["UAT-3"])
    carrier = tentative_on_stack(sessions, "UAT-3", "R1-E2E", day(10), day(15))
    run = run_round(sessions)
    moved = diff_of(run).moved
    assert [(m.booking, m.before.environment, m.to.environment) for m in moved] == [
        (carrier, "UAT-3", "UAT-3")
    ]
    to = dt.date.fromisoformat(moved[0].to.start)
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert accepted.applied, diff_of(accepted).moved[0].refused
    assert live(sessions) == sorted(
        [
            (app.id, to, to + dt.timedelta(days=5)),
            (db.id, to, to + dt.timedelta(days=5)),
            (app.id, day(10), day(15)),
            (db.id, day(10), day(15)),
        ]
    )
    with sessions() as session:
        assert session.get_one(Booking, carrier).start == to  # the same booking, moved
        group = stack_booking_of(session, carrier)
        assert group is not None and (group.start, group.end) == (to, to + dt.timedelta(days=5))


def test_a_stack_booking_moved_to_another_stack_moves_each_member_to_its_counterpart(
    sessions: SessionFactory, uat3: tuple, make_environment: Factory, make_phase: Factory
) -> None:
    from envsched.planning.rounds.replan import accept_run
    from tests.envsched.test_quota_paths import stored_run

    app4 = make_environment(name="UAT-4-APP")
    db4 = make_environment(name="UAT-4-DB", type="DB")
    create_stack(
        sessions, StackIn(name="UAT-4", members=["UAT-4-APP", "UAT-4-DB"]), actor=None, now=NOW
    )
    make_phase(key="R1-E2E", stacks=["UAT-3", "UAT-4"])
    carrier = tentative_on_stack(sessions, "UAT-3", "R1-E2E", day(10), day(15))
    where = {"environment": "UAT-3", "start": str(day(10)), "end": str(day(15))}
    to = {"environment": "UAT-4", "start": str(day(20)), "end": str(day(25))}
    run = stored_run(
        sessions,
        [{"booking": carrier, "phase": "R1-E2E", "release": "", "from": where, "to": to}],
    )
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert accepted.applied, diff_of(accepted).moved[0].refused
    assert live(sessions) == sorted([(app4.id, day(20), day(25)), (db4.id, day(20), day(25))])
    with sessions() as session:
        assert session.get_one(Booking, carrier).environment_id == app4.id
        assert session.exec(select(func.count()).select_from(Booking)).one() == 2


def test_a_stack_booking_the_round_puts_on_one_environment_alone_is_refused_saying_so(
    sessions: SessionFactory, uat3: tuple, make_environment: Factory, make_phase: Factory
) -> None:
    from envsched.planning.rounds.replan import accept_run
    from tests.envsched.test_quota_paths import stored_run

    make_environment(name="UAT-9")
    make_phase(key="R1-E2E", stacks=["UAT-3"])
    carrier = tentative_on_stack(sessions, "UAT-3", "R1-E2E", day(10), day(15))
    where = {"environment": "UAT-3", "start": str(day(10)), "end": str(day(15))}
    to = {"environment": "UAT-9", "start": str(day(20)), "end": str(day(25))}
    run = stored_run(
        sessions,
        [{"booking": carrier, "phase": "R1-E2E", "release": "", "from": where, "to": to}],
    )
    accepted = accept_run(sessions, run.id or 0, actor=None, now=NOW)
    assert diff_of(accepted).moved[0].refused == (
        "the booking of R1-E2E holds the whole stack UAT-3 and the round puts the phase on "
        "UAT-9 alone; cancel the stack booking or plan again"
    )
    assert len(live(sessions)) == 2


def test_cancelling_a_release_gives_back_every_member_of_a_stack_booked_for_its_phase(
    sessions: SessionFactory, uat3: tuple, make_release: Factory, make_phase: Factory
) -> None:
    from envsched.lifecycle.status import cancel_release
    from envsched.models import ReleaseStatus

    release = make_release(key="R1", status=ReleaseStatus.IN_TEST)
    phase = make_phase(release, key="R1-E2E", stacks=["UAT-3"])
    book_stack(
        sessions,
        "UAT-3",
        StackBookingIn(start=day(3), end=day(8), phase=phase.key),
        actor=None,
        now=NOW,
    )
    withdrawn = cancel_release(sessions, "R1", actor=None, now=NOW, reason="descoped")
    assert len(withdrawn.cancelled) == 2  # the database's booking too, not the app's alone
    assert live(sessions) == []


def test_withdrawing_the_request_a_stack_booking_serves_cancels_every_member(
    sessions: SessionFactory, uat3: tuple, make_phase: Factory, make_request: Factory
) -> None:
    from envsched.booking import withdraw_request
    from envsched.models import RequestStatus

    phase = make_phase(key="R1-E2E", stacks=["UAT-3"])
    carrier = tentative_on_stack(sessions, "UAT-3", "R1-E2E", day(10), day(15))
    asked = make_request(phase_id=phase.id, status=RequestStatus.APPROVED, earliest_start=day(10))
    with sessions.begin() as session:
        session.get_one(Booking, carrier).request_id = asked.id
    with sessions() as session:
        owner = session.get_one(User, asked.requester_id)
    withdraw_request(sessions, asked.id or 0, actor=owner, now=NOW)
    assert live(sessions) == []


def test_a_stack_booking_under_way_is_handed_back_not_cancelled(
    sessions: SessionFactory, uat3: tuple
) -> None:
    """The rule of a single booking (``cancel_booking``) holds for a stack's cancel."""
    from envsched.booking import cancel_stack_booking

    done = book_stack(
        sessions, "UAT-3", StackBookingIn(start=day(3), end=day(8)), actor=None, now=NOW
    )
    later = NOW + dt.timedelta(days=4)  # its first day is past
    with pytest.raises(InvalidState) as refused:
        cancel_stack_booking(sessions, "UAT-3", done.id, actor=None, now=later)
    assert "hand it back instead of cancelling it" in refused.value.message
    assert len(live(sessions)) == 2
