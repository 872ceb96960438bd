"""Gates: the entry and exit checks of each phase and the release's go/no-go.

Every phase has an entry and an exit gate and every release one go/no-go gate. A gate
that has no row yet is *open* with the default sign-off role of its kind (a test
manager for a phase's entry and exit, the release manager for go/no-go); its row is
written the first time someone defines or decides it (templates write theirs up front).

The rules, one table each:

* who signs: the gate's ``signoff_role`` (admins always may);
* who vetoes: the sign-off role, or the release manager, who owns every gate; a veto
  needs a reason;
* who waives: the release manager only, with a reason (recorded, and counted by the
  KPIs as "without sign-off");
* from which states (``ALLOWED_FROM``): a vetoed gate may still be signed once the
  problem is fixed, or waived; a signed gate may still be vetoed; a waived gate is
  decided.

Which gates a step needs (ready, deploy, the start of a phase's booking) is
``gate_rules``: the one table, checked by the release flow and the booking service.
Every definition, sign-off, veto and waiver goes into the audit log with the gate before
and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from envsched import audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import GateConflict, InvalidInput, InvalidState, NotFound
from envsched.lifecycle.lookup import get_release
from envsched.models import Gate, GateKind, GateState, Phase, Release, Role, User
from envsched.models.lifecycle import GATE_PER_PHASE_KIND, GO_NO_GO_PER_RELEASE
from envsched.permissions import require

DEFAULT_ROLES = {
    GateKind.ENTRY: Role.TEST_MANAGER,
    GateKind.EXIT: Role.TEST_MANAGER,
    GateKind.GO_NO_GO: Role.RELEASE_MANAGER,
}
PASSED = (GateState.SIGNED, GateState.WAIVED)
ALLOWED_FROM = {
    GateState.SIGNED: (GateState.OPEN, GateState.VETOED),
    GateState.VETOED: (GateState.OPEN, GateState.SIGNED),
    GateState.WAIVED: (GateState.OPEN, GateState.VETOED),
}
VERBS = {GateState.SIGNED: "sign", GateState.VETOED: "veto", GateState.WAIVED: "waive"}
# How the database names a second row for one gate: PostgreSQL by index, SQLite by columns.
DUPLICATE_GATE = (GATE_PER_PHASE_KIND, GO_NO_GO_PER_RELEASE, "UNIQUE constraint failed: gate.")


@dataclass(frozen=True)
class GateRef:
    """Which gate: a release, one of its phases (None for go/no-go) and the kind."""

    release: str
    phase: str | None
    kind: GateKind


@dataclass(frozen=True)
class GateView:
    """A gate as plain values, stored (``id``) or not yet (``id`` None, open)."""

    id: int | None
    release: str
    phase: str | None
    kind: GateKind
    criteria: str
    signoff_role: Role
    state: GateState
    signed_by: str | None
    signed_at: dt.datetime | None
    reason: str

    @property
    def passed(self) -> bool:
        return self.state in PASSED

    @property
    def name(self) -> str:
        """``R1-UAT exit``, ``R1-UAT entry``, ``R1 go/no-go``."""
        if self.kind == GateKind.GO_NO_GO:
            return f"{self.release} go/no-go"
        return f"{self.phase} {self.kind.value}"


# -- reading ------------------------------------------------------------------------------


def release_gates(sessions: SessionFactory, release_key: str) -> list[GateView]:
    """Every gate of a release: each phase's entry and exit in phase order, then go/no-go."""
    with read_transaction(sessions) as session:
        return gates_in(session, get_release(session, release_key))


def gates_in(session: Session, release: Release) -> list[GateView]:
    return gate_views(release, _stored(session, release))


def stored_gates_by_release(session: Session) -> dict[int, list[Gate]]:
    """Every stored gate, by release id, in one query (for reports over all releases)."""
    found: dict[int, list[Gate]] = {}
    for gate in session.exec(select(Gate).order_by(col(Gate.id))).all():
        found.setdefault(gate.release_id, []).append(gate)
    return found


