"""Environments: the list with filters, and one environment's page (which holds the
maintenance-window form of ``web.ui.maintenance``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, render_template
from sqlmodel import Session, col, func, select

from envsched.booking import StateClash, find_clashes
from envsched.db import read_transaction
from envsched.models import LIVE_STATUSES, Booking, Environment, EnvironmentStatus
from web import charts
from web.auth import requires
from web.context import sessions, today
from web.queries import blocked_rows, booking_rows, environments, type_names
from web.ui.bookings import clash_bookings, grouped_clashes
from web.ui.forms import Form
from web.ui.health import blank_health_form, health_view
from web.ui.params import text_arg

DETAIL_WEEKS_AHEAD = 13
WINDOW_LABELS = {
    "start": "First day",
    "last_day": "Last day",
    "reason": "Reason",
    "force": "Bookings in the way",
}


@requires("environments:read")
def environment_list() -> Any:
    filters = {
        "type": text_arg("type"),
        "status": text_arg("status"),
        "tag": text_arg("tag"),
        "q": text_arg("q"),
    }
    status = filters["status"] if filters["status"] in set(EnvironmentStatus) else None
    day = today()
    with read_transaction(sessions()) as session:
        found = environments(
            session, type_name=filters["type"], status=status, tag=filters["tag"], text=filters["q"]
        )
        held = _held_today(session, [env.id or 0 for env in found], day)
        rows = [_summary(env, *held.get(env.id or 0, (0, None))) for env in found]
        types = type_names(session)
    return render_template(
        "environments.html",
        rows=rows,
        filters=filters,
        types=types,
        statuses=[s.value for s in EnvironmentStatus],
    )


def _summary(env: Environment, in_use: int, upcoming: dt.date | None) -> dict[str, Any]:
    return {
        "name": env.name,
        "type": env.type.name,
        "capacity": env.capacity,
        "status": env.status.value,
        "tags": env.tags,
        "owner": env.owner,
        "in_use": in_use,
        "next": upcoming,
    }


def _held_today(
    session: Session, ids: list[int], day: dt.date
) -> dict[int, tuple[int, dt.date | None]]:
    """Per environment: its live bookings holding ``day``, and the first day of its next
    one (two grouped queries for the whole list, not one per environment)."""
    live = (col(Booking.status).in_(LIVE_STATUSES), col(Booking.environment_id).in_(ids))
    by_env = col(Booking.environment_id)
    holding = dict(
        session.exec(
            select(by_env, func.count())
            .where(*live, Booking.start <= day, Booking.end > day)
            .group_by(by_env)
        ).all()
    )
    upcoming = dict(
        session.exec(
            select(by_env, func.min(Booking.start))
            .where(*live, Booking.start > day)
            .group_by(by_env)
        ).all()
    )
    return {i: (holding.get(i, 0), upcoming.get(i)) for i in ids}


@requires("environments:read")
def environment_detail(name: str) -> Any:
    return environment_page(name)


def environment_page(
    name: str,
    window_form: Form | None = None,
    status: int = 200,
    health_form: Form | None = None,
) -> Any:
    """The environment's page; ``window_form`` (``health_form``) is a maintenance-window
    (health URL) form sent back with its problems (the blank form otherwise)."""
    day = today()
    start, end = day - dt.timedelta(days=7), day + dt.timedelta(weeks=DETAIL_WEEKS_AHEAD)
    with read_transaction(sessions()) as session:
        env = session.exec(select(Environment).where(Environment.name == name)).first()
        if env is None:
            abort(404, f"No environment named {name!r}.")
        held = _held_today(session, [env.id or 0], day)[env.id or 0]
        facts = _summary(env, *held) | {
            "description": env.description,
            "changeover_days": env.changeover_days,
        }
        components = [(c.name, c.version) for c in env.components]
        windows = [
            MaintenanceRow(w.id or 0, w.start, w.end, w.reason) for w in env.maintenance_windows
        ]
        bookings = booking_rows(session, environment=name, start=start, end=end)
        blocked = blocked_rows(session, [env], start=start, end=end)
        checks = health_view(session, env.id or 0)
    clashes = [c for c in find_clashes(sessions()) if c.environment == name]
    clash_ids = {i for c in clashes for i in c.booking_ids}
    named = clash_bookings(clashes)
    figure = charts.timeline_figure(
        bookings,
        clash_ids,
        environments=[name],
        start=start,
        end=end,
        capacities={name: env.capacity},
        blocked=blocked,
        today=day,
    )
    return render_template(
        "environment.html",
        env=facts,
        components=components,
        windows=windows,
        bookings=bookings,
        clash_ids=clash_ids,
        figure=charts.figure_json(figure),
        start=start,
        end=end,
        clashes=clashes,
        clash_groups=grouped_clashes(clashes),
        named=named,
        window_form=window_form or Form(WINDOW_LABELS, prefix="window-"),
        health=checks,
        health_form=health_form or blank_health_form(checks.now),
    ), status


@dataclass(frozen=True)
class MaintenanceRow:
    id: int
    start: dt.date
    end: dt.date
    reason: str

    def clashes(self, found: list[StateClash]) -> list[StateClash]:
        """The bookings running into this window, from the stored state's clashes."""
        return [
            c
            for c in found
            if c.kind == "maintenance" and c.start < self.end and self.start < c.end
        ]
