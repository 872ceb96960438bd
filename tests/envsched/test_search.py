"""The header's search: releases, phases, environments and live bookings by name or key,
exact matches first; too little or too much to search for is refused, naming the field."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput
from envsched.insight.search_box import Hit, search
from envsched.models import BookingStatus
from tests.envsched.factories import DAY0, Factory


def found(
    sessions: SessionFactory, text: str, today: dt.date = DAY0, **options: object
) -> list[Hit]:
    with read_transaction(sessions) as session:
        return search(session, text, today=today, **options)  # type: ignore[arg-type]


@pytest.fixture
def estate(
    make_environment: Factory, make_release: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    pay = make_release(key="PAY-2", title="Payments 2")
    make_release(key="PAY-21", title="Payments 2.1")
    make_release(key="CARD-1", title="Card switch (pays later)")
    uat = make_phase(pay, key="PAY-2-UAT", name="User acceptance", type="UAT")
    env = make_environment(name="UAT-PAY", type="UAT")
    make_booking(env, phase_id=uat.id, start=DAY0, end=DAY0 + dt.timedelta(days=3))
    make_booking(
        env,
        start=DAY0 + dt.timedelta(days=5),
        end=DAY0 + dt.timedelta(days=6),
        status=BookingStatus.CANCELLED,
        note="cancelled smoke test",
    )


def test_a_release_is_found_by_its_key_exactly_first(
    sessions: SessionFactory, estate: None
) -> None:
    releases = found(sessions, "pay-2", kinds=["release"])
    assert [h.label for h in releases] == ["PAY-2", "PAY-21"]
    assert releases[0] == Hit("release", "PAY-2", "PAY-2", "Payments 2 · planned")


def test_a_release_is_found_by_its_title_too(sessions: SessionFactory, estate: None) -> None:
    assert [h.key for h in found(sessions, "pays later")] == ["CARD-1"]


def test_a_found_booking_says_ended_once_its_days_are_over(
    sessions: SessionFactory, estate: None
) -> None:
    def state(today: dt.date) -> list[str]:
        return [h.detail for h in found(sessions, "uat-pay", today) if h.kind == "booking"]

    assert state(DAY0) == ["confirmed"]
    assert state(DAY0 + dt.timedelta(days=3)) == ["ended"]  # 4–6 Jan, told on 7 Jan


def test_phases_environments_and_live_bookings_are_found_by_name(
    sessions: SessionFactory, estate: None
) -> None:
    hits = found(sessions, "acceptance") + found(sessions, "uat-pay")
    assert ("phase", "PAY-2", "PAY-2-UAT") in [(h.kind, h.key, h.label) for h in hits]
    assert ("environment", "UAT-PAY") in [(h.kind, h.label) for h in hits]
    bookings = [h for h in hits if h.kind == "booking"]
    assert [h.label for h in bookings] == ["PAY-2-UAT on UAT-PAY, 4–6 Jan 2027"]  # live only


def test_only_the_kinds_asked_for_are_searched(sessions: SessionFactory, estate: None) -> None:
    assert {h.kind for h in found(sessions, "PAY", kinds=["environment"])} == {"environment"}


def test_wildcards_are_text_not_patterns(sessions: SessionFactory, estate: None) -> None:
    assert found(sessions, "P%Y") == [] and found(sessions, "P_Y") == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(" p ", "at least 2 characters", id="too-short"),
        pytest.param("x" * 101, "at most 100 characters", id="too-long"),
    ],
)
def test_too_little_or_too_much_to_search_for_is_refused(
    sessions: SessionFactory, text: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        found(sessions, text)
    assert refused.value.field == "q" and problem in refused.value.problem
