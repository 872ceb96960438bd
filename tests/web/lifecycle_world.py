"""Release-lifecycle rows for the API world (``api_world``), made when a path needs them.

The permission and OpenAPI tests visit every route with real rows: a strategy, a window,
a template, and releases in the status each route expects (``R1`` is planned; a ready
one with its go/no-go signed for deployments, a deployed one for the back-out). Every
row is fetched or created by name, so asking twice makes nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import select

from envsched.db import SessionFactory
from envsched.models import (
    CadenceKind,
    Deployment,
    ExternalLink,
    Gate,
    GateKind,
    GateState,
    LinkKind,
    Release,
    ReleaseStatus,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseWindow,
    Role,
    TemplatePhase,
)
from tests.envsched import factories
from tests.web.helpers import NOW

D = dt.date.fromisoformat


def lifecycle_values(sessions: SessionFactory, rule_path: str) -> dict[str, Any]:
    """Values for the lifecycle ``{…}`` of ``rule_path``."""
    values: dict[str, Any] = {}
    if "/release-strategies/" in rule_path:
        values["strategy"] = _strategy(sessions)
    if "/release-windows/" in rule_path:
        values["release_window_id"] = _window(sessions)
    if "/release-templates/" in rule_path:
        values["template"] = _template(sessions)
    if "{release}" in rule_path or "<release>" in rule_path:
        values.update(_release_for(sessions, rule_path))
    return values


def _release_for(sessions: SessionFactory, rule_path: str) -> dict[str, Any]:
    if "/deployments" in rule_path:
        return {"release": _go(sessions, _release(sessions, "RL-READY", ReleaseStatus.READY))}
    if "/back-out" in rule_path:
        return {"release": _deployed(sessions)}
    if "/links/" in rule_path:
        return {"release": "R1", "link_id": _link(sessions)}
    return {"release": "R1"}


def _strategy(sessions: SessionFactory) -> str:
    with sessions.begin() as session:
        if not session.exec(
            select(ReleaseStrategy).where(ReleaseStrategy.name == "quarterly")
        ).first():
            session.add(
                ReleaseStrategy(
                    name="quarterly",
                    cadence=CadenceKind.QUARTERLY,
                    anchor=D("2027-01-29"),
                    created_at=NOW,
                )
            )
    return "quarterly"


def _window(sessions: SessionFactory) -> int:
    with sessions.begin() as session:
        row = session.exec(select(ReleaseWindow).where(ReleaseWindow.name == "spring")).first()
        if row is None:
            row = ReleaseWindow(
                name="spring",
                start=D("2027-02-01"),
                cutoff=D("2027-03-20"),
                go_live=D("2027-03-26"),
            )
            session.add(row)
            session.flush()
        assert row.id is not None
        return row.id


def _template(sessions: SessionFactory) -> str:
    with sessions.begin() as session:
        if not session.exec(
            select(ReleaseTemplate).where(ReleaseTemplate.name == "standard")
        ).first():
            sit = factories.type_id(session, "SIT")
            template = ReleaseTemplate(name="standard")
            session.add(template)
            session.flush()
            assert template.id is not None
            session.add(
                TemplatePhase(template_id=template.id, name="SIT", type_id=sit, duration_days=10)
            )
    return "standard"


def _release(sessions: SessionFactory, key: str, status: ReleaseStatus) -> str:
    with sessions.begin() as session:
        if not session.exec(select(Release).where(Release.key == key)).first():
            session.add(Release(key=key, status=status))
    return key


def _go(sessions: SessionFactory, key: str) -> str:
    """Release ``key`` with its go/no-go signed: the gate its deployment needs (it has no
    phases, so no exit gates)."""
    with sessions.begin() as session:
        release = session.exec(select(Release).where(Release.key == key)).one()
        if not session.exec(select(Gate).where(Gate.release_id == release.id)).first():
            assert release.id is not None
            session.add(
                Gate(
                    release_id=release.id,
                    kind=GateKind.GO_NO_GO,
                    signoff_role=Role.RELEASE_MANAGER,
                    state=GateState.SIGNED,
                    signed_by="rita",
                    signed_at=NOW,
                )
            )
    return key


def _deployed(sessions: SessionFactory) -> str:
    key = _release(sessions, "RL-LIVE", ReleaseStatus.DEPLOYED)
    with sessions.begin() as session:
        release = session.exec(select(Release).where(Release.key == key)).one()
        if not session.exec(select(Deployment).where(Deployment.release_id == release.id)).first():
            assert release.id is not None
            session.add(
                Deployment(
                    release_id=release.id,
                    deployed_on=D("2027-01-03"),
                    backout_plan="redeploy",
                    recorded_at=NOW,
                )
            )
    return key


def _link(sessions: SessionFactory) -> int:
    with sessions.begin() as session:
        release = session.exec(select(Release).where(Release.key == "R1")).one()
        link = session.exec(select(ExternalLink).where(ExternalLink.key == "INC0001")).first()
        if link is None:
            assert release.id is not None
            link = ExternalLink(
                release_id=release.id,
                kind=LinkKind.INCIDENT,
                system="ServiceNow",
                key="INC0001",
                created_at=NOW,
            )
            session.add(link)
            session.flush()
        assert link.id is not None
        return link.id
