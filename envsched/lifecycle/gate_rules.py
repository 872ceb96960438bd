"""Which gates each lifecycle step needs: the one table (``NEEDS``), and the check that
every path taking such a step calls.

| step                          | needs signed or waived                                  |
| ----------------------------- | ------------------------------------------------------- |
| a release becomes ``ready``   | the exit gate of every phase                            |
| a release is deployed         | the exit gate of every phase, and the go/no-go          |
| a phase's booking starts      | the phase's entry gate, and the exit gate of every      |
| (becomes in use)              | phase it waits for (``rulebook``'s order rule)          |

A gate that is open or vetoed holds the step; the refusal (``GateNotPassed``) names each
such gate, its state and the veto's reason. The way past a gate is its sign-off, or the
release manager's waiver with a reason (audited, and counted by the KPIs as "without
sign-off"): there is no other override. Deploying checks the exit gates again because a
signed gate may be vetoed after the release became ready.

``release_flow.step`` calls ``check_status`` (so the lifecycle verbs, a release update
and an import all do), the booking service ``check_start``; pages ask ``blocking`` to
show what holds a step before anyone clicks.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

from sqlmodel import Session

from envsched.booking import ReleasePlan
from envsched.errors import BlockingGate, GateNotPassed
from envsched.lifecycle.gates import GateView, gates_in
from envsched.models import GateKind, Phase, Release, ReleaseStatus


class GatedStep(enum.StrEnum):
    READY = "ready"
    DEPLOY = "deploy"
    START = "start"


GateKey = tuple[str | None, GateKind]  # (phase key, or None for the go/no-go; kind)
Selector = Callable[[Release, Phase | None], Iterable[GateKey]]


def every_exit(release: Release, _phase: Phase | None) -> Iterable[GateKey]:
    return ((p.key, GateKind.EXIT) for p in release.phases)


def go_no_go(_release: Release, _phase: Phase | None) -> Iterable[GateKey]:
    return [(None, GateKind.GO_NO_GO)]


def own_entry(_release: Release, phase: Phase | None) -> Iterable[GateKey]:
    return [(phase.key, GateKind.ENTRY)] if phase else []


def predecessors_exit(release: Release, phase: Phase | None) -> Iterable[GateKey]:
    waits_for = ReleasePlan(release).predecessors(phase) if phase else []
    return ((p.key, GateKind.EXIT) for p in waits_for)


NEEDS: dict[GatedStep, tuple[Selector, ...]] = {
    GatedStep.READY: (every_exit,),
    GatedStep.DEPLOY: (every_exit, go_no_go),
    GatedStep.START: (own_entry, predecessors_exit),
}
# The statuses a step of the flow reaches only past gates.
STATUS_STEPS = {ReleaseStatus.READY: GatedStep.READY, ReleaseStatus.DEPLOYED: GatedStep.DEPLOY}


def blocking(
    session: Session, release: Release, step: GatedStep, phase: Phase | None = None
) -> list[GateView]:
    """The gates ``step`` needs that are not signed or waived, in the release's gate order."""
    needed = {key for pick in NEEDS[step] for key in pick(release, phase)}
    return [g for g in gates_in(session, release) if (g.phase, g.kind) in needed and not g.passed]


def check_status(session: Session, release: Release, status: ReleaseStatus) -> None:
    """Refuse to move ``release`` to ``status`` while a gate that status needs holds it."""
    step = STATUS_STEPS.get(status)
    if step is None:
        return
    verb = "become ready" if step == GatedStep.READY else "be deployed"
    _refuse_if_held(blocking(session, release, step), f"release {release.key} cannot {verb}")


def check_start(session: Session, phase_id: int | None) -> None:
    """Refuse to start a booking of the phase while a gate its start needs holds it."""
    if phase_id is None:
        return
    phase = session.get_one(Phase, phase_id)
    held = blocking(session, phase.release, GatedStep.START, phase)
    _refuse_if_held(held, f"phase {phase.key} cannot start")


def _refuse_if_held(held: list[GateView], step: str) -> None:
    if held:
        raise GateNotPassed(step, [blocking_gate(g) for g in held])


def blocking_gate(view: GateView) -> BlockingGate:
    return BlockingGate(
        name=view.name,
        state=view.state.value,
        reason=view.reason,
        signoff_role=view.signoff_role.value,
    )
