"""One release's way to production: its status steps, deployments, back-out and links.

Everyone reads the page; release managers get a button for each step the flow allows
from the current status, the deployment form when it is ready, the back-out form when it
is deployed, and the link form. Refusals come back as flash messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, render_template, request
from sqlmodel import col, select
from werkzeug.wrappers import Response

from envsched.db import read_transaction
from envsched.models import (
    Deployment,
    ExternalLink,
    LinkKind,
    Release,
    ReleaseStatus,
    ReleaseWindow,
)
from envsched.models.lifecycle_io import BackOutIn, DeploymentIn, LinkIn
from envsched.services import release_status
from web.auth import current_user, requires
from web.context import now, sessions
from web.ui.lifecycle import act
from web.ui.params import form_date


@requires("releases:read")
def release_lifecycle(key: str) -> Any:
    with read_transaction(sessions()) as session:
        release = session.exec(select(Release).where(Release.key == key)).first()
        if release is None:
            abort(404, f"No release {key!r}.")
        window = session.get(ReleaseWindow, release.window_id) if release.window_id else None
        deployments = session.exec(select(Deployment).where(Deployment.release_id == release.id)
                                   .order_by(col(Deployment.id))).all()
        links = session.exec(select(ExternalLink).where(ExternalLink.release_id == release.id)
                             .order_by(col(ExternalLink.id))).all()
    steps = [s.value for s in release_status.NEXT[release.status]
             if s not in release_status.BY_RECORD]
    return render_template(
        "release_flow.html", release=release, window=window, deployments=deployments,
        links=links, history=release_status.status_history(sessions(), key), steps=steps,
        can_deploy=ReleaseStatus.DEPLOYED in release_status.NEXT[release.status],
        can_back_out=release.status == ReleaseStatus.DEPLOYED,
        link_kinds=[k.value for k in LinkKind], today=now().date())


@requires("releases:write")
def release_step(key: str) -> Response:
    status = request.form.get("status", "")
    return _act(key, lambda: release_status.transition_release(
        sessions(), key, ReleaseStatus(status), actor=current_user(), now=now(),
        reason=request.form.get("reason", "")), lambda r: f"{key} is {r.status.value}.")


@requires("releases:write")
def release_deploy(key: str) -> Response:
    def deploy() -> Deployment:
        data = DeploymentIn(deployed_on=form_date("deployed_on") or now().date(),
                            backout_plan=request.form.get("backout_plan", ""),
                            notes=request.form.get("notes", ""))
        return release_status.record_deployment(sessions(), key, data, actor=current_user(),
                                                now=now())

    return _act(key, deploy, lambda d: f"{key} deployed on {d.deployed_on}.")


@requires("releases:write")
def release_back_out(key: str) -> Response:
    return _act(key, lambda: release_status.back_out(
        sessions(), key, BackOutIn(reason=request.form.get("reason", "")),
        actor=current_user(), now=now()), lambda _: f"{key} is backed out.")


@requires("releases:write")
def release_link_add(key: str) -> Response:
    return _act(key, lambda: release_status.add_link(sessions(), key, LinkIn.model_validate(
        {k: request.form.get(k, "").strip() for k in ("kind", "system", "key", "url")}),
        actor=current_user(), now=now()), lambda link: f"Linked {link.system} {link.key}.")


@requires("releases:write")
def release_link_remove(key: str) -> Response:
    return _act(key, lambda: release_status.remove_link(
        sessions(), key, int(request.form.get("link_id", "")), actor=current_user(),
        now=now()), lambda _: "Link removed.")


def _act(key: str, action: Callable[[], Any], done: Callable[[Any], str]) -> Response:
    return act(action, "ui.release_lifecycle", done, key=key)
