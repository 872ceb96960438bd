"""One release's way to production: its status steps, deployments, back-out and links.

Everyone reads the page; release managers get a button for each step the flow allows
from the current status, the deployment form when it is ready, the back-out form when it
is deployed, and the link form. Next to the ready button and the deployment form the page
names the gates that still hold them (``gate_rules``); refusals come back as flash
messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from envsched import lifecycle
from envsched.days import day_text
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.lifecycle import GateView, Withdrawn
from envsched.lifecycle.shapes import BackOutIn, DeploymentIn, LinkIn
from envsched.models import (
    Deployment,
    ExternalLink,
    LinkKind,
    Release,
    ReleaseStatus,
    ReleaseWindow,
)
from web.auth import current_user, requires
from web.context import now, sessions
from web.ui.lifecycle import act, refusal_message
from web.ui.params import form_date, form_id

DEPLOY_FIELDS = ("deployed_on", "backout_plan", "notes")


@requires("releases:read")
def release_lifecycle(key: str) -> Any:
    return _lifecycle_page(key)


def _lifecycle_page(key: str, deploy: dict[str, str] | None = None) -> str:
    """The page; ``deploy`` is what a refused deployment form held, shown again as typed."""
    with read_transaction(sessions()) as session:
        release = session.exec(select(Release).where(Release.key == key)).first()
        if release is None:
            abort(404, f"No release {key!r}.")
        window = session.get(ReleaseWindow, release.window_id) if release.window_id else None
        deployments = session.exec(
            select(Deployment)
            .where(Deployment.release_id == release.id)
            .order_by(col(Deployment.id))
        ).all()
        links = session.exec(
            select(ExternalLink)
            .where(ExternalLink.release_id == release.id)
            .order_by(col(ExternalLink.id))
        ).all()
        held = lifecycle.held_by(session, release, now().date())
        gated = held_steps(session, release)
    steps = [s.value for s in lifecycle.NEXT[release.status] if s not in lifecycle.BY_RECORD]
    return render_template(
        "release_flow.html",
        release=release,
        window=window,
        deployments=deployments,
        links=links,
        history=lifecycle.status_history(sessions(), key),
        steps=steps,
        can_deploy=ReleaseStatus.DEPLOYED in lifecycle.NEXT[release.status],
        can_back_out=release.status == ReleaseStatus.DEPLOYED,
        link_kinds=[k.value for k in LinkKind],
        today=now().date(),
        cancel_warning=cancel_warning(key, held),
        gated=gated,
        deploy=deploy or {"deployed_on": now().date().isoformat()},
    )


def held_steps(session: Session, release: Release) -> dict[str, list[GateView]]:
    """For each status the release may step to next that waits for gates (ready,
    deployed): the gates in its way, so the page says so before anyone clicks."""
    return {
        status.value: lifecycle.blocking(session, release, step)
        for status, step in lifecycle.STATUS_STEPS.items()
        if status in lifecycle.NEXT[release.status]
    }


@requires("releases:write")
def release_step(key: str) -> Response:
    status = request.form.get("status", "")
    if status == ReleaseStatus.CANCELLED:
        return _act(
            key,
            lambda: lifecycle.cancel_release(
                sessions(),
                key,
                actor=current_user(),
                now=now(),
                reason=request.form.get("reason", ""),
            ),
            lambda w: cancelled_message(key, w),
        )
    return _act(
        key,
        lambda: lifecycle.transition_release(
            sessions(),
            key,
            ReleaseStatus(status),
            actor=current_user(),
            now=now(),
            reason=request.form.get("reason", ""),
        ),
        lambda r: f"{key} is {r.status.value}.",
    )


@requires("releases:write")
def release_deploy(key: str) -> Any:
    """Record a deployment; refused (a gate in the way, a bad date), the page comes back
    with the message and the form as it was typed: a back-out plan is not typed twice."""
    typed = {name: request.form.get(name, "") for name in DEPLOY_FIELDS}
    try:
        data = DeploymentIn(
            deployed_on=form_date("deployed_on") or now().date(),
            backout_plan=typed["backout_plan"],
            notes=typed["notes"],
        )
        deployment = lifecycle.record_deployment(
            sessions(), key, data, actor=current_user(), now=now()
        )
    except (EnvschedError, ValidationError, ValueError) as exc:
        flash(refusal_message(exc), "error")
        return _lifecycle_page(key, deploy=typed), 409 if isinstance(exc, EnvschedError) else 400
    flash(f"{key} deployed on {day_text(deployment.deployed_on)}.", "success")
    return redirect(url_for("ui.release_lifecycle", key=key))


@requires("releases:write")
def release_back_out(key: str) -> Response:
    return _act(
        key,
        lambda: lifecycle.back_out(
            sessions(),
            key,
            BackOutIn(reason=request.form.get("reason", "")),
            actor=current_user(),
            now=now(),
        ),
        lambda _: f"{key} is backed out.",
    )


@requires("releases:write")
def release_link_add(key: str) -> Response:
    return _act(
        key,
        lambda: lifecycle.add_link(
            sessions(),
            key,
            LinkIn.model_validate(
                {k: request.form.get(k, "").strip() for k in ("kind", "system", "key", "url")}
            ),
            actor=current_user(),
            now=now(),
        ),
        lambda link: f"Linked {link.system} {link.key}.",
    )


@requires("releases:write")
def release_link_remove(key: str) -> Response:
    return _act(
        key,
        lambda: lifecycle.remove_link(
            sessions(), key, form_id("link_id"), actor=current_user(), now=now()
        ),
        lambda _: "Link removed.",
    )


def cancel_warning(key: str, held: Withdrawn) -> str:
    """The question the cancel button asks first: what cancelling would give back."""
    if not held.requests and not held.bookings:
        return f"Cancel {key}? It has no open booking requests or live bookings."
    return (
        f"Cancel {key}? This also cancels {_count(held.requests, 'open booking request')}"
        f" and {_count(held.cancelled, 'booking')} not started yet, and releases "
        f"{_count(held.released, 'running booking')} from today."
    )


def cancelled_message(key: str, withdrawn: Withdrawn) -> str:
    return (
        f"{key} is cancelled: {_count(withdrawn.requests, 'open booking request')} "
        f"cancelled, {_count(withdrawn.cancelled, 'booking')} cancelled, "
        f"{_count(withdrawn.released, 'running booking')} released from today."
    )


def _count(ids: tuple[int, ...], noun: str) -> str:
    return f"{len(ids)} {noun}{'' if len(ids) == 1 else 's'}"


def _act(key: str, action: Callable[[], Any], done: Callable[[Any], str]) -> Response:
    return act(action, "ui.release_lifecycle", done, key=key)
