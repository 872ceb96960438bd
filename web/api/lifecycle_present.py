"""Release-lifecycle rows as the API shows them: names and keys instead of ids.

Each function reads relationships or looks rows up, so it runs inside a read session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from envsched import lifecycle
from envsched.models import (
    Deployment,
    ExternalLink,
    Release,
    ReleaseStatusChange,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseWindow,
)
from envsched.models.lifecycle_io import (
    DeploymentPublic,
    LinkPublic,
    StatusChangePublic,
    StrategyPublic,
    TemplatePhasePublic,
    TemplatePublic,
    WindowPublic,
)

JSON = dict[str, Any]


class MovedWindowPublic(BaseModel):
    """A moved window, the releases moved with it, and the planning round proposing the
    booking changes (None: no round ran)."""

    window: WindowPublic
    releases: list[str]
    plan_run: int | None


def strategy(row: ReleaseStrategy) -> JSON:
    data = row.model_dump() | {"dates": [dt.date.fromisoformat(d) for d in row.dates]}
    return StrategyPublic.model_validate(data).model_dump(mode="json")


def window(session: Session, row: ReleaseWindow) -> JSON:
    data = row.model_dump() | {"strategy": row.strategy.name if row.strategy else None,
                               "releases": lifecycle.release_keys(session, row)}
    return WindowPublic.model_validate(data).model_dump(mode="json")


def template(row: ReleaseTemplate) -> JSON:
    phases = [TemplatePhasePublic.model_validate(p.model_dump() | {"type": p.type.name})
              for p in row.phases]
    return TemplatePublic.model_validate(row.model_dump() | {"phases": phases}
                                         ).model_dump(mode="json")


def status_change(row: ReleaseStatusChange) -> JSON:
    return StatusChangePublic.model_validate(row.model_dump()).model_dump(mode="json")


def deployment(session: Session, row: Deployment) -> JSON:
    data = row.model_dump() | {"release": _key(session, row.release_id)}
    return DeploymentPublic.model_validate(data).model_dump(mode="json")


def link(session: Session, row: ExternalLink) -> JSON:
    data = row.model_dump() | {"release": _key(session, row.release_id)}
    return LinkPublic.model_validate(data).model_dump(mode="json")


def _key(session: Session, release_id: int) -> str:
    return session.get_one(Release, release_id).key
