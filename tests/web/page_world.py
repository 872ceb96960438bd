"""A small estate for page tests: two UAT environments, one SIT, a release with two
phases, a booking, and an open request by the test manager."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from envsched.db import SessionFactory
from envsched.models import BookingRequest, Environment, Phase, Release, Role
from tests.envsched import factories
from tests.fixtures.web import UserOf

DAY0 = factories.DAY0  # the Monday the app's clock says is today


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@dataclass(frozen=True)
class PageWorld:
    uat1: Environment
    uat2: Environment
    sit1: Environment
    release: Release
    sit_phase: Phase
    uat_phase: Phase
    request: BookingRequest


@pytest.fixture(name="estate")
def estate_fixture(sessions: SessionFactory, user_of: UserOf) -> PageWorld:
    uat1 = factories.make_environment(
        sessions, name="UAT-1", type="UAT", tags=["mainframe"], components={"payments-api": "4.2.1"}
    )
    uat2 = factories.make_environment(sessions, name="UAT-2", type="UAT")
    sit1 = factories.make_environment(sessions, name="SIT-1", type="SIT", capacity=2)
    factories.make_window(sessions, uat2, start=day(20), end=day(22), reason="patching")
    release = factories.make_release(sessions, key="R1", title="Payments 4.2", due=day(40))
    sit_phase = factories.make_phase(
        sessions, release, key="R1-SIT", type="SIT", duration_days=5, name="System test"
    )
    uat_phase = factories.make_phase(
        sessions, release, key="R1-UAT", type="UAT", duration_days=3, required_tags=["mainframe"]
    )
    factories.make_booking(sessions, sit1, phase_id=sit_phase.id, start=day(0), end=day(5))
    factories.make_booking(sessions, uat1, start=day(0), end=day(4), note="smoke tests")
    tester = user_of(Role.TEST_MANAGER)
    request = factories.make_request(
        sessions,
        tester,
        type="UAT",
        phase_id=uat_phase.id,
        duration_days=3,
        required_tags=["mainframe"],
        justification="UAT of Payments 4.2",
    )
    return PageWorld(uat1, uat2, sit1, release, sit_phase, uat_phase, request)
