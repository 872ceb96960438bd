"""Gates of a release (``/releases/<key>/gates``) and starting a booking past its gate.

A gate is named in the body by its phase (none for the release's go/no-go) and kind;
the service decides who may sign, veto or waive it (the gate's sign-off role, the
release manager), so the permissions below only keep out roles that never may.
"""

from __future__ import annotations

from envsched import booking, lifecycle
from envsched.booking import BookingOut
from envsched.db import read_transaction
from envsched.lifecycle import GateRef, GateView
from envsched.lifecycle.shapes import GateDefineIn, GateOut, GateSignIn, GateTargetIn, GateVerdictIn
from web.api import present, queries
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


def gate_json(view: GateView) -> JSON:
    return GateOut.model_validate(view, from_attributes=True).model_dump(mode="json")


def _ref(key: str, body: GateTargetIn) -> GateRef:
    return GateRef(key, body.phase, body.kind)


def list_gates(key: str) -> list[JSON]:
    return [gate_json(g) for g in lifecycle.release_gates(sessions(), key)]


def define_gate(key: str, body: GateDefineIn) -> JSON:
    return gate_json(
        lifecycle.define_gate(
            sessions(),
            _ref(key, body),
            actor=actor(),
            now=now(),
            criteria=body.criteria,
            signoff_role=body.signoff_role,
        )
    )


def sign_gate(key: str, body: GateSignIn) -> JSON:
    return gate_json(
        lifecycle.sign_gate(sessions(), _ref(key, body), actor=actor(), now=now(), note=body.note)
    )


def veto_gate(key: str, body: GateVerdictIn) -> JSON:
    return gate_json(
        lifecycle.veto_gate(
            sessions(), _ref(key, body), actor=actor(), now=now(), reason=body.reason
        )
    )


def waive_gate(key: str, body: GateVerdictIn) -> JSON:
    return gate_json(
        lifecycle.waive_gate(
            sessions(), _ref(key, body), actor=actor(), now=now(), reason=body.reason
        )
    )


def start_booking(booking_id: int) -> JSON:
    booking.start_booking(sessions(), booking_id, actor=actor(), now=now())
    with read_transaction(sessions()) as session:
        return present.booking(queries.booking(session, booking_id))


ROUTES = [
    Route(
        "GET",
        "/releases/<key>/gates",
        list_gates,
        "gates:read",
        "Every gate of a release: each phase's entry and exit, then go/no-go",
        list[GateOut],
        errors=(404,),
    ),
    Route(
        "PUT",
        "/releases/<key>/gates",
        define_gate,
        "gates:define",
        "Set a gate's criteria and who signs it off (409: someone else wrote the same "
        "gate at the same moment)",
        GateOut,
        body=GateDefineIn,
        errors=(400, 404, 409),
        example={
            "phase": "R1-UAT",
            "kind": "exit",
            "signoff_role": "test_manager",
            "criteria": "no open severity-1 defects; regression pack passed",
        },
    ),
    Route(
        "POST",
        "/releases/<key>/gates/sign",
        sign_gate,
        "gates:decide",
        "Sign a gate off (only its sign-off role may)",
        GateOut,
        body=GateSignIn,
        errors=(400, 404, 409),
        example={"phase": "R1-UAT", "kind": "entry", "note": "environment smoke-tested"},
    ),
    Route(
        "POST",
        "/releases/<key>/gates/veto",
        veto_gate,
        "gates:decide",
        "Veto a gate with a reason (its sign-off role or the release manager)",
        GateOut,
        body=GateVerdictIn,
        errors=(400, 404, 409),
        example={"phase": "R1-UAT", "kind": "exit", "reason": "two severity-1 defects open"},
    ),
    Route(
        "POST",
        "/releases/<key>/gates/waive",
        waive_gate,
        "gates:waive",
        "Waive a gate with a reason (the release manager)",
        GateOut,
        body=GateVerdictIn,
        errors=(400, 404, 409),
        example={"kind": "go_no_go", "reason": "regulatory deadline; risk accepted"},
    ),
    Route(
        "POST",
        "/bookings/<int:booking_id>/start",
        start_booking,
        "bookings:start",
        "Hand a confirmed booking over (in use); 409 while its phase's entry gate, or "
        "the exit gate of a phase it waits for, is open or vetoed, naming each",
        BookingOut,
        errors=(404, 409),
    ),
]
