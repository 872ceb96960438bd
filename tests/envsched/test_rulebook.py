"""One rulebook: every booking path refuses what breaks a phase's rules, naming the rule,
and an environment manager's forced booking is stored, audited and reported as a clash."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from envsched.booking.bookings import approve_request, book_direct, suggest_slots
from envsched.booking.clashes import find_clashes
from envsched.booking.requests import phase_slots, request_booking
from envsched.booking.rulebook import RuleBroken
from envsched.booking.shapes import BookingIn, BookingRequestIn
from envsched.days import day_text
from envsched.db import SessionFactory
from envsched.errors import InvalidInput
from envsched.models import AuditEntry, Booking, BookingStatus, Phase, RequestStatus, Role, User
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def manager(make_user: Factory) -> User:
    return make_user(name="mona", role=Role.ENVIRONMENT_MANAGER)


@pytest.fixture
def tester(make_user: Factory) -> User:
    return make_user(name="tess", role=Role.TEST_MANAGER)


@pytest.fixture
def release(
    make_release: Factory, make_phase: Factory, make_environment: Factory
) -> tuple[Phase, Phase]:
    """A release that may start on day 10: SIT (10 days), then UAT (5 days) after a 1-day gap."""
    make_environment(name="SIT-A", type="SIT")
    make_environment(name="UAT-A", type="UAT")
    make_environment(name="UAT-B", type="UAT")
    rel = make_release(earliest_start=day(10))
    sit = make_phase(rel, type="SIT", duration_days=10)
    uat = make_phase(rel, type="UAT", duration_days=5, gap_days=1)
    return sit, uat


def book(phase: Phase, env: str, start: int, *, force: str | None = None) -> BookingIn:
    return BookingIn(
        environment=env,
        start=day(start),
        end=day(start + phase.duration_days),
        phase=phase.key,
        force_reason=force,
    )


def refused(sessions: SessionFactory, data: BookingIn, manager: User) -> RuleBroken:
    with pytest.raises(RuleBroken) as caught:
        book_direct(sessions, data, actor=manager, now=NOW)
    return caught.value


def live_bookings(sessions: SessionFactory) -> list[Booking]:
    with sessions() as session:
        return list(
            session.exec(select(Booking).where(Booking.status != BookingStatus.CANCELLED)).all()
        )


# -- direct bookings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase_name", "env", "start", "rule", "field"),
    [
        ("sit", "SIT-A", 3, "earliest_start", "start"),  # before the release may start
        ("uat", "UAT-A", 10, "order", "start"),  # before SIT can even be done (day 20)
        ("uat", "UAT-A", 20, "order", "start"),  # no gap day after SIT
        ("uat", "SIT-A", 21, "eligibility", "environment"),  # a SIT environment for UAT
    ],
)
def test_a_direct_booking_that_breaks_a_phase_rule_is_refused_naming_it(
    sessions: SessionFactory,
    manager: User,
    release: tuple[Phase, Phase],
    phase_name: str,
    env: str,
    start: int,
    rule: str,
    field: str,
) -> None:
    phase = dict(zip(("sit", "uat"), release, strict=True))[phase_name]
    error = refused(sessions, book(phase, env, start), manager)
    assert error.breaks[0].rule == rule and field in error.fields
    assert error.to_dict()["rule"] == rule and error.code == "rule_broken"
    assert live_bookings(sessions) == []


def test_a_phase_follows_its_booked_predecessor_plus_the_gap(
    sessions: SessionFactory, manager: User, release: tuple[Phase, Phase]
) -> None:
    sit, uat = release
    book_direct(sessions, book(sit, "SIT-A", 12), actor=manager, now=NOW)  # done day 22
    error = refused(sessions, book(uat, "UAT-A", 22), manager)  # gap day missed
    assert "27 Jan 2027 at the earliest" in error.message and error.breaks[0].booking_ids
    booked = book_direct(sessions, book(uat, "UAT-A", 23), actor=manager, now=NOW)
    assert booked.start == day(23)


def test_a_predecessor_may_not_run_into_its_booked_successor(
    sessions: SessionFactory, manager: User, release: tuple[Phase, Phase]
) -> None:
    sit, uat = release
    book_direct(sessions, book(uat, "UAT-A", 30), actor=manager, now=NOW)
    error = refused(sessions, book(sit, "SIT-A", 20), manager)  # ends day 30
    assert error.breaks[0].rule == "order" and uat.key in error.breaks[0].phases
    book_direct(sessions, book(sit, "SIT-A", 19), actor=manager, now=NOW)  # ends 29: gap


@pytest.mark.parametrize(
    ("gap", "before", "after"),
    [
        (0, "must end before then", "is done: "),
        (1, "must end, with a 1-day gap, before then", "is done and a 1-day gap has passed: "),
        (3, "must end, with a 3-day gap, before then", "is done and a 3-day gap has passed: "),
    ],
)
def test_an_order_refusal_says_the_gap_in_words(
    sessions: SessionFactory,
    manager: User,
    make_release: Factory,
    make_phase: Factory,
    make_environment: Factory,
    gap: int,
    before: str,
    after: str,
) -> None:
    make_environment(name="SIT-A", type="SIT")
    make_environment(name="UAT-A", type="UAT")
    rel = make_release(earliest_start=day(10))
    sit = make_phase(rel, type="SIT", duration_days=10)
    uat = make_phase(rel, type="UAT", duration_days=5, gap_days=gap)
    early = refused(sessions, book(uat, "UAT-A", 15), manager).message  # SIT: days 10-19
    assert f"{uat.key} cannot start before {sit.key} {after}" in early
    assert f"{day_text(day(20 + gap))} at the earliest; {day_text(day(15))} is too early" in early
    book_direct(sessions, book(uat, "UAT-A", 30), actor=manager, now=NOW)
    late = refused(sessions, book(sit, "SIT-A", 21), manager).message  # its last day: 30
    assert f"{uat.key} is booked from {day_text(day(30))}, so {sit.key} {before}; " in late
    assert late.endswith(f"its last day would be {day_text(day(30))}")


def test_a_phase_is_booked_once_and_a_second_booking_is_refused_even_forced(
    sessions: SessionFactory, manager: User, release: tuple[Phase, Phase]
) -> None:
    sit, _ = release
    first = book_direct(sessions, book(sit, "SIT-A", 10), actor=manager, now=NOW)
    error = refused(sessions, book(sit, "SIT-A", 40, force="need two"), manager)
    assert error.breaks[0].rule == "one_per_phase"
    assert error.breaks[0].booking_ids == (first.id,)
    assert [b.id for b in live_bookings(sessions)] == [first.id]


def test_the_database_itself_refuses_a_second_live_booking_of_a_phase(
    sessions: SessionFactory,
    release: tuple[Phase, Phase],
    make_booking: Factory,
    make_environment: Factory,
) -> None:
    sit, _ = release
    env = make_environment(type="SIT")
    make_booking(env, phase_id=sit.id)
    make_booking(env, phase_id=sit.id, status=BookingStatus.CANCELLED)  # not live: fine
    with pytest.raises(IntegrityError):
        make_booking(env, phase_id=sit.id, start=day(40), end=day(50))


def test_a_forced_booking_is_stored_audited_and_listed_as_a_clash_of_its_rule(
    sessions: SessionFactory, manager: User, release: tuple[Phase, Phase]
) -> None:
    _, uat = release
    forced = book_direct(
        sessions, book(uat, "UAT-A", 2, force="audit asked for it"), actor=manager, now=NOW
    )
    assert forced.forced_reason == "audit asked for it"
    kinds = {c.kind: c for c in find_clashes(sessions)}
    assert set(kinds) == {"early", "order"}
    assert "forced: audit asked for it" in kinds["early"].message
    assert kinds["order"].booking_ids == (forced.id,)
    with sessions() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "book")).one()
        assert entry.after is not None and "audit asked" in str(entry.after["forced_reason"])


def test_forcing_needs_a_reason(
    sessions: SessionFactory, manager: User, release: tuple[Phase, Phase]
) -> None:
    _, uat = release
    with pytest.raises(InvalidInput) as caught:
        book_direct(sessions, book(uat, "UAT-A", 2, force="  "), actor=manager, now=NOW)
    assert caught.value.field == "force_reason"


# -- requests, suggestions and approvals ------------------------------------------------------


def ask(phase: Phase, start: int, **fields: object) -> BookingRequestIn:
    return BookingRequestIn.model_validate(
        {
            "phase": phase.key,
            "duration_days": phase.duration_days,
            "earliest_start": day(start),
            **fields,
        }
    )


def test_a_fixed_request_before_its_predecessor_can_be_done_is_refused(
    sessions: SessionFactory, tester: User, release: tuple[Phase, Phase]
) -> None:
    _, uat = release
    with pytest.raises(RuleBroken) as caught:
        request_booking(sessions, ask(uat, 1, fixed=True), actor=tester, now=NOW)
    assert caught.value.breaks[0].rule == "order" and "earliest_start" in caught.value.fields


def test_a_request_for_a_booked_phase_is_refused(
    sessions: SessionFactory, tester: User, manager: User, release: tuple[Phase, Phase]
) -> None:
    sit, _ = release
    book_direct(sessions, book(sit, "SIT-A", 10), actor=manager, now=NOW)
    with pytest.raises(RuleBroken) as caught:
        request_booking(sessions, ask(sit, 0), actor=tester, now=NOW)
    assert caught.value.breaks[0].rule == "one_per_phase"
    said = caught.value.breaks[0].message
    assert "a booking mona holds" in said and "ask an environment manager" in said
    assert "move that booking instead" not in said  # a test manager cannot move bookings
    with sessions() as session:
        note = phase_slots(session, session.get_one(Phase, sit.id), 10, day(0), None).note
    assert "a booking mona holds" in note and "move that booking instead" not in note


def test_suggested_slots_respect_the_release_start_and_the_order(
    sessions: SessionFactory, tester: User, manager: User, release: tuple[Phase, Phase]
) -> None:
    sit, uat = release
    sit_request = request_booking(sessions, ask(sit, 0), actor=tester, now=NOW)
    assert {s.start for s in suggest_slots(sessions, sit_request.id or 0)} == {day(10)}
    uat_request = request_booking(sessions, ask(uat, 0), actor=tester, now=NOW)
    assert {s.start for s in suggest_slots(sessions, uat_request.id or 0)} == {day(21)}
    book_direct(sessions, book(sit, "SIT-A", 15), actor=manager, now=NOW)  # done day 25
    assert {s.start for s in suggest_slots(sessions, uat_request.id or 0)} == {day(26)}


def test_approving_to_days_that_break_the_order_is_refused_unless_forced(
    sessions: SessionFactory, tester: User, manager: User, release: tuple[Phase, Phase]
) -> None:
    _, uat = release
    request = request_booking(sessions, ask(uat, 0), actor=tester, now=NOW)
    with pytest.raises(RuleBroken, match="cannot start before"):
        approve_request(
            sessions, request.id or 0, actor=manager, now=NOW, environment="UAT-A", start=day(5)
        )
    forced = approve_request(
        sessions,
        request.id or 0,
        actor=manager,
        now=NOW,
        environment="UAT-A",
        start=day(5),
        force_reason="vendor window",
    )
    assert forced.start == day(5) and "vendor window" in forced.forced_reason


def test_approving_a_request_for_a_phase_booked_meanwhile_is_refused(
    sessions: SessionFactory, tester: User, manager: User, release: tuple[Phase, Phase]
) -> None:
    sit, _ = release
    request = request_booking(sessions, ask(sit, 0), actor=tester, now=NOW)
    book_direct(sessions, book(sit, "SIT-A", 10), actor=manager, now=NOW)
    with pytest.raises(RuleBroken) as caught:
        approve_request(sessions, request.id or 0, actor=manager, now=NOW)
    assert caught.value.breaks[0].rule == "one_per_phase"
    with sessions() as session:
        assert session.get_one(type(request), request.id).status == RequestStatus.REQUESTED
    assert len(live_bookings(sessions)) == 1


def test_a_refusal_names_every_rule_the_placement_breaks_at_its_field(
    sessions: SessionFactory,
    manager: User,
    release: tuple[Phase, Phase],
    make_phase: Factory,
    make_environment: Factory,
) -> None:
    sit, uat = release
    make_environment(name="PERF-A", type="PERF")
    with sessions() as session:
        rel = session.get_one(Phase, sit.id).release
    perf = make_phase(rel, type="PERF", duration_days=3, after=[sit.key])
    book_direct(sessions, book(uat, "UAT-A", 40), actor=manager, now=NOW)
    book_direct(sessions, book(perf, "PERF-A", 38), actor=manager, now=NOW)
    error = refused(sessions, book(sit, "SIT-A", 30), manager)  # runs until day 39
    assert [b.phases[1] for b in error.breaks] == [uat.key, perf.key]
    assert uat.key in error.fields["end"] and perf.key in error.fields["end"]
