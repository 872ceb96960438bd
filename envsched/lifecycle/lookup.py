"""A release or a phase by its key, else ``NotFound`` (404 on the API and the feeds).

The one home of that lookup: lifecycle's verbs, the gates, the API and the calendar
feeds all call it. It imports nothing of lifecycle, so the lowest module may use it.
"""

from __future__ import annotations

from sqlmodel import Session, select

from envsched.errors import NotFound
from envsched.models import Phase, Release


def get_release(session: Session, key: str) -> Release:
    release = session.exec(select(Release).where(Release.key == key)).first()
    if release is None:
        raise NotFound("release", key)
    return release


def get_phase(session: Session, key: str) -> Phase:
    phase = session.exec(select(Phase).where(Phase.key == key)).first()
    if phase is None:
        raise NotFound("phase", key)
    return phase