def gate_views(release: Release, stored: list[Gate]) -> list[GateView]:
    """The gates of ``release`` from its ``stored`` rows (the missing ones open)."""
    return phase_gate_views(release.key, [(p.id or 0, p.key) for p in release.phases], stored)


def phase_gate_views(
    release_key: str, phases: Sequence[tuple[int, str]], stored: list[Gate]
) -> list[GateView]:
    """``gate_views`` from the release's key and its phases' ids and keys, in order (what a
    report over every release reads as plain columns)."""
    views = []
    for phase_id, phase_key in phases:
        for kind in (GateKind.ENTRY, GateKind.EXIT):
            views += _views(stored, release_key, phase_id, phase_key, kind)
    return views + _views(stored, release_key, None, None, GateKind.GO_NO_GO)


def _views(
    stored: list[Gate],
    release_key: str,
    phase_id: int | None,
    phase_key: str | None,
    kind: GateKind,
) -> list[GateView]:
    rows = [g for g in stored if g.phase_id == phase_id and g.kind == kind]
    if not rows:  # a view, not a Gate row: thousands of releases make thousands of these
        return [
            GateView(
                id=None,
                release=release_key,
                phase=phase_key,
                kind=kind,
                criteria="",
                signoff_role=DEFAULT_ROLES[kind],
                state=GateState.OPEN,
                signed_by=None,
                signed_at=None,
                reason="",
            )
        ]
    return [_gate_view(g, release_key, phase_key) for g in rows]


def _stored(session: Session, release: Release) -> list[Gate]:
    return list(
        session.exec(select(Gate).where(Gate.release_id == release.id).order_by(col(Gate.id))).all()
    )


def _default(release: Release, phase: Phase | None, kind: GateKind) -> Gate:
    assert release.id is not None
    return Gate(
        release_id=release.id,
        phase_id=phase.id if phase else None,
        kind=kind,
        signoff_role=DEFAULT_ROLES[kind],
    )


def _view(gate: Gate, release: Release, phase: Phase | None) -> GateView:
    return _gate_view(gate, release.key, phase.key if phase else None)


def _gate_view(gate: Gate, release_key: str, phase_key: str | None) -> GateView:
    return GateView(
        id=gate.id,
        release=release_key,
        phase=phase_key,
        kind=GateKind(gate.kind),
        criteria=gate.criteria,
        signoff_role=Role(gate.signoff_role),
        state=GateState(gate.state),
        signed_by=gate.signed_by,
        signed_at=gate.signed_at,
        reason=gate.reason,
    )


# -- writing ------------------------------------------------------------------------------------


def define_gate(
    sessions: SessionFactory,
    ref: GateRef,
    *,
    actor: User | None,
    now: dt.datetime,
    criteria: str,
    signoff_role: Role | None = None,
) -> GateView:
    """Set a gate's criteria (and who signs it): the release manager's call."""
    require(actor, "gates:define")
    with _gate_transaction(sessions, ref) as session:
        gate, release, phase = _gate_for(session, ref)
        before = audit.snapshot(gate) if gate.id else None
        gate.criteria = criteria.strip()
        if signoff_role is not None:
            gate.signoff_role = signoff_role
        session.add(gate)
        audit.record(session, actor=actor, now=now, action="gate_define", row=gate, before=before)
        return _view(gate, release, phase)


def sign_gate(
    sessions: SessionFactory, ref: GateRef, *, actor: User | None, now: dt.datetime, note: str = ""
) -> GateView:
    """The gate's sign-off role says its criteria are met."""
    return _decide(sessions, ref, GateState.SIGNED, note, actor=actor, now=now)


def veto_gate(
    sessions: SessionFactory, ref: GateRef, *, actor: User | None, now: dt.datetime, reason: str
) -> GateView:
    """The sign-off role or the release manager says no, and why."""
    return _decide(sessions, ref, GateState.VETOED, _required(reason), actor=actor, now=now)


