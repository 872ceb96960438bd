"""Gates guard the lifecycle, on SQLite and PostgreSQL: a release becomes ready, is
deployed, and a phase's booking starts only past the gates ``gate_rules.NEEDS`` names;
every refusal names the gates in the way and changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from envsched.booking import bookings as booking
from envsched.booking.shapes import BookingIn
from envsched.db import SessionFactory, read_transaction
from envsched.errors import GateNotPassed
from envsched.lifecycle import gates, releases
from envsched.lifecycle import status as release_status
from envsched.lifecycle.gates import GateRef
from envsched.lifecycle.shapes import DeploymentIn, ReleasePatch
from envsched.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    Deployment,
    GateKind,
    GateState,
    Phase,
    Release,
    ReleaseStatus,
    ReleaseStatusChange,
    Role,
    User,
)
from envsched.transfer import tables as transfer
from tests.envsched.factories import DAY0, NOW, Factory

S = ReleaseStatus
UNDECIDED = (GateState.OPEN, GateState.VETOED)
PASSED = (GateState.SIGNED, GateState.WAIVED)


@pytest.fixture
def admin(make_user: Factory) -> User:
    return make_user(name="ada", role=Role.ADMIN)


@pytest.fixture
def release(make_release: Factory, make_phase: Factory) -> Release:
    """R1: SIT, then UAT and PERF (both after SIT), then STG after both."""
    row = make_release(key="R1", status=S.IN_TEST)
    make_phase(row, key="R1-SIT", type="SIT")
    make_phase(row, key="R1-UAT", type="UAT")
    make_phase(row, key="R1-PERF", type="PERF", after=["R1-SIT"])
    make_phase(row, key="R1-STG", type="STAGING", after=["R1-UAT", "R1-PERF"])
    return row


def ref(phase: str | None, kind: GateKind) -> GateRef:
    return GateRef("R1", phase, kind)


GO = ref(None, GateKind.GO_NO_GO)
PHASES = ("R1-SIT", "R1-UAT", "R1-PERF", "R1-STG")


def decide(sessions: SessionFactory, gate: GateRef, state: GateState, admin: User) -> None:
    """Put ``gate`` in ``state`` through the gate services (open: leave it alone)."""
    if state == GateState.SIGNED:
        gates.sign_gate(sessions, gate, actor=admin, now=NOW)
    elif state == GateState.VETOED:
        gates.veto_gate(sessions, gate, actor=admin, now=NOW, reason="two sev-1 defects open")
    elif state == GateState.WAIVED:
        gates.waive_gate(sessions, gate, actor=admin, now=NOW, reason="risk accepted")


def sign_exits(sessions: SessionFactory, admin: User, *phases: str) -> None:
    for phase in phases:
        decide(sessions, ref(phase, GateKind.EXIT), GateState.SIGNED, admin)


def status_of(sessions: SessionFactory) -> ReleaseStatus:
    with read_transaction(sessions) as session:
        return session.exec(select(Release).where(Release.key == "R1")).one().status


def deploy(sessions: SessionFactory, admin: User) -> Deployment:
    return release_status.record_deployment(
        sessions,
        "R1",
        DeploymentIn(deployed_on=DAY0, backout_plan="restore 4.1"),
        actor=admin,
        now=NOW,
    )


# -- ready --------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [*UNDECIDED, *PASSED])
def test_a_release_becomes_ready_only_past_every_exit_gate(
    sessions: SessionFactory, release: Release, admin: User, state: GateState
) -> None:
    sign_exits(sessions, admin, "R1-SIT", "R1-PERF", "R1-STG")
    decide(sessions, ref("R1-UAT", GateKind.EXIT), state, admin)
    if state in PASSED:
        release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
        assert status_of(sessions) == S.READY
        return
    with pytest.raises(GateNotPassed) as refused:
        release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
    assert (
        f"release R1 cannot become ready: the R1-UAT exit gate is {state.value}"
        in refused.value.message
    )
    assert [(g.name, g.state) for g in refused.value.gates] == [("R1-UAT exit", state.value)]
    assert status_of(sessions) == S.IN_TEST


def test_a_refusal_names_every_gate_in_the_way_with_its_reason_and_changes_nothing(
    sessions: SessionFactory, release: Release, admin: User
) -> None:
    sign_exits(sessions, admin, "R1-SIT", "R1-PERF")
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.VETOED, admin)
    with read_transaction(sessions) as session:
        logged = len(session.exec(select(AuditEntry)).all())
    with pytest.raises(GateNotPassed) as refused:
        release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
    error = refused.value.to_dict()
    assert (error["code"], error["fields"]) == (
        "gate_not_passed",
        {"R1-UAT exit": "vetoed: two sev-1 defects open", "R1-STG exit": "open"},
    )
    assert "(two sev-1 defects open)" in error["message"]
    assert error["gates"][1] == {
        "name": "R1-STG exit",
        "state": "open",
        "reason": "",
        "signoff_role": "test_manager",
    }
    with read_transaction(sessions) as session:
        assert len(session.exec(select(AuditEntry)).all()) == logged
        assert session.exec(select(ReleaseStatusChange)).all() == []


def test_a_release_update_to_ready_is_held_by_the_same_gates(
    sessions: SessionFactory, release: Release, admin: User
) -> None:
    sign_exits(sessions, admin, "R1-SIT", "R1-UAT", "R1-PERF")
    with pytest.raises(GateNotPassed, match="R1-STG exit gate is open"):
        releases.update_release(sessions, "R1", ReleasePatch(status=S.READY), actor=admin, now=NOW)
    decide(sessions, ref("R1-STG", GateKind.EXIT), GateState.WAIVED, admin)
    releases.update_release(sessions, "R1", ReleasePatch(status=S.READY), actor=admin, now=NOW)
    assert status_of(sessions) == S.READY


def test_a_release_without_phases_needs_no_exit_gate_to_be_ready(
    sessions: SessionFactory, make_release: Factory, admin: User
) -> None:
    make_release(key="R2", status=S.IN_TEST)
    assert (
        release_status.transition_release(sessions, "R2", S.READY, actor=admin, now=NOW).status
        == S.READY
    )


# -- deploy -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [*UNDECIDED, *PASSED])
def test_a_ready_release_is_deployed_only_past_its_go_no_go(
    sessions: SessionFactory, release: Release, admin: User, state: GateState
) -> None:
    sign_exits(sessions, admin, *PHASES)
    release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
    decide(sessions, GO, state, admin)
    if state in PASSED:
        assert deploy(sessions, admin).release_id == release.id
        assert status_of(sessions) == S.DEPLOYED
        return
    with pytest.raises(
        GateNotPassed, match=f"release R1 cannot be deployed: the R1 go/no-go gate is {state.value}"
    ):
        deploy(sessions, admin)
    assert status_of(sessions) == S.READY
    with read_transaction(sessions) as session:
        assert session.exec(select(Deployment)).all() == []


def test_an_exit_gate_vetoed_after_ready_holds_the_deployment(
    sessions: SessionFactory, release: Release, admin: User
) -> None:
    sign_exits(sessions, admin, *PHASES)
    release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.VETOED, admin)
    decide(sessions, GO, GateState.SIGNED, admin)
    with pytest.raises(GateNotPassed) as refused:
        deploy(sessions, admin)
    assert [g.name for g in refused.value.gates] == ["R1-UAT exit"]


def test_the_reported_case_uat_exit_vetoed_and_go_no_go_open_neither_ready_nor_deployed(
    sessions: SessionFactory, release: Release, admin: User
) -> None:
    sign_exits(sessions, admin, "R1-SIT", "R1-PERF", "R1-STG")
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.VETOED, admin)
    with pytest.raises(GateNotPassed, match="R1-UAT exit gate is vetoed"):
        release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.SIGNED, admin)
    release_status.transition_release(sessions, "R1", S.READY, actor=admin, now=NOW)
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.VETOED, admin)
    with pytest.raises(GateNotPassed) as refused:
        deploy(sessions, admin)
    assert [(g.name, g.state) for g in refused.value.gates] == [
        ("R1-UAT exit", "vetoed"),
        ("R1 go/no-go", "open"),
    ]
    assert "each needs its sign-off or the release manager's waiver" in refused.value.message


# -- import -------------------------------------------------------------------------------------


def test_an_import_that_makes_a_release_ready_is_a_bad_status_cell_while_a_gate_holds(
    sessions: SessionFactory, release: Release, admin: User, tmp_path: Path
) -> None:
    path = tmp_path / "releases.csv"
    path.write_text("release,status\nR1,ready\n")
    sign_exits(sessions, admin, "R1-SIT", "R1-UAT", "R1-PERF")
    with pytest.raises(transfer.TransferRejected) as caught:
        transfer.import_table(sessions, "releases", path, actor=admin, now=NOW)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "status")
    assert "the R1-STG exit gate is open" in error.problem
    sign_exits(sessions, admin, "R1-STG")
    transfer.import_table(sessions, "releases", path, actor=admin, now=NOW)
    assert status_of(sessions) == S.READY


def test_a_new_release_imported_as_deployed_has_its_gates_waived_by_the_importer(
    sessions: SessionFactory, admin: User, make_environment: Factory, tmp_path: Path
) -> None:
    """A record from another system: its gates were decided there; here each gate its
    status needs is waived, audited, so ready and deployed never stand on open gates."""
    make_environment(type="SIT")
    path = tmp_path / "releases.csv"
    path.write_text("release,status,phase,phase_type,duration_days\nR9,deployed,R9-SIT,SIT,5\n")
    transfer.import_table(sessions, "releases", path, actor=admin, now=NOW)
    found = {g.name: (g.state, g.signed_by, g.reason) for g in gates.release_gates(sessions, "R9")}
    decided_outside = "imported as deployed: the gate was decided outside envsched"
    assert found == {
        "R9-SIT entry": (GateState.OPEN, None, ""),
        "R9-SIT exit": (GateState.WAIVED, "ada", decided_outside),
        "R9 go/no-go": (GateState.WAIVED, "ada", decided_outside),
    }
    with read_transaction(sessions) as session:
        logged = session.exec(select(AuditEntry.action).where(AuditEntry.entity == "gate")).all()
    assert sorted(logged) == ["gate_waive", "gate_waive"]


def test_only_one_who_may_waive_imports_a_new_release_as_ready(
    sessions: SessionFactory, make_user: Factory, make_environment: Factory, tmp_path: Path
) -> None:
    make_environment(type="SIT")
    path = tmp_path / "releases.csv"
    path.write_text("release,status,phase,phase_type,duration_days\nR9,ready,R9-SIT,SIT,5\n")
    tester = make_user(role=Role.TEST_MANAGER)
    with pytest.raises(transfer.TransferRejected) as caught:
        transfer.import_table(sessions, "releases", path, actor=tester, now=NOW)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "status")
    with read_transaction(sessions) as session:
        assert session.exec(select(Release).where(Release.key == "R9")).first() is None


# -- start a phase's booking ----------------------------------------------------------------


def held_booking(
    sessions: SessionFactory, make_booking: Factory, make_environment: Factory, phase: str
) -> int:
    """The id of a confirmed booking of ``phase``, waiting to start."""
    with read_transaction(sessions) as session:
        phase_id = session.exec(select(Phase.id).where(Phase.key == phase)).one()
    held: Booking = make_booking(make_environment(), phase_id=phase_id)
    assert held.id is not None
    return held.id


@pytest.mark.parametrize("state", [*UNDECIDED, *PASSED])
def test_a_phase_booking_starts_only_past_its_entry_gate(
    sessions: SessionFactory,
    release: Release,
    admin: User,
    make_booking: Factory,
    make_environment: Factory,
    state: GateState,
) -> None:
    held_id = held_booking(sessions, make_booking, make_environment, "R1-SIT")
    decide(sessions, ref("R1-SIT", GateKind.ENTRY), state, admin)
    if state in PASSED:
        assert (
            booking.start_booking(sessions, held_id, actor=admin, now=NOW).status
            == BookingStatus.IN_USE
        )
        return
    with pytest.raises(
        GateNotPassed, match=f"phase R1-SIT cannot start: the R1-SIT entry gate is {state.value}"
    ):
        booking.start_booking(sessions, held_id, actor=admin, now=NOW)
    with read_transaction(sessions) as session:
        assert session.get_one(Booking, held_id).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("state", [*UNDECIDED, *PASSED])
def test_a_phase_booking_starts_only_past_the_exit_gate_of_the_phase_it_waits_for(
    sessions: SessionFactory,
    release: Release,
    admin: User,
    make_booking: Factory,
    make_environment: Factory,
    state: GateState,
) -> None:
    held_id = held_booking(sessions, make_booking, make_environment, "R1-UAT")
    decide(sessions, ref("R1-UAT", GateKind.ENTRY), GateState.SIGNED, admin)
    decide(sessions, ref("R1-SIT", GateKind.EXIT), state, admin)
    if state in PASSED:
        booking.start_booking(sessions, held_id, actor=admin, now=NOW)
        return
    with pytest.raises(GateNotPassed) as refused:
        booking.start_booking(sessions, held_id, actor=admin, now=NOW)
    assert [(g.name, g.state) for g in refused.value.gates] == [("R1-SIT exit", state.value)]


def test_a_phase_after_two_waits_for_both_exit_gates_and_not_its_own(
    sessions: SessionFactory,
    release: Release,
    admin: User,
    make_booking: Factory,
    make_environment: Factory,
) -> None:
    held_id = held_booking(sessions, make_booking, make_environment, "R1-STG")
    decide(sessions, ref("R1-STG", GateKind.ENTRY), GateState.SIGNED, admin)
    decide(sessions, ref("R1-STG", GateKind.EXIT), GateState.VETOED, admin)
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.VETOED, admin)
    with pytest.raises(GateNotPassed) as refused:
        booking.start_booking(sessions, held_id, actor=admin, now=NOW)
    assert [g.name for g in refused.value.gates] == ["R1-UAT exit", "R1-PERF exit"]
    decide(sessions, ref("R1-UAT", GateKind.EXIT), GateState.WAIVED, admin)
    decide(sessions, ref("R1-PERF", GateKind.EXIT), GateState.SIGNED, admin)
    assert booking.start_booking(sessions, held_id, actor=admin, now=NOW).status == "in_use"


def test_a_booking_for_no_phase_starts_without_gates(
    sessions: SessionFactory, make_booking: Factory, admin: User
) -> None:
    held = make_booking()
    assert (
        booking.start_booking(sessions, held.id, actor=admin, now=NOW).status
        == BookingStatus.IN_USE
    )


def test_a_direct_booking_in_use_from_the_outset_needs_the_same_gates(
    sessions: SessionFactory, release: Release, make_environment: Factory, admin: User
) -> None:
    env = make_environment(name="UAT-7", type="UAT")
    start = DAY0 + dt.timedelta(days=10)  # after R1-SIT can be done: the order rule holds
    data = BookingIn(
        environment=env.name,
        start=start,
        end=start + dt.timedelta(days=3),
        phase="R1-UAT",
        status=BookingStatus.IN_USE,
    )
    decide(sessions, ref("R1-UAT", GateKind.ENTRY), GateState.WAIVED, admin)
    with pytest.raises(GateNotPassed, match="the R1-SIT exit gate is open"):
        booking.book_direct(sessions, data, actor=admin, now=NOW)
    decide(sessions, ref("R1-SIT", GateKind.EXIT), GateState.SIGNED, admin)
    assert booking.book_direct(sessions, data, actor=admin, now=NOW).status == "in_use"


def test_an_imported_booking_in_use_is_a_bad_status_cell_while_a_gate_holds(
    sessions: SessionFactory,
    release: Release,
    make_environment: Factory,
    admin: User,
    tmp_path: Path,
) -> None:
    make_environment(name="SIT-9", type="SIT")
    path = tmp_path / "bookings.csv"
    path.write_text(
        "environment,start,end,phase,status\nSIT-9,2027-01-04,2027-01-09,R1-SIT,in_use\n"
    )
    with pytest.raises(transfer.TransferRejected) as caught:
        transfer.import_table(sessions, "bookings", path, actor=admin, now=NOW)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "status")
    assert "the R1-SIT entry gate is open" in error.problem
