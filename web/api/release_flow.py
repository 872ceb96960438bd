"""A release's way to production: its window, status steps, deployments, back-out and
links to incidents and changes in other systems (``/releases/<release>/…``)."""

from __future__ import annotations

from sqlmodel import col, select

from envsched import lifecycle
from envsched.db import read_transaction
from envsched.lifecycle.shapes import (
    AssignmentIn,
    BackOutIn,
    DeploymentIn,
    DeploymentOut,
    LinkIn,
    LinkOut,
    ReleaseOut,
    StatusChangeIn,
    StatusChangeOut,
)
from envsched.models import Deployment, ExternalLink
from web.api import lifecycle_present as show
from web.api import present
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


def release_detail(key: str) -> JSON:
    with read_transaction(sessions()) as session:
        return present.release(lifecycle.get_release(session, key))


def assign_release_window(release: str, body: AssignmentIn) -> JSON:
    lifecycle.assign_release(sessions(), release, body.window_id, actor=actor(), now=now())
    return release_detail(release)


def change_release_status(release: str, body: StatusChangeIn) -> JSON:
    lifecycle.transition_release(
        sessions(), release, body.status, actor=actor(), now=now(), reason=body.reason
    )
    return release_detail(release)


def release_status_history(release: str) -> list[JSON]:
    return [show.status_change(row) for row in lifecycle.status_history(sessions(), release)]


def list_release_deployments(release: str) -> list[JSON]:
    with read_transaction(sessions()) as session:
        row = lifecycle.get_release(session, release)
        found = session.exec(
            select(Deployment).where(Deployment.release_id == row.id).order_by(col(Deployment.id))
        ).all()
        return [show.deployment(session, d) for d in found]


def record_release_deployment(release: str, body: DeploymentIn) -> JSON:
    row = lifecycle.record_deployment(sessions(), release, body, actor=actor(), now=now())
    with read_transaction(sessions()) as session:
        return show.deployment(session, row)


def back_out_release(release: str, body: BackOutIn) -> JSON:
    row = lifecycle.back_out(sessions(), release, body, actor=actor(), now=now())
    with read_transaction(sessions()) as session:
        return show.deployment(session, row)


def list_release_links(release: str) -> list[JSON]:
    with read_transaction(sessions()) as session:
        row = lifecycle.get_release(session, release)
        found = session.exec(
            select(ExternalLink)
            .where(ExternalLink.release_id == row.id)
            .order_by(col(ExternalLink.id))
        ).all()
        return [show.link(session, link) for link in found]


def add_release_link(release: str, body: LinkIn) -> JSON:
    row = lifecycle.add_link(sessions(), release, body, actor=actor(), now=now())
    with read_transaction(sessions()) as session:
        return show.link(session, row)


def remove_release_link(release: str, link_id: int) -> None:
    lifecycle.remove_link(sessions(), release, link_id, actor=actor(), now=now())


R = "/releases/<release>"
ROUTES = [
    Route(
        "PUT",
        f"{R}/window",
        assign_release_window,
        "windows:write",
        "Put a release in a release window (its cut-off becomes the due date), or take "
        "it out with null",
        ReleaseOut,
        body=AssignmentIn,
        errors=(400, 404),
        example={"window_id": None},
    ),
    Route(
        "POST",
        f"{R}/status",
        change_release_status,
        "releases:write",
        "One step of draft → planned → in_test → ready (or back a step, or cancelled); "
        "409 names the current and the requested status, or (ready) each phase's exit "
        "gate not yet signed or waived",
        ReleaseOut,
        body=StatusChangeIn,
        errors=(400, 404, 409),
        example={"status": "in_test", "reason": "SIT environment handed over"},
    ),
    Route(
        "GET",
        f"{R}/status-history",
        release_status_history,
        "releases:read",
        "Every status step of a release, oldest first",
        list[StatusChangeOut],
        errors=(404,),
    ),
    Route(
        "GET",
        f"{R}/deployments",
        list_release_deployments,
        "releases:read",
        "A release's deployments",
        list[DeploymentOut],
        errors=(404,),
    ),
    Route(
        "POST",
        f"{R}/deployments",
        record_release_deployment,
        "releases:write",
        "Record the go-live of a ready release (it becomes deployed); 409 while its "
        "go/no-go or a phase's exit gate is open or vetoed, naming each",
        DeploymentOut,
        201,
        body=DeploymentIn,
        errors=(400, 404, 409),
        example={
            "deployed_on": "2027-01-04",
            "backout_plan": "redeploy 4.1 images",
            "notes": "CAB approved",
        },
    ),
    Route(
        "POST",
        f"{R}/back-out",
        back_out_release,
        "releases:write",
        "Back out a deployed release's latest deployment",
        DeploymentOut,
        body=BackOutIn,
        errors=(400, 404, 409),
        example={"reason": "INC0042 payments down"},
    ),
    Route(
        "GET",
        f"{R}/links",
        list_release_links,
        "releases:read",
        "A release's incidents and changes in other systems",
        list[LinkOut],
        errors=(404,),
    ),
    Route(
        "POST",
        f"{R}/links",
        add_release_link,
        "releases:write",
        "Link a release to an incident or change (system, key, URL)",
        LinkOut,
        201,
        body=LinkIn,
        errors=(400, 404),
        example={
            "kind": "change",
            "system": "ServiceNow",
            "key": "CHG0012345",
            "url": "https://servicenow.example/CHG0012345",
        },
    ),
    Route(
        "DELETE",
        f"{R}/links/<int:link_id>",
        remove_release_link,
        "releases:write",
        "Remove a link",
        None,
        204,
        errors=(404,),
    ),
]
