"""Gates on SQLite and PostgreSQL: who signs, vetoes and waives which gate, from which
state, and what the audit log keeps. Which steps the gates hold: ``test_gate_rules``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

from envsched.audit import log as audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from envsched.lifecycle import gates
from envsched.lifecycle.gates import GateRef
from envsched.models import (
    Gate,
    GateKind,
    GateState,
    Phase,
    Release,
    Role,
    User,
)
from tests.envsched.factories import NOW, Factory

Verb = Any
VERBS: dict[str, Verb] = {
    "sign": lambda s, ref, user: gates.sign_gate(s, ref, actor=user, now=NOW, note="all green"),
    "veto": lambda s, ref, user: gates.veto_gate(
        s, ref, actor=user, now=NOW, reason="defects open"
    ),
    "waive": lambda s, ref, user: gates.waive_gate(s, ref, actor=user, now=NOW, reason="hotfix"),
}
ADMIN, ENV, TEST, REL, PLAN, VIEW = (
    Role.ADMIN,
    Role.ENVIRONMENT_MANAGER,
    Role.TEST_MANAGER,
    Role.RELEASE_MANAGER,
    Role.PLANNER,
    Role.VIEWER,
)


@pytest.fixture
def release(make_release: Factory, make_phase: Factory) -> Release:
    row = make_release(key="R1")
    make_phase(row, key="R1-SIT", type="SIT")
    make_phase(row, key="R1-UAT", type="UAT")
    return row


@pytest.fixture
def people(make_user: Factory) -> dict[Role, User]:
    return {role: make_user(name=role.value, role=role) for role in Role}


def exit_gate(phase: str = "R1-UAT") -> GateRef:
    return GateRef("R1", phase, GateKind.EXIT)


def entry_gate(phase: str = "R1-UAT") -> GateRef:
    return GateRef("R1", phase, GateKind.ENTRY)


GO = GateRef("R1", None, GateKind.GO_NO_GO)


def test_every_phase_has_open_entry_and_exit_gates_and_the_release_a_go_no_go(
    sessions: SessionFactory, release: Release
) -> None:
    found = gates.release_gates(sessions, "R1")
    assert [(g.phase, g.kind, g.state, g.signoff_role) for g in found] == [
        ("R1-SIT", GateKind.ENTRY, GateState.OPEN, TEST),
        ("R1-SIT", GateKind.EXIT, GateState.OPEN, TEST),
        ("R1-UAT", GateKind.ENTRY, GateState.OPEN, TEST),
        ("R1-UAT", GateKind.EXIT, GateState.OPEN, TEST),
        (None, GateKind.GO_NO_GO, GateState.OPEN, REL),
    ]
    assert all(g.id is None for g in found)


# Who may do what to a test phase's exit gate (signed by the test manager) and to the
# go/no-go (signed by the release manager), for every role.
RULES = [
    # gate       verb     roles allowed
    (exit_gate(), "sign", {ADMIN, TEST}),
    (exit_gate(), "veto", {ADMIN, TEST, REL}),  # the release manager owns every gate
    (exit_gate(), "waive", {ADMIN, REL}),
    (GO, "sign", {ADMIN, REL}),
    (GO, "veto", {ADMIN, REL}),
    (GO, "waive", {ADMIN, REL}),
    (entry_gate(), "sign", {ADMIN, TEST}),
    (entry_gate(), "waive", {ADMIN, REL}),
]


@pytest.mark.parametrize(
    ("ref", "verb", "allowed"), RULES, ids=[f"{r.kind.value}-{v}" for r, v, _ in RULES]
)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_decide_a_gate_exactly_as_the_rules_say(
    sessions: SessionFactory,
    release: Release,
    people: dict[Role, User],
    ref: GateRef,
    verb: str,
    allowed: set[Role],
    role: Role,
) -> None:
    if role not in allowed:
        with pytest.raises(PermissionDenied):
            VERBS[verb](sessions, ref, people[role])
        assert _state(sessions, ref) == GateState.OPEN
        return
    view = VERBS[verb](sessions, ref, people[role])
    expected = {"sign": GateState.SIGNED, "veto": GateState.VETOED, "waive": GateState.WAIVED}
    assert view.state == expected[verb] == _state(sessions, ref)
    assert view.signed_by == role.value
    assert view.signed_at == NOW


# From which state each verb may move a gate.
TRANSITIONS = [
    # before            verb     allowed
    (GateState.OPEN, "sign", True),
    (GateState.OPEN, "veto", True),
    (GateState.OPEN, "waive", True),
    (GateState.VETOED, "sign", True),  # fixed after the veto
    (GateState.VETOED, "waive", True),
    (GateState.VETOED, "veto", False),
    (GateState.SIGNED, "veto", True),  # a problem found after sign-off
    (GateState.SIGNED, "sign", False),
    (GateState.SIGNED, "waive", False),
    (GateState.WAIVED, "sign", False),
    (GateState.WAIVED, "veto", False),
    (GateState.WAIVED, "waive", False),
]


@pytest.mark.parametrize(("before", "verb", "allowed"), TRANSITIONS)
def test_a_gate_moves_only_between_the_states_the_rules_allow(
    sessions: SessionFactory, release: Release, before: GateState, verb: str, allowed: bool
) -> None:
    _put_gate(sessions, release, "R1-UAT", GateKind.EXIT, before)
    if allowed:
        VERBS[verb](sessions, exit_gate(), None)
        assert _state(sessions, exit_gate()) != before
    else:
        with pytest.raises(InvalidState):
            VERBS[verb](sessions, exit_gate(), None)
        assert _state(sessions, exit_gate()) == before


def test_a_veto_and_a_waiver_need_a_reason(
    sessions: SessionFactory, release: Release, people: dict[Role, User]
) -> None:
    with pytest.raises(InvalidInput):
        gates.veto_gate(sessions, exit_gate(), actor=people[TEST], now=NOW, reason=" ")
    with pytest.raises(InvalidInput):
        gates.waive_gate(sessions, GO, actor=people[REL], now=NOW, reason="")


def test_gates_are_named_by_release_phase_and_kind(
    sessions: SessionFactory, release: Release
) -> None:
    with pytest.raises(NotFound):
        gates.sign_gate(sessions, GateRef("R1", "R9-UAT", GateKind.EXIT), actor=None, now=NOW)
    with pytest.raises(InvalidInput):
        gates.sign_gate(sessions, GateRef("R1", "R1-UAT", GateKind.GO_NO_GO), actor=None, now=NOW)
    with pytest.raises(InvalidInput):
        gates.sign_gate(sessions, GateRef("R1", None, GateKind.EXIT), actor=None, now=NOW)


def test_every_sign_off_veto_and_waiver_is_in_the_audit_log(
    sessions: SessionFactory, release: Release, people: dict[Role, User]
) -> None:
    gates.veto_gate(sessions, exit_gate(), actor=people[TEST], now=NOW, reason="defects open")
    later = NOW + dt.timedelta(days=1)
    gates.sign_gate(sessions, exit_gate(), actor=people[TEST], now=later, note="fixed")
    gates.waive_gate(sessions, GO, actor=people[REL], now=later, reason="regulator deadline")
    entries = audit.recent(sessions)
    assert [(e.action, e.actor) for e in reversed(entries)] == [
        ("gate_veto", "test_manager"),
        ("gate_sign", "test_manager"),
        ("gate_waive", "release_manager"),
    ]
    veto, sign, waive = reversed(entries)
    assert veto.before is None and veto.after is not None
    assert veto.after["state"] == "vetoed" and veto.after["reason"] == "defects open"
    assert sign.before is not None and sign.before["state"] == "vetoed"
    assert sign.after is not None and sign.after["state"] == "signed"
    assert waive.after is not None and waive.after["reason"] == "regulator deadline"


def test_the_release_manager_defines_criteria_and_who_signs(
    sessions: SessionFactory, release: Release, people: dict[Role, User]
) -> None:
    with pytest.raises(PermissionDenied):
        gates.define_gate(sessions, entry_gate(), actor=people[TEST], now=NOW, criteria="x")
    view = gates.define_gate(
        sessions,
        entry_gate(),
        actor=people[REL],
        now=NOW,
        criteria="environment smoke-tested",
        signoff_role=ENV,
    )
    assert (view.criteria, view.signoff_role, view.state) == (
        "environment smoke-tested",
        ENV,
        GateState.OPEN,
    )
    with pytest.raises(PermissionDenied):
        gates.sign_gate(sessions, entry_gate(), actor=people[TEST], now=NOW)
    assert gates.sign_gate(sessions, entry_gate(), actor=people[ENV], now=NOW).passed
    assert audit.recent(sessions)[1].action == "gate_define"


# -- helpers ----------------------------------------------------------------------------------


def _phase_id(sessions: SessionFactory, key: str) -> int:
    with read_transaction(sessions) as session:
        phase = session.exec(select(Phase).where(Phase.key == key)).one()
    assert phase.id is not None
    return phase.id


def _put_gate(
    sessions: SessionFactory, release: Release, phase: str, kind: GateKind, state: GateState
) -> None:
    assert release.id is not None
    decided, phase_id = state != GateState.OPEN, _phase_id(sessions, phase)
    with sessions.begin() as session:
        session.add(
            Gate(
                release_id=release.id,
                phase_id=phase_id,
                kind=kind,
                signoff_role=TEST,
                state=state,
                signed_by="someone" if decided else None,
                signed_at=NOW if decided else None,
            )
        )


def _state(sessions: SessionFactory, ref: GateRef) -> GateState:
    found = [
        g
        for g in gates.release_gates(sessions, ref.release)
        if g.phase == ref.phase and g.kind == ref.kind
    ]
    assert len(found) == 1
    return found[0].state
