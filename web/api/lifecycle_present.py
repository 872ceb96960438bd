"""Release-lifecycle rows as the API shows them: names and keys instead of ids.

Each function reads relationships or looks rows up, so it runs inside a read session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from envsched import lifecycle
from envsched.lifecycle.shapes import (
    DeploymentOut,
    LinkOut,
    StatusChangeOut,
    StrategyOut,
    TemplateOut,
    TemplatePhaseOut,
    WindowOut,
)
from envsched.models import (
    Deployment,
    ExternalLink,
    Release,
    ReleaseStatusChange,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseWindow,
)

JSON = dict[str, Any]


def strategy(row: ReleaseStrategy) -> JSON:
    data = row.model_dump() | {"dates": [dt.date.fromisoformat(d) for d in row.dates]}
    return StrategyOut.model_validate(data).model_dump(mode="json")


def window(session: Session, row: ReleaseWindow) -> JSON:
    data = row.model_dump() | {
        "strategy": row.strategy.name if row.strategy else None,
        "releases": lifecycle.release_keys(session, row),
    }
    return WindowOut.model_validate(data).model_dump(mode="json")


def template(row: ReleaseTemplate) -> JSON:
    phases = [
        TemplatePhaseOut.model_validate(p.model_dump() | {"type": p.type.name}) for p in row.phases
    ]
    return TemplateOut.model_validate(row.model_dump() | {"phases": phases}).model_dump(mode="json")


def status_change(row: ReleaseStatusChange) -> JSON:
    return StatusChangeOut.model_validate(row.model_dump()).model_dump(mode="json")


def deployment(session: Session, row: Deployment) -> JSON:
    data = row.model_dump() | {"release": _key(session, row.release_id)}
    return DeploymentOut.model_validate(data).model_dump(mode="json")


def link(session: Session, row: ExternalLink) -> JSON:
    data = row.model_dump() | {"release": _key(session, row.release_id)}
    return LinkOut.model_validate(data).model_dump(mode="json")


def _key(session: Session, release_id: int) -> str:
    return session.get_one(Release, release_id).key
