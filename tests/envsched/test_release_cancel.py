"""Cancelling a release gives back what it asked for and held, in the same transaction,
audited; whichever way it is cancelled (the lifecycle step, a release update, an
import). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.errors import InvalidState
from envsched.lifecycle import releases
from envsched.lifecycle import status as release_status
from envsched.lifecycle.shapes import ReleasePatch
from envsched.models import (
    AuditEntry,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    Phase,
    Release,
    ReleaseStatus,
    RequestStatus,
    Role,
    User,
)
from envsched.transfer import tables as transfer
from tests.envsched.factories import DAY0, NOW, Factory

S = ReleaseStatus


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def rm(make_user: Factory) -> User:
    return make_user(name="rita", role=Role.RELEASE_MANAGER)


@pytest.fixture
def uat(make_environment: Factory) -> Environment:
    return make_environment(name="UAT-1")


@pytest.fixture
def r1(make_release: Factory, make_phase: Factory) -> tuple[Release, Phase]:
    release = make_release(key="R1", status=S.IN_TEST)
    return release, make_phase(release, key="R1-UAT")


def cancel(sessions: SessionFactory, rm: User, reason: str = "descoped") -> None:
    release_status.transition_release(sessions, "R1", S.CANCELLED, actor=rm, now=NOW, reason=reason)


def request_states(sessions: SessionFactory) -> dict[int, tuple[RequestStatus, str]]:
    with sessions() as session:
        return {
            r.id or 0: (r.status, r.decision_reason)
            for r in session.exec(select(BookingRequest)).all()
        }


def booking_states(sessions: SessionFactory) -> dict[int, tuple[Any, ...]]:
    with sessions() as session:
        return {
            b.id or 0: (b.status, b.start, b.end)
            for b in session.exec(select(Booking).order_by(col(Booking.id))).all()
        }


def test_cancelling_a_release_cancels_its_open_requests_naming_the_release(
    sessions: SessionFactory,
    rm: User,
    r1: tuple[Release, Phase],
    make_phase: Factory,
    make_request: Factory,
) -> None:
    _, phase = r1
    other = make_phase(key="R2-UAT")
    asked = make_request(phase_id=phase.id)
    waiting = make_request(phase_id=phase.id, status=RequestStatus.WAITLISTED)
    decided = make_request(
        phase_id=phase.id, status=RequestStatus.REJECTED, decision_reason="no room"
    )
    elsewhere = make_request(phase_id=other.id)
    no_phase = make_request()
    cancel(sessions, rm)
    why = "release R1 cancelled: descoped"
    assert request_states(sessions) == {
        asked.id: (RequestStatus.CANCELLED, why),
        waiting.id: (RequestStatus.CANCELLED, why),
        decided.id: (RequestStatus.REJECTED, "no room"),
        elsewhere.id: (RequestStatus.REQUESTED, ""),
        no_phase.id: (RequestStatus.REQUESTED, ""),
    }


def test_cancelling_a_release_gives_back_the_days_its_live_bookings_still_hold(
    sessions: SessionFactory,
    rm: User,
    r1: tuple[Release, Phase],
    uat: Environment,
    make_booking: Factory,
    make_phase: Factory,
) -> None:
    release, phase = r1  # one live booking per phase: each of its own phase of R1
    ahead = make_booking(
        uat, phase_id=phase.id, start=day(3), end=day(8), status=BookingStatus.TENTATIVE
    )
    running = make_booking(
        uat,
        phase_id=make_phase(release, key="R1-UAT-b").id,
        start=day(-2),
        end=day(2),
        status=BookingStatus.IN_USE,
    )
    over = make_booking(
        uat, phase_id=make_phase(release, key="R1-UAT-c").id, start=day(-9), end=day(-4)
    )
    gone = make_booking(
        uat, phase_id=phase.id, start=day(10), end=day(12), status=BookingStatus.CANCELLED
    )
    theirs = make_booking(uat, phase_id=make_phase(key="R2-UAT").id, start=day(20), end=day(25))
    cancel(sessions, rm)
    assert booking_states(sessions) == {
        ahead.id: (BookingStatus.CANCELLED, day(3), day(8)),  # not started: cancelled
        running.id: (BookingStatus.RELEASED, day(-2), day(0)),  # running: ends today
        over.id: (BookingStatus.CONFIRMED, day(-9), day(-4)),  # over: history
        gone.id: (BookingStatus.CANCELLED, day(10), day(12)),
        theirs.id: (BookingStatus.CONFIRMED, day(20), day(25)),  # another release's
    }
    with sessions() as session:
        note = session.get_one(Booking, ahead.id).note
    assert "release R1 cancelled: descoped" in note


def test_the_freed_days_go_to_the_waitlist_but_not_to_the_release_itself(
    sessions: SessionFactory,
    rm: User,
    r1: tuple[Release, Phase],
    uat: Environment,
    make_booking: Factory,
    make_request: Factory,
    make_phase: Factory,
) -> None:
    release, phase = r1
    make_booking(uat, phase_id=phase.id, start=day(3), end=day(6))
    make_booking(
        uat, phase_id=make_phase(release, key="R1-UAT-b").id, start=day(6), end=day(9)
    )  # touching: one run
    own = make_request(phase_id=phase.id, status=RequestStatus.WAITLISTED, priority=9)
    waiting = make_request(
        duration_days=6, earliest_start=day(1), latest_end=day(9), status=RequestStatus.WAITLISTED
    )
    cancel(sessions, rm)
    states = request_states(sessions)
    assert states[own.id][0] == RequestStatus.CANCELLED
    assert states[waiting.id] == (RequestStatus.APPROVED, "offered freed days on UAT-1")
    with sessions() as session:
        offered = session.exec(select(Booking).where(Booking.request_id == waiting.id)).one()
    assert (offered.environment_id, offered.start, offered.end) == (uat.id, day(3), day(9))


def test_every_change_of_a_cancellation_is_in_the_audit_log_by_the_release_manager(
    sessions: SessionFactory,
    rm: User,
    r1: tuple[Release, Phase],
    uat: Environment,
    make_booking: Factory,
    make_request: Factory,
) -> None:
    _, phase = r1
    make_request(phase_id=phase.id)
    make_booking(uat, phase_id=phase.id, start=day(3), end=day(8))
    cancel(sessions, rm)
    with sessions() as session:
        entries = session.exec(
            select(AuditEntry.entity, AuditEntry.action, AuditEntry.actor).order_by(
                col(AuditEntry.id)
            )
        ).all()
    assert [tuple(e) for e in entries] == [
        ("release", "status", "rita"),
        ("booking_request", "cancelled", "rita"),
        ("booking", "cancelled", "rita"),
    ]


def test_a_refused_cancellation_changes_nothing(
    sessions: SessionFactory,
    rm: User,
    make_release: Factory,
    make_phase: Factory,
    make_request: Factory,
) -> None:
    phase = make_phase(make_release(key="R1", status=S.DEPLOYED), key="R1-UAT")
    asked = make_request(phase_id=phase.id)
    with pytest.raises(InvalidState):
        cancel(sessions, rm)
    assert request_states(sessions)[asked.id] == (RequestStatus.REQUESTED, "")


def test_a_release_update_to_cancelled_is_the_same_cancellation(
    sessions: SessionFactory, rm: User, r1: tuple[Release, Phase], make_request: Factory
) -> None:
    _, phase = r1
    asked = make_request(phase_id=phase.id)
    releases.update_release(sessions, "R1", ReleasePatch(status=S.CANCELLED), actor=rm, now=NOW)
    assert request_states(sessions)[asked.id][0] == RequestStatus.CANCELLED
    history = release_status.status_history(sessions, "R1")
    assert [(h.from_status, h.to_status) for h in history] == [(S.IN_TEST, S.CANCELLED)]


def test_a_release_update_follows_the_status_flow(
    sessions: SessionFactory, rm: User, r1: tuple[Release, Phase]
) -> None:
    with pytest.raises(release_status.InvalidTransition, match="record a deployment"):
        releases.update_release(sessions, "R1", ReleasePatch(status=S.DEPLOYED), actor=rm, now=NOW)
    with pytest.raises(release_status.InvalidTransition, match="cannot become draft"):
        releases.update_release(
            sessions, "R1", ReleasePatch(status=S.DRAFT, title="x"), actor=rm, now=NOW
        )
    with sessions() as session:
        stored = session.exec(select(Release).where(Release.key == "R1")).one()
    assert (stored.status, stored.title) == (S.IN_TEST, "a release")


def test_an_import_that_cancels_a_release_gives_back_its_requests(
    sessions: SessionFactory,
    rm: User,
    r1: tuple[Release, Phase],
    make_request: Factory,
    tmp_path: Path,
) -> None:
    _, phase = r1
    asked = make_request(phase_id=phase.id)
    path = tmp_path / "releases.csv"
    path.write_text("release,status\nR1,cancelled\n")
    transfer.import_table(sessions, "releases", path, actor=rm, now=NOW)
    assert request_states(sessions)[asked.id] == (
        RequestStatus.CANCELLED,
        "release R1 cancelled: imported",
    )


def test_an_import_step_off_the_flow_is_a_bad_status_cell(
    sessions: SessionFactory, rm: User, r1: tuple[Release, Phase], tmp_path: Path
) -> None:
    path = tmp_path / "releases.csv"
    path.write_text("release,status\nR1,deployed\n")
    with pytest.raises(transfer.TransferRejected) as caught:
        transfer.import_table(sessions, "releases", path, actor=rm, now=NOW)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "status")
    assert "record a deployment" in error.problem
