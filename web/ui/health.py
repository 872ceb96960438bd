"""An environment's health as its page shows it: where it stands and its recent changes
(``health_forms`` takes the form that sets the URL the worker probes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from envsched import health
from envsched.health import HealthChangeOut, HealthOut, WorkerSettings
from envsched.models import HealthState
from web.ui.forms import Form

HEALTH_LABELS = {"url": "Health check URL"}
BADGES = {HealthState.UP: "Up", HealthState.DOWN: "Down", HealthState.UNKNOWN: "Not checked yet"}


@dataclass(frozen=True)
class ChangeRow:
    """One change of state as the page lists it: when, up or down, what the probe found,
    and how long it lasted (``None``: it still does)."""

    at: dt.datetime
    state: HealthState
    detail: str
    lasted: str | None


@dataclass(frozen=True)
class HealthView:
    """Everything the page's health section shows; ``worker``: the interval and the
    minutes down the worker recorded with its probes (None before its first)."""

    now: HealthOut | None
    changes: list[ChangeRow]
    worker: WorkerSettings | None

    @staticmethod
    def badge(state: HealthState) -> str:
        """The word on a state's badge: ``Up``, ``Down``, ``Not checked yet``."""
        return BADGES[state]

    @property
    def words(self) -> str:
        current = self.now
        return (
            ""
            if current is None
            else health.state_text(current.state, current.since, current.detail)
        )


def health_view(session: Session, environment_id: int) -> HealthView:
    current = health.health_of(session, environment_id)
    changes = health.history_of(session, environment_id) if current else []
    worker = health.worker_settings(session, environment_id)
    return HealthView(current, change_rows(changes), worker)


def change_rows(changes: list[HealthChangeOut]) -> list[ChangeRow]:
    """``changes`` newest first, each with how long it lasted until the next."""
    ends: list[dt.datetime | None] = [None, *(c.at for c in changes)][: len(changes)]
    return [
        ChangeRow(c.at, c.state, c.detail, health.span_text(end - c.at) if end else None)
        for c, end in zip(changes, ends, strict=True)
    ]


def blank_health_form(current: HealthOut | None) -> Form:
    return Form(HEALTH_LABELS, {"url": current.url if current else ""}, prefix="health-")
