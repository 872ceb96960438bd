"""What cancelling a release would give back (``held_by``, for the page's warning) is what
``cancel_release`` then gives back, and says so; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.lifecycle import status as release_status
from envsched.lifecycle.cancel import Withdrawn, held_by
from envsched.models import BookingStatus, Release, ReleaseStatus, RequestStatus, Role
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def held(sessions: SessionFactory) -> Withdrawn:
    with read_transaction(sessions) as session:
        release = session.exec(select(Release).where(Release.key == "R1")).one()
        return held_by(session, release, NOW.date())


def test_cancel_release_gives_back_what_held_by_foretold(
    sessions: SessionFactory,
    make_user: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_environment: Factory,
    make_booking: Factory,
    make_request: Factory,
) -> None:
    rm = make_user(name="rita", role=Role.RELEASE_MANAGER)
    release = make_release(key="R1", status=ReleaseStatus.IN_TEST)
    phase = make_phase(release, key="R1-UAT")
    uat = make_environment(name="UAT-1")
    asked = make_request(phase_id=phase.id)
    make_request(phase_id=phase.id, status=RequestStatus.REJECTED)  # decided: stays
    ahead = make_booking(uat, phase_id=phase.id, start=day(3), end=day(8))
    running = make_booking(
        uat,
        phase_id=make_phase(release, key="R1-UAT-b").id,
        start=day(-2),
        end=day(2),
        status=BookingStatus.IN_USE,
    )
    make_booking(
        uat, phase_id=make_phase(release, key="R1-UAT-c").id, start=day(-9), end=day(-4)
    )  # over: stays
    foretold = held(sessions)
    assert foretold == Withdrawn(
        requests=(asked.id,), cancelled=(ahead.id,), released=(running.id,)
    )
    withdrawn = release_status.cancel_release(sessions, "R1", actor=rm, now=NOW)
    assert withdrawn == foretold
    assert held(sessions) == Withdrawn()  # nothing left to give back


def test_any_other_step_still_answers_with_the_release(
    sessions: SessionFactory, make_user: Factory, make_release: Factory
) -> None:
    rm = make_user(name="rita", role=Role.RELEASE_MANAGER)
    make_release(key="R1", status=ReleaseStatus.PLANNED)
    release = release_status.transition_release(
        sessions, "R1", ReleaseStatus.IN_TEST, actor=rm, now=NOW
    )
    assert release.status == ReleaseStatus.IN_TEST
