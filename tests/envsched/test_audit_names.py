"""The audit log names a booking request by what it asks for, as its mails do, never by
its number (a number means nothing to the people reading the log); both databases."""

from __future__ import annotations

from envsched.audit.words import Names
from envsched.db import SessionFactory, read_transaction
from envsched.models import BookingRequest
from tests.envsched.factories import Factory, id_of


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
