"""The release calendar: twelve months of windows, releases, their phases' bookings,
deployments, freezes and maintenance, as plain ``CalendarItem`` rows.

One list feeds both the Plotly view (``web.release_charts``) and the iCal feed, so the
two always show the same things. Every item is days ``[start, end)``; a go-live or a
deployment is the one day it happens on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, select

from envsched.days import day_text
from envsched.db import SessionFactory, read_transaction, related
from envsched.lifecycle.kpis import add_months
from envsched.models import (
    Booking,
    BookingStatus,
    Deployment,
    Environment,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
    ReleaseWindow,
)
from envsched.state_cache import remember

DAY = dt.timedelta(days=1)
MONTHS = 12
WINDOWS_LANE, FREEZES_LANE, MAINTENANCE_LANE = "Release windows", "Freezes", "Maintenance"
# Kinds, in the order the view stacks their lanes and draws their traces.
KINDS = ("window", "go_live", "release", "phase", "deployment", "freeze", "maintenance")
SHOWN_BOOKINGS = (
    BookingStatus.TENTATIVE,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_USE,
    BookingStatus.RELEASED,
)


@dataclass(frozen=True)
class CalendarItem:
    """One thing on the calendar: ``kind`` (one of ``KINDS``) on ``lane``, days
    ``[start, end)``; ``uid`` is stable, for the iCal feed."""

    kind: str
    lane: str
    start: dt.date
    end: dt.date
    label: str
    detail: str = ""
    uid: str = ""
    environment: str = ""  # a phase's booking's, a maintenance window's
    cutoff: dt.date | None = None  # a window's code cut-off (the month grid marks it)


def calendar_months(first: dt.date, months: int = MONTHS) -> tuple[dt.date, dt.date]:
    """``[start, end)`` of ``months`` whole months from the month holding ``first``."""
    start = first.replace(day=1)
    return start, add_months(start, months)


def release_calendar(sessions: SessionFactory, start: dt.date, end: dt.date) -> list[CalendarItem]:
    """``calendar_items``, kept until the stored state changes (``state_cache``)."""
    with read_transaction(sessions) as session:
        return list(
            remember(
                session, "calendar", lambda s: tuple(calendar_items(s, start, end)), start, end
            )
        )


def calendar_items(session: Session, start: dt.date, end: dt.date) -> list[CalendarItem]:
    """Everything overlapping ``[start, end)``, windows first, then by lane and day."""
    items = [*_windows(session), *_releases(session), *_freezes(session), *_maintenance(session)]
    inside = [i for i in items if i.start < end and start < i.end]
    return sorted(inside, key=lambda i: (KINDS.index(i.kind), i.start, i.lane))


def grid_items(sessions: SessionFactory, start: dt.date, end: dt.date) -> list[CalendarItem]:
    """What the month grid draws of ``[start, end)``: the windows, go-lives and freezes
    overlapping it, each read in SQL for those days only (however many releases there
    are, the grid never reads their bookings)."""
    with read_transaction(sessions) as session:
        items = [
            *_windows(session, ReleaseWindow.start < end, ReleaseWindow.go_live >= start),
            *_freezes(session, Freeze.start < end, Freeze.end > start),
        ]
    inside = [i for i in items if i.start < end and start < i.end]
    return sorted(inside, key=lambda i: (KINDS.index(i.kind), i.start, i.lane))


def _windows(session: Session, *where: Any) -> Iterable[CalendarItem]:
    for w in session.exec(select(ReleaseWindow).where(*where)).all():
        yield CalendarItem(
            "window",
            WINDOWS_LANE,
            w.start,
            w.go_live + DAY,
            w.name,
            f"open {day_text(w.start)}, code cut-off {day_text(w.cutoff)}, "
            f"go-live {day_text(w.go_live)}",
            f"window-{w.id}",
            cutoff=w.cutoff,
        )
        yield CalendarItem(
            "go_live",
            WINDOWS_LANE,
            w.go_live,
            w.go_live + DAY,
            f"{w.name} go-live",
            "",
            f"go-live-{w.id}",
        )


def _releases(session: Session) -> Iterable[CalendarItem]:
    """Each release with its bookings and deployments, each table read once."""
    bookings = session.exec(
        select(Booking)
        .join(Phase)
        .where(col(Booking.status).in_(SHOWN_BOOKINGS))
        .options(joinedload(related(Booking.phase)), joinedload(related(Booking.environment)))
    ).all()
    own: dict[int, list[Booking]] = defaultdict(list)
    for b in bookings:
        assert b.phase is not None
        own[b.phase.release_id].append(b)
    deployed: dict[int, list[Deployment]] = defaultdict(list)
    for d in session.exec(select(Deployment)).all():
        deployed[d.release_id].append(d)
    for release in session.exec(select(Release).order_by(col(Release.key))).all():
        yield from _release_items(release, own[release.id or 0], deployed[release.id or 0])


def _release_items(
    release: Release, bookings: list[Booking], deployments: list[Deployment]
) -> Iterable[CalendarItem]:
    lane = release.key
    days = [b.start for b in bookings] + [b.end for b in bookings]
    days += [d.deployed_on for d in deployments] + [d.deployed_on + DAY for d in deployments]
    days += [day for day in (release.earliest_start, release.due) if day]
    if len(days) >= 2 and min(days) < max(days):
        yield CalendarItem(
            "release",
            lane,
            min(days),
            max(days),
            f"{release.key} {release.title}".strip(),
            f"{release.type.value}, {release.status.value.replace('_', ' ')}, "
            f"due {day_text(release.due) if release.due else 'no date'}",
            f"release-{release.id}",
        )
    for b in bookings:
        assert b.phase is not None
        yield CalendarItem(
            "phase",
            lane,
            b.start,
            b.end,
            b.phase.key,
            f"{b.environment.name}, {b.status.value.replace('_', ' ')}",
            f"booking-{b.id}",
            environment=b.environment.name,
        )
    for d in deployments:
        outcome = "backed out" if d.backed_out else "deployed"
        yield CalendarItem(
            "deployment",
            lane,
            d.deployed_on,
            d.deployed_on + DAY,
            f"{release.key} {outcome}",
            d.backout_plan and f"back-out plan: {d.backout_plan}",
            f"deployment-{d.id}",
        )


def _freezes(session: Session, *where: Any) -> Iterable[CalendarItem]:
    for f in session.exec(select(Freeze).where(*where)).all():
        covers = ", ".join(f.types) or "all types"
        yield CalendarItem(
            "freeze",
            FREEZES_LANE,
            f.start,
            f.end,
            f.name or "freeze",
            f"{covers}{': ' + f.reason if f.reason else ''}",
            f"freeze-{f.id}",
        )


def _maintenance(session: Session) -> Iterable[CalendarItem]:
    windows = session.execute(
        sa.select(
            col(MaintenanceWindow.id),
            col(MaintenanceWindow.start),
            col(MaintenanceWindow.end),
            col(MaintenanceWindow.reason),
            col(Environment.name),
        )
        .join(Environment, col(MaintenanceWindow.environment_id) == col(Environment.id))
        .order_by(col(MaintenanceWindow.id))
    ).all()
    for id_, start, end, reason, name in windows:
        yield CalendarItem(
            "maintenance",
            MAINTENANCE_LANE,
            start,
            end,
            name,
            reason,
            f"maintenance-{id_}",
            environment=name,
        )
