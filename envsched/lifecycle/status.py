"""The release lifecycle verbs: status steps, deployments, back-outs, links to other systems.

The flow itself is ``release_flow`` (``NEXT``). ``deployed`` is reached only by
recording a deployment (the back-out plan is part of it) and ``backed_out`` only by
backing one out, so neither state exists without its record. Every step is kept in
``release_status_change`` and the audit log; cancelling gives back the release's open
requests and live bookings in the same transaction (``release_cancel``).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from envsched import audit
from envsched.booking import booking_transaction
from envsched.days import day_text
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, InvalidState, NotFound
from envsched.lifecycle.cancel import Withdrawn
from envsched.lifecycle.flow import (
    BY_RECORD,
    NEXT,
    InvalidTransition,
    check_plain_step,
    record_status,
    step,
)
from envsched.lifecycle.lookup import get_release
from envsched.lifecycle.shapes import BackOutIn, DeploymentIn, LinkIn
from envsched.models import (
    Deployment,
    ExternalLink,
    Release,
    ReleaseStatus,
    ReleaseStatusChange,
    User,
)
from envsched.permissions import require

__all__ = [
    "BY_RECORD",
    "NEXT",
    "InvalidTransition",
    "Withdrawn",
    "add_link",
    "back_out",
    "cancel_release",
    "record_deployment",
    "record_status",
    "remove_link",
    "status_history",
    "transition_release",
]


def transition_release(
    sessions: SessionFactory,
    key: str,
    status: ReleaseStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> Release:
    """Move release ``key`` one step along the flow."""
    return _step_release(sessions, key, status, actor=actor, now=now, reason=reason)[0]


def cancel_release(
    sessions: SessionFactory, key: str, *, actor: User | None, now: dt.datetime, reason: str = ""
) -> Withdrawn:
    """Cancel release ``key``: the step to ``cancelled``, and what it gave back."""
    return _step_release(
        sessions, key, ReleaseStatus.CANCELLED, actor=actor, now=now, reason=reason
    )[1]


def _step_release(
    sessions: SessionFactory,
    key: str,
    status: ReleaseStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str,
) -> tuple[Release, Withdrawn]:
    require(actor, "releases:write")
    with booking_transaction(sessions) as session:  # a cancellation offers freed days
        release = get_release(session, key)
        check_plain_step(release, status)
        withdrawn = step(session, release, status, actor=actor, now=now, reason=reason)
    return release, withdrawn


def record_deployment(
    sessions: SessionFactory, key: str, data: DeploymentIn, *, actor: User | None, now: dt.datetime
) -> Deployment:
    """A ready release went live: the record, and the release becomes deployed."""
    require(actor, "releases:write")
    with sessions.begin() as session:
        release = get_release(session, key)
        step(
            session,
            release,
            ReleaseStatus.DEPLOYED,
            actor=actor,
            now=now,
            reason=f"deployed on {day_text(data.deployed_on)}",
        )
        assert release.id is not None
        deployment = Deployment(
            release_id=release.id, **data.model_dump(), recorded_at=now, recorded_by=_name(actor)
        )
        session.add(deployment)
        audit.record(session, actor=actor, now=now, action="create", row=deployment)
    return deployment


def back_out(
    sessions: SessionFactory, key: str, data: BackOutIn, *, actor: User | None, now: dt.datetime
) -> Deployment:
    """Undo the latest deployment of release ``key``; the release becomes backed out."""
    require(actor, "releases:write")
    with sessions.begin() as session:
        release = get_release(session, key)
        step(session, release, ReleaseStatus.BACKED_OUT, actor=actor, now=now, reason=data.reason)
        deployment = _latest_deployment(session, release)
        before = audit.snapshot(deployment)
        deployment.backed_out, deployment.backed_out_at = True, now
        deployment.notes = "\n".join(filter(None, [deployment.notes, f"backed out: {data.reason}"]))
        audit.record(
            session, actor=actor, now=now, action="back_out", row=deployment, before=before
        )
    return deployment


def add_link(
    sessions: SessionFactory, key: str, data: LinkIn, *, actor: User | None, now: dt.datetime
) -> ExternalLink:
    """Link release ``key`` to an incident or change in another system."""
    require(actor, "releases:write")
    with sessions.begin() as session:
        release = get_release(session, key)
        assert release.id is not None
        if session.exec(
            select(ExternalLink).where(
                ExternalLink.release_id == release.id,
                ExternalLink.system == data.system,
                ExternalLink.key == data.key,
            )
        ).first():
            raise InvalidInput("key", f"{key} is linked to {data.system} {data.key} already")
        link = ExternalLink(
            release_id=release.id, **data.model_dump(), created_at=now, created_by=_name(actor)
        )
        session.add(link)
        audit.record(session, actor=actor, now=now, action="create", row=link)
    return link


def remove_link(
    sessions: SessionFactory, key: str, link_id: int, *, actor: User | None, now: dt.datetime
) -> None:
    require(actor, "releases:write")
    with sessions.begin() as session:
        release = get_release(session, key)
        link = session.get(ExternalLink, link_id)
        if link is None or link.release_id != release.id:
            raise NotFound("link", link_id)
        before = audit.snapshot(link)
        session.delete(link)
        audit.record(session, actor=actor, now=now, action="delete", row=link, before=before)


def status_history(sessions: SessionFactory, key: str) -> list[ReleaseStatusChange]:
    with read_transaction(sessions) as session:
        release = get_release(session, key)
        return list(
            session.exec(
                select(ReleaseStatusChange)
                .where(ReleaseStatusChange.release_id == release.id)
                .order_by(col(ReleaseStatusChange.id))
            ).all()
        )


# -- helpers ------------------------------------------------------------------------------


def _latest_deployment(session: Session, release: Release) -> Deployment:
    deployment = session.exec(
        select(Deployment)
        .where(Deployment.release_id == release.id)
        .order_by(col(Deployment.id).desc())
    ).first()
    if deployment is None:
        raise InvalidState(f"release {release.key} has no deployment to back out")
    return deployment


def _name(actor: User | None) -> str:
    return actor.name if actor else audit.SYSTEM_ACTOR