def waive_gate(
    sessions: SessionFactory, ref: GateRef, *, actor: User | None, now: dt.datetime, reason: str
) -> GateView:
    """The release manager lets the release pass without the sign-off, and says why."""
    return _decide(sessions, ref, GateState.WAIVED, _required(reason), actor=actor, now=now)


def _required(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("reason", "say why")
    return reason.strip()


def _decide(
    sessions: SessionFactory,
    ref: GateRef,
    state: GateState,
    reason: str,
    *,
    actor: User | None,
    now: dt.datetime,
) -> GateView:
    with _gate_transaction(sessions, ref) as session:
        return decide_in(session, ref, state, reason, actor=actor, now=now)


def decide_in(
    session: Session,
    ref: GateRef,
    state: GateState,
    reason: str,
    *,
    actor: User | None,
    now: dt.datetime,
) -> GateView:
    """Sign, veto or waive a gate inside the caller's transaction (an import's), by the
    same rules and with the same audit entry as the verbs above."""
    gate, release, phase = _gate_for(session, ref)
    check_may_decide(actor, Role(gate.signoff_role), state)
    if gate.state not in ALLOWED_FROM[state]:
        raise InvalidState(
            f"the {_name(ref)} gate is {GateState(gate.state).value}; it cannot be {state.value}"
        )
    before = audit.snapshot(gate) if gate.id else None
    gate.state, gate.reason = state, reason
    gate.signed_by, gate.signed_at = (actor.name if actor else audit.SYSTEM_ACTOR), now
    session.add(gate)
    audit.record(
        session, actor=actor, now=now, action=f"gate_{VERBS[state]}", row=gate, before=before
    )
    return _view(gate, release, phase)


@contextmanager
def _gate_transaction(sessions: SessionFactory, ref: GateRef) -> Iterator[Session]:
    """A write transaction in which a second row for the gate — written by someone else
    between our read and our insert — is ``GateConflict``, not a database error."""
    try:
        with sessions.begin() as session:
            yield session
    except IntegrityError as exc:
        if any(name in str(exc.orig) for name in DUPLICATE_GATE):
            raise GateConflict(_name(ref)) from exc
        raise


def check_may_decide(actor: User | None, signoff_role: Role, state: GateState) -> None:
    """Who may sign, veto or waive a gate that ``signoff_role`` signs (see the module)."""
    if state == GateState.SIGNED:
        require(actor, "gates:sign", also=(signoff_role,))
    elif state == GateState.VETOED:
        require(actor, "gates:veto", also=(signoff_role,))
    else:
        require(actor, "gates:waive")


def _name(ref: GateRef) -> str:
    return f"{ref.phase or ref.release} {ref.kind.value}"


def _gate_for(session: Session, ref: GateRef) -> tuple[Gate, Release, Phase | None]:
    """The stored gate ``ref`` names, or a new open one with the default role (not added)."""
    release = get_release(session, ref.release)
    phase = _phase_of(session, release, ref)
    stored = [
        g
        for g in _stored(session, release)
        if g.phase_id == (phase.id if phase else None) and g.kind == ref.kind
    ]
    undecided = [g for g in stored if g.state not in PASSED]
    gate = (undecided or stored or [_default(release, phase, ref.kind)])[0]
    return gate, release, phase


def _phase_of(session: Session, release: Release, ref: GateRef) -> Phase | None:
    if ref.kind == GateKind.GO_NO_GO:
        if ref.phase is not None:
            raise InvalidInput("phase", "go/no-go is the release's gate: give no phase")
        return None
    if ref.phase is None:
        raise InvalidInput("phase", f"an {ref.kind.value} gate belongs to a phase: name it")
    phase = session.exec(
        select(Phase).where(Phase.key == ref.phase, Phase.release_id == release.id)
    ).first()
    if phase is None:
        raise NotFound("phase", ref.phase, field="phase")
    return phase


__all__ = [
    "GateRef",
    "GateView",
    "decide_in",
    "define_gate",
    "gate_views",
    "gates_in",
    "release_gates",
    "sign_gate",
    "stored_gates_by_release",
    "veto_gate",
    "waive_gate",
]
