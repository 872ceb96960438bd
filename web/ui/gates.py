"""Gates of one release: each phase's entry and exit gate and the go/no-go, with the
sign-off, veto and waiver forms for the roles that may use them. Each decision is one
service call; a refusal comes back as a message on the page, not an error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlmodel import select

from envsched import lifecycle
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.inventory import natural_key
from envsched.lifecycle import GateRef, GateView
from envsched.models import OPEN_RELEASE_STATUSES, GateKind, GateState, Release
from web.auth import current_user, requires
from web.context import now, sessions
from web.ui.params import text_arg


@requires("gates:read")
def gate_list() -> Any:
    with read_transaction(sessions()) as session:
        found = session.exec(select(Release.key, Release.status)).all()
        keys = [  # open releases first, each part in counted order (R-2 before R-10)
            key
            for key, _ in sorted(
                found, key=lambda r: (r[1] not in OPEN_RELEASE_STATUSES, natural_key(r[0]))
            )
        ]
        chosen = text_arg("release")
        key = chosen if chosen in keys else (keys[0] if keys else None)
    views = lifecycle.release_gates(sessions(), key) if key else []
    return render_template("gates.html", releases=keys, release=key, rows=[_row(v) for v in views])


VERB_STATES = {"sign": GateState.SIGNED, "veto": GateState.VETOED, "waive": GateState.WAIVED}


def _row(view: GateView) -> dict[str, Any]:
    """The gate, and which decisions to offer: the ones the service would accept."""
    user = current_user()
    offer = {
        verb: _may(user, view, state) and view.state in lifecycle.ALLOWED_FROM[state]
        for verb, state in VERB_STATES.items()
    }
    return {"gate": view, "name": _name(view), "offer": offer}


def _name(view: GateView) -> str:
    if view.kind == GateKind.GO_NO_GO:
        return "Go/no-go"
    return f"{view.phase} {view.kind.value}"


def _may(user: Any, view: GateView, state: GateState) -> bool:
    """The service's own rule of who decides, asked without side effects."""
    try:
        lifecycle.check_may_decide(user, view.signoff_role, state)
    except EnvschedError:
        return False
    return True


@requires("gates:decide")
def gate_sign(key: str) -> Any:
    return _decide(
        key,
        "signed off",
        lambda ref: lifecycle.sign_gate(
            sessions(), ref, actor=current_user(), now=now(), note=request.form.get("note", "")
        ),
    )


@requires("gates:decide")
def gate_veto(key: str) -> Any:
    return _decide(
        key,
        "vetoed",
        lambda ref: lifecycle.veto_gate(
            sessions(), ref, actor=current_user(), now=now(), reason=request.form.get("reason", "")
        ),
    )


@requires("gates:waive")
def gate_waive(key: str) -> Any:
    return _decide(
        key,
        "waived",
        lambda ref: lifecycle.waive_gate(
            sessions(), ref, actor=current_user(), now=now(), reason=request.form.get("reason", "")
        ),
    )


def _decide(key: str, done: str, action: Callable[[GateRef], GateView]) -> Any:
    try:
        ref = GateRef(
            key, request.form.get("phase") or None, GateKind(request.form.get("kind", ""))
        )
        view = action(ref)
    except ValueError:
        flash("Choose a gate: entry, exit or go/no-go.", "error")
    except EnvschedError as exc:
        flash(f"{key}: {exc.said}", "error")
    else:
        flash(f"{key}: {_name(view)} gate {done}.", "success")
    return redirect(url_for("ui.gate_list", release=key))
