"""The release status flow, deployments, back-outs and external links, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from envsched.db import SessionFactory
from envsched.errors import InvalidInput, NotFound, PermissionDenied
from envsched.lifecycle import gates
from envsched.lifecycle import status as release_status
from envsched.lifecycle.gates import GateRef
from envsched.lifecycle.shapes import BackOutIn, DeploymentIn, LinkIn
from envsched.lifecycle.status import InvalidTransition
from envsched.models import (
    AuditEntry,
    Deployment,
    GateKind,
    LinkKind,
    ReleaseStatus,
    Role,
    User,
)
from tests.envsched.factories import DAY0, NOW, Factory

S = ReleaseStatus
LATER = NOW + dt.timedelta(hours=2)


@pytest.fixture
def rm(make_user: Factory) -> User:
    return make_user(role=Role.RELEASE_MANAGER)


def walk(sessions: SessionFactory, rm: User, key: str, *steps: ReleaseStatus) -> None:
    for status in steps:
        release_status.transition_release(sessions, key, status, actor=rm, now=NOW)


def deploy(sessions: SessionFactory, rm: User, key: str) -> Deployment:
    """Sign the go/no-go (the gate a deployment needs), then record the deployment."""
    gates.sign_gate(sessions, GateRef(key, None, GateKind.GO_NO_GO), actor=rm, now=NOW)
    return release_status.record_deployment(
        sessions,
        key,
        DeploymentIn(deployed_on=DAY0, backout_plan="restore v4.1 images"),
        actor=rm,
        now=NOW,
    )


def test_a_release_walks_from_draft_to_deployed_and_each_step_is_recorded(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.DRAFT)
    walk(sessions, rm, "R1", S.PLANNED, S.IN_TEST, S.READY)
    deployment = deploy(sessions, rm, "R1")
    assert (deployment.deployed_on, deployment.backed_out, deployment.recorded_by) == (
        DAY0,
        False,
        rm.name,
    )
    history = release_status.status_history(sessions, "R1")
    assert [(h.from_status, h.to_status) for h in history] == [
        (S.DRAFT, S.PLANNED),
        (S.PLANNED, S.IN_TEST),
        (S.IN_TEST, S.READY),
        (S.READY, S.DEPLOYED),
    ]
    assert {h.by for h in history} == {rm.name}


@pytest.mark.parametrize(
    ("start", "requested"),
    [
        (S.DRAFT, S.IN_TEST),  # skips planning
        (S.PLANNED, S.READY),  # skips testing
        (S.CANCELLED, S.PLANNED),  # cancelled is final
        (S.IN_TEST, S.DRAFT),  # back more than one step
    ],
)
def test_a_step_off_the_flow_names_the_current_and_the_requested_status(
    sessions: SessionFactory,
    make_release: Factory,
    rm: User,
    start: ReleaseStatus,
    requested: ReleaseStatus,
) -> None:
    make_release(key="R1", status=start)
    with pytest.raises(InvalidTransition) as caught:
        walk(sessions, rm, "R1", requested)
    assert f"is {start.value} and cannot become {requested.value}" in caught.value.message
    assert caught.value.code == "invalid_transition"


def test_deployed_is_reached_only_by_recording_a_deployment(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.READY)
    with pytest.raises(InvalidTransition, match="record a deployment"):
        walk(sessions, rm, "R1", S.DEPLOYED)


def test_only_a_ready_release_is_deployed(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.IN_TEST)
    with pytest.raises(InvalidTransition, match="is in_test and cannot become deployed"):
        deploy(sessions, rm, "R1")
    with sessions() as session:
        assert session.exec(select(Deployment)).all() == []


def test_backing_out_marks_the_deployment_and_the_release(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.READY)
    deployment = deploy(sessions, rm, "R1")
    backed = release_status.back_out(
        sessions, "R1", BackOutIn(reason="INC-7 payments down"), actor=rm, now=LATER
    )
    assert backed.id == deployment.id
    assert (backed.backed_out, backed.backed_out_at) == (True, LATER)
    assert "INC-7" in backed.notes
    assert release_status.status_history(sessions, "R1")[-1].to_status == S.BACKED_OUT


def test_a_backed_out_release_can_be_planned_again(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.READY)
    deploy(sessions, rm, "R1")
    release_status.back_out(sessions, "R1", BackOutIn(reason="bad"), actor=rm, now=LATER)
    walk(sessions, rm, "R1", S.PLANNED)


def test_a_release_never_deployed_cannot_be_backed_out(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.PLANNED)
    with pytest.raises(InvalidTransition, match="is planned and cannot become backed_out"):
        release_status.back_out(sessions, "R1", BackOutIn(reason="x"), actor=rm, now=NOW)


def test_every_step_and_deployment_is_in_the_audit_log(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1", status=S.READY)
    deploy(sessions, rm, "R1")
    with sessions() as session:
        entries = session.exec(select(AuditEntry.entity, AuditEntry.action)).all()
    assert sorted(entries) == [
        ("deployment", "create"),
        ("gate", "gate_sign"),
        ("release", "status"),
    ]


@pytest.mark.parametrize("role", [Role.TEST_MANAGER, Role.ENVIRONMENT_MANAGER, Role.VIEWER])
def test_only_release_managers_move_a_release_along(
    sessions: SessionFactory, make_release: Factory, make_user: Factory, role: Role
) -> None:
    make_release(key="R1", status=S.READY)
    with pytest.raises(PermissionDenied):
        walk(sessions, make_user(role=role), "R1", S.IN_TEST)


def test_links_to_incidents_and_changes_are_kept_once_each(
    sessions: SessionFactory, make_release: Factory, rm: User
) -> None:
    make_release(key="R1")
    change = LinkIn(
        kind=LinkKind.CHANGE,
        system="ServiceNow",
        key="CHG0012345",
        url="https://sn.example/CHG0012345",
    )
    link = release_status.add_link(sessions, "R1", change, actor=rm, now=NOW)
    assert (link.kind, link.key, link.created_by) == (LinkKind.CHANGE, "CHG0012345", rm.name)
    with pytest.raises(InvalidInput, match="already"):
        release_status.add_link(sessions, "R1", change, actor=rm, now=NOW)
    release_status.remove_link(sessions, "R1", link.id or 0, actor=rm, now=NOW)
    with pytest.raises(NotFound):
        release_status.remove_link(sessions, "R1", link.id or 0, actor=rm, now=NOW)
