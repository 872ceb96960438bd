"""Deciding the queue together: free days on every eligible environment, competing
requests grouped, and several approved at once, each by the rules, refusals naming theirs."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.booking.approvals import Choice, approve_many, competing_groups, free_days
from envsched.booking.free_slots import Slot
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, PermissionDenied
from envsched.models import BookingRequest, Environment, RequestStatus, Role
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def slot(env: int, start: int, end: int) -> Slot:
    return Slot(f"PERF-{env}", env, day(start), day(end))


def status(sessions: SessionFactory, request_id: int) -> RequestStatus:
    with read_transaction(sessions) as session:
        return session.get_one(BookingRequest, request_id).status


# Request 1 is suggested PERF-1 days [10, 20); does request 2, suggested ``other``, compete?
COMPETE_CASES = [
    pytest.param(slot(1, 0, 10), False, id="touching-before"),
    pytest.param(slot(1, 5, 11), True, id="overlapping-start"),
    pytest.param(slot(1, 10, 20), True, id="same"),
    pytest.param(slot(1, 12, 14), True, id="inside"),
    pytest.param(slot(1, 19, 25), True, id="overlapping-end"),
    pytest.param(slot(1, 20, 30), False, id="touching-after"),
    pytest.param(slot(2, 10, 20), False, id="same-days-other-environment"),
]


@pytest.mark.parametrize(("other", "competes"), COMPETE_CASES)
def test_requests_compete_when_their_suggested_slots_share_environment_days(
    other: Slot, competes: bool
) -> None:
    assert competing_groups({1: slot(1, 10, 20), 2: other}) == ([[1, 2]] if competes else [])


def test_a_request_joins_every_group_it_overlaps_and_groups_keep_the_queue_order() -> None:
    suggested = {
        7: slot(1, 0, 5),
        3: slot(2, 0, 5),
        5: slot(1, 10, 15),
        9: slot(1, 4, 11),
        4: slot(2, 3, 8),
    }
    assert competing_groups(suggested) == [[7, 5, 9], [3, 4]]


@pytest.fixture
def perf(make_environment: Factory) -> list[Environment]:
    return [
        make_environment(name="PERF-1", type="PERF"),
        make_environment(name="PERF-2", type="PERF", tags=["mainframe"]),
    ]


def test_free_days_offers_every_eligible_environment_earliest_first(
    sessions: SessionFactory, perf: list[Environment], make_request: Factory, make_booking: Factory
) -> None:
    asked = make_request(type="PERF", duration_days=4, earliest_start=day(2))
    make_booking(perf[0], start=day(0), end=day(9))
    offered = free_days(sessions, [asked.id], today=DAY0)[asked.id]
    assert [(s.environment, s.start) for s in offered] == [("PERF-2", day(2)), ("PERF-1", day(9))]


def test_bulk_approval_approves_the_more_important_and_refuses_the_clash_naming_the_rule(
    sessions: SessionFactory, perf: list[Environment], make_request: Factory, make_user: Factory
) -> None:
    eric = make_user(name="eric")
    low = make_request(type="PERF", duration_days=5, priority=1)
    high = make_request(type="PERF", duration_days=5, priority=3)
    decided = approve_many(
        sessions,
        [Choice(low.id, "PERF-1", day(3)), Choice(high.id, "PERF-1", day(3))],
        actor=eric,
        now=NOW,
    )
    assert [a.choice.request_id for a in decided.approved] == [high.id]
    [refused] = decided.refused
    assert refused.choice.request_id == low.id and refused.rules == ("capacity",)
    assert "PERF-1 is fully booked" in refused.message
    assert (status(sessions, high.id), status(sessions, low.id)) == (
        RequestStatus.APPROVED,
        RequestStatus.REQUESTED,
    )


def test_bulk_approval_names_the_phase_rule_a_choice_breaks(
    sessions: SessionFactory,
    perf: list[Environment],
    make_request: Factory,
    make_user: Factory,
    make_release: Factory,
    make_phase: Factory,
) -> None:
    release = make_release(key="R5", earliest_start=day(10), due=day(60))
    phase = make_phase(release, key="R5-PERF", type="PERF", duration_days=4)
    early = make_request(type="PERF", phase_id=phase.id, duration_days=4)
    fine = make_request(type="PERF", duration_days=4)
    decided = approve_many(
        sessions,
        [Choice(early.id, "PERF-1", day(2)), Choice(fine.id, "PERF-2", day(2))],
        actor=make_user(),
        now=NOW,
    )
    assert [a.choice.request_id for a in decided.approved] == [fine.id]
    assert [r.rules for r in decided.refused] == [("earliest_start",)]


def test_bulk_approval_says_which_choice_is_no_longer_open(
    sessions: SessionFactory, perf: list[Environment], make_request: Factory, make_user: Factory
) -> None:
    done = make_request(type="PERF", status=RequestStatus.REJECTED)
    decided = approve_many(
        sessions, [Choice(done.id, "PERF-1", day(3))], actor=make_user(), now=NOW
    )
    assert decided.approved == [] and [r.rules for r in decided.refused] == [("still_open",)]


def test_bulk_approval_needs_a_choice_and_an_environment_manager(
    sessions: SessionFactory, perf: list[Environment], make_request: Factory, make_user: Factory
) -> None:
    with pytest.raises(InvalidInput) as empty:
        approve_many(sessions, [], actor=make_user(), now=NOW)
    assert empty.value.field == "approve"
    asked = make_request(type="PERF")
    with pytest.raises(PermissionDenied):
        approve_many(
            sessions,
            [Choice(asked.id, "PERF-1", day(3))],
            actor=make_user(role=Role.TEST_MANAGER),
            now=NOW,
        )
    assert status(sessions, asked.id) == RequestStatus.REQUESTED
