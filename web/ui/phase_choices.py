"""The phases the request form offers: those of open releases not booked yet (as the
booking form's, ``rulebook.not_booked_yet``), at most ``LIMIT`` of them,
narrowed by what the user types (a release's key or title, a phase's key or name).

An enterprise has thousands of phases; listing them all made the form half a megabyte.
The form lists the first ``LIMIT`` (by release key, then phase order) and says how many
there are; typing in its search box asks ``/requests/phases`` for the matches (or, without
JavaScript, sends the search and gets the form back narrowed). The phase already chosen
and the phases of the release the form was opened for are always offered. Each phase is
said once, by ``phase_label`` (the booking form's list too).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from flask import jsonify
from sqlmodel import Session, col

from envsched.booking import not_booked_yet
from envsched.counted import counted
from envsched.db import read_transaction
from envsched.models import OPEN_RELEASE_STATUSES, EnvironmentType, Phase, Release
from web.auth import requires
from web.context import sessions
from web.ui.params import text_arg

LIMIT = 150


@dataclass(frozen=True)
class PhaseChoice:
    key: str
    name: str
    type: str
    days: int
    label: str  # as the list says it (``phase_label``)


def phase_label(key: str, name: str, kind: str, days: int) -> str:
    """A phase as a form offers it, each thing said once: ``PAY-2.4-SIT — SIT, 8 days``;
    its name only when it says more than its key and type do: ``R1-UAT — User acceptance
    (UAT, 5 days)``."""
    said = f"{kind}, {counted(days, 'day')}"
    return f"{key} — {name.strip()} ({said})" if _names_more(key, name, kind) else f"{key} — {said}"


def _names_more(key: str, name: str, kind: str) -> bool:
    """Whether a phase's name adds to its key and type (a template's phase is often
    named by its type, and its key ends with it: ``PAY-2.4-SIT``, ``SIT``, ``SIT``)."""
    folded = name.strip().casefold()
    return bool(folded) and folded != kind.casefold() and not key.casefold().endswith(folded)


@dataclass(frozen=True)
class ReleaseChoices:
    key: str
    title: str
    phases: list[PhaseChoice]


@dataclass(frozen=True)
class Choices:
    """The releases and phases offered; ``total``: how many phases match in all."""

    groups: list[ReleaseChoices]
    total: int

    @property
    def shown(self) -> int:
        return sum(len(g.phases) for g in self.groups)


def phase_choices(
    session: Session,
    text: str | None = None,
    *,
    phase: str | None = None,
    release: str | None = None,
) -> Choices:
    """The phases matching ``text`` (all without it), at most ``LIMIT``, with ``phase`` and
    the phases of ``release`` always among them."""
    matching = _OPEN_PHASES.where(_matches(text)) if text else _OPEN_PHASES
    total = session.execute(sa.select(sa.func.count()).select_from(matching.subquery()))
    rows = session.execute(matching.order_by(*_ORDER).limit(LIMIT)).all()
    kept = _kept(session, phase, release)
    return Choices(
        _grouped(sorted({*rows, *kept}, key=lambda r: (r.release, r.position))),
        int(total.scalar_one()),
    )


@requires("requests:create")
def phase_search() -> Any:
    """``{"groups": [...], "shown": n, "total": n}``: the form's phases matching ``?q=``,
    with ``?phase=`` (the one chosen) kept."""
    with read_transaction(sessions()) as session:
        found = phase_choices(session, text_arg("q"), phase=text_arg("phase"))
    return jsonify(
        {
            "groups": [
                {"release": g.key, "title": g.title, "phases": [asdict(p) for p in g.phases]}
                for g in found.groups
            ],
            "shown": found.shown,
            "total": found.total,
        }
    )


def _matches(text: str) -> Any:
    return sa.or_(
        *(
            col(column).icontains(text, autoescape=True)
            for column in (Phase.key, Phase.name, Release.key, Release.title)
        )
    )


def _kept(session: Session, phase: str | None, release: str | None) -> list[Any]:
    if not phase and not release:
        return []
    wanted = sa.or_(col(Phase.key) == (phase or ""), col(Release.key) == (release or ""))
    return list(session.execute(_OPEN_PHASES.where(wanted)).all())


def _grouped(rows: Collection[Any]) -> list[ReleaseChoices]:
    groups: dict[str, ReleaseChoices] = {}
    for row in rows:
        group = groups.setdefault(row.release, ReleaseChoices(row.release, row.title, []))
        label = phase_label(row.key, row.name, row.type, row.days)
        group.phases.append(PhaseChoice(row.key, row.name, row.type, row.days, label))
    return list(groups.values())


_OPEN_PHASES: Any = (
    sa.select(
        col(Release.key).label("release"),
        col(Release.title),
        col(Phase.position),
        col(Phase.key),
        col(Phase.name),
        col(EnvironmentType.name).label("type"),
        col(Phase.duration_days).label("days"),
    )
    .select_from(Phase)
    .join(Release, col(Phase.release_id) == col(Release.id))
    .join(EnvironmentType, col(Phase.type_id) == col(EnvironmentType.id))
    .where(col(Release.status).in_(OPEN_RELEASE_STATUSES), not_booked_yet())
)
_ORDER = (col(Release.key), col(Phase.position))
