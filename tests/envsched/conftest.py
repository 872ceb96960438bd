"""The what-if tests' hand-made ``state`` (``test_whatif``, ``test_whatif_interrupted``):
one UAT environment, R1 (confirmed on UAT-1 for days 0–5) and R2, each one 5-day UAT
phase due on day 5. The shared fixtures of every test are in ``tests/fixtures/``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.models import BookingStatus
from tests.envsched.factories import DAY0, Factory


@pytest.fixture
def state(
    make_environment: Factory, make_release: Factory, make_phase: Factory, make_booking: Factory
) -> None:
    uat = make_environment(name="UAT-1")
    due = DAY0 + dt.timedelta(days=5)
    phases = [
        make_phase(
            make_release(key=key, earliest_start=DAY0, due=due), key=f"{key}-UAT", duration_days=5
        )
        for key in ("R1", "R2")
    ]
    make_booking(uat, phase_id=phases[0].id, status=BookingStatus.CONFIRMED)
