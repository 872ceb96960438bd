"""The audit log names a booking request by what it asks for, as its mails do, a team by
its name, and a booking for no phase as every page does, never by a number (a number
means nothing to the people reading the log); both databases."""

from __future__ import annotations

import pytest

from envsched.accounts.teams import create_team, set_team
from envsched.audit import log
from envsched.audit.log import snapshot
from envsched.audit.words import AuditLine, Names, audit_line, audit_lines
from envsched.db import SessionFactory, read_transaction
from envsched.models import AuditEntry, Booking, BookingRequest, Role
from envsched.serves import serves
from tests.envsched.factories import NOW, Factory, id_of


def test_a_request_is_named_by_its_phase_or_by_the_days_and_type_it_asks_for(
    sessions: SessionFactory, make_request: Factory, make_phase: Factory
) -> None:
    phase = make_phase()
    for_phase = make_request(phase_id=phase.id)
    for_days = make_request(duration_days=10, type="UAT")
    with read_transaction(sessions) as session:
        names = Names(session)
        by_phase = names.of(BookingRequest, id_of(for_phase))
        by_days = names.of(BookingRequest, id_of(for_days))
    assert by_phase == f"the request for {phase.key}"
    assert by_days is not None and by_days.startswith("the request for 10 days of UAT")


def _lines(sessions: SessionFactory) -> list[AuditLine]:
    with read_transaction(sessions) as session:
        return audit_lines(session, log.recent(sessions))


def test_a_team_is_named_never_given_by_its_id(
    sessions: SessionFactory, make_user: Factory
) -> None:
    admin = make_user(name="ada", role=Role.ADMIN)
    make_user(name="tess", role=Role.TEST_MANAGER)
    create_team(sessions, "Payments", actor=admin, now=NOW)
    set_team(sessions, "tess", "Payments", actor=admin, now=NOW)
    moved = _lines(sessions)[0]
    assert (moved.what, moved.changes) == ("user tess", ["team: none → Payments"])


@pytest.mark.parametrize(
    ("note", "asked_why", "named"),
    [
        ("smoke tests\nrun nightly", "", "booking smoke tests on UAT-1"),  # its note
        ("", "soak test", "booking soak test on UAT-1"),  # why its request asked
        ("", "", "a booking on UAT-1"),  # nothing said: that, once
    ],
    ids=["note", "request", "nothing"],
)
def test_a_booking_for_no_phase_is_named_as_every_page_names_it(
    sessions: SessionFactory,
    make_environment: Factory,
    make_request: Factory,
    make_booking: Factory,
    note: str,
    asked_why: str,
    named: str,
) -> None:
    env = make_environment(name="UAT-1")
    asked = make_request(justification=asked_why)
    booking = make_booking(env, note=note, request_id=asked.id)
    with read_transaction(sessions) as session:
        row = session.get_one(Booking, booking.id)
        line = audit_line(Names(session), _entry(row))
        assert serves(row) == named.removeprefix("booking ").removesuffix(" on UAT-1")
    assert line.what == f"{named} (4–8 Jan 2027)"


def _entry(booking: Booking) -> AuditEntry:
    return AuditEntry(
        at=NOW,
        actor="ada",
        action="create",
        entity="booking",
        entity_id=str(booking.id),
        after=snapshot(booking),
    )
