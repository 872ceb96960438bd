"""The release strategy and its windows: the published twelve-month plan, kept by release
managers.

Publishing (re)generates a strategy's windows from today for twelve months: windows
whose go-live the cadence still gives keep their row (and their releases); future ones
it no longer gives go, unless releases sit in them — those stay, for a person to move.
Moving a window shifts its releases' dates, their phases' earliest starts and their
open booking requests by the same days, then asks the re-planner for booking changes:
they are proposed (a ``PlanRun``) for an environment manager to accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched import audit
from envsched.days import day_text
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, InvalidState, NotFound
from envsched.lifecycle.cadence import Cadence, generate_windows
from envsched.lifecycle.lookup import get_release
from envsched.lifecycle.shapes import StrategyIn, WindowIn
from envsched.models import (
    OPEN_REQUEST_STATUSES,
    BookingRequest,
    Phase,
    PlanRun,
    PlanTrigger,
    Release,
    ReleaseStrategy,
    ReleaseWindow,
    User,
)
from envsched.permissions import require
from envsched.settings import Settings

PLAN_MONTHS = 12


@dataclass(frozen=True)
class MovedWindow:
    """A moved window, the releases that moved with it, and the round that proposes the
    booking changes (None when no round ran: not asked for, or another was running)."""

    window: ReleaseWindow
    releases: list[str]
    run: PlanRun | None


def create_strategy(
    sessions: SessionFactory, data: StrategyIn, *, actor: User | None, now: dt.datetime
) -> ReleaseStrategy:
    require(actor, "windows:write")
    with sessions.begin() as session:
        if session.exec(select(ReleaseStrategy).where(ReleaseStrategy.name == data.name)).first():
            raise InvalidInput("name", f"strategy {data.name!r} already exists")
        strategy = ReleaseStrategy(
            **data.model_dump(exclude={"dates"}),
            created_at=now,
            dates=sorted({day.isoformat() for day in data.dates}),
        )
        session.add(strategy)
        audit.record(session, actor=actor, now=now, action="create", row=strategy)
    return strategy


def publish_plan(
    sessions: SessionFactory,
    name: str,
    *,
    actor: User | None,
    now: dt.datetime,
    months: int = PLAN_MONTHS,
) -> list[ReleaseWindow]:
    """(Re)generate strategy ``name``'s windows for ``months`` from today; its windows."""
    require(actor, "windows:write")
    with sessions.begin() as session:
        strategy = get_strategy(session, name)
        today = now.date()
        wanted = {
            w.go_live: w
            for w in generate_windows(
                cadence_of(strategy), strategy.anchor, months, after=max(today, strategy.anchor)
            )
        }
        kept = _drop_unwanted(session, strategy, wanted.keys(), today, actor=actor, now=now)
        for go_live, dates in wanted.items():
            window = kept.get(go_live) or ReleaseWindow(strategy_id=strategy.id, **vars(dates))
            window.name, window.start, window.cutoff = dates.name, dates.start, dates.cutoff
            session.add(window)
        strategy.published_at = now
        audit.record(session, actor=actor, now=now, action="publish", row=strategy)
        return _windows_of(session, strategy)


def add_window(
    sessions: SessionFactory, data: WindowIn, *, actor: User | None, now: dt.datetime
) -> ReleaseWindow:
    """A window outside any cadence (a one-off go-live)."""
    require(actor, "windows:write")
    _check_dates(data.start, data.cutoff, data.go_live)
    with sessions.begin() as session:
        window = ReleaseWindow(**data.model_dump())
        session.add(window)
        audit.record(session, actor=actor, now=now, action="create", row=window)
    return window


def assign_release(
    sessions: SessionFactory,
    key: str,
    window_id: int | None,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Release:
    """Put release ``key`` in a window (None: out of it). Its tests must end by the
    window's cut-off, so that becomes its due date."""
    require(actor, "windows:write")
    with sessions.begin() as session:
        release = get_release(session, key)
        before = audit.snapshot(release)
        release.window_id = None
        if window_id is not None:
            window = get_window(session, window_id)
            if release.earliest_start and release.earliest_start >= window.cutoff:
                raise InvalidInput(
                    "window_id",
                    f"{key} starts {release.earliest_start}, "
                    f"not before the cut-off {window.cutoff}",
                )
            release.window_id, release.due = window.id, window.cutoff
        audit.record(
            session, actor=actor, now=now, action="assign_window", row=release, before=before
        )
    return release


def move_window(
    sessions: SessionFactory,
    window_id: int,
    go_live: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
    replan_now: bool = True,
    settings: Settings | None = None,
    time_limit: float | None = None,
) -> MovedWindow:
    """Move a window to go live on ``go_live``; its releases' dates move alike. A window
    that has gone live is history and stays where it is (see ``movable``), and none moves
    into the past."""
    require(actor, "windows:write")
    with sessions.begin() as session:
        window = get_window(session, window_id)
        _check_movable(window, go_live, now.date())
        _check_free(session, window, go_live)
        shift = go_live - window.go_live
        before = audit.snapshot(window)
        window.start, window.cutoff, window.go_live = (
            window.start + shift,
            window.cutoff + shift,
            go_live,
        )
        audit.record(session, actor=actor, now=now, action="move", row=window, before=before)
        moved = [
            _shift_release(session, release, shift, actor=actor, now=now)
            for release in _releases_in(session, window)
        ]
    run = (
        _propose(sessions, now, settings, time_limit, actor, f"window {window.name} moved")
        if replan_now and moved
        else None
    )
    return MovedWindow(window, moved, run)


# -- reading ------------------------------------------------------------------------------


def get_strategy(session: Session, name: str) -> ReleaseStrategy:
    strategy = session.exec(select(ReleaseStrategy).where(ReleaseStrategy.name == name)).first()
    if strategy is None:
        raise NotFound("release strategy", name)
    return strategy


def get_window(session: Session, window_id: int) -> ReleaseWindow:
    window = session.get(ReleaseWindow, window_id)
    if window is None:
        raise NotFound("release window", window_id, field="window_id")
    return window


def windows_between(session: Session, first: dt.date, last: dt.date) -> list[ReleaseWindow]:
    """Windows going live in ``[first, last)``, by go-live."""
    return list(
        session.exec(
            select(ReleaseWindow)
            .where(ReleaseWindow.go_live >= first, ReleaseWindow.go_live < last)
            .order_by(col(ReleaseWindow.go_live), col(ReleaseWindow.id))
        ).all()
    )


def release_keys(session: Session, window: ReleaseWindow) -> list[str]:
    return [release.key for release in _releases_in(session, window)]


def cadence_of(strategy: ReleaseStrategy) -> Cadence:
    return Cadence(
        strategy.cadence,
        tuple(dt.date.fromisoformat(d) for d in strategy.dates),
        strategy.window_days,
        strategy.freeze_days,
    )


# -- helpers ------------------------------------------------------------------------------


def _windows_of(session: Session, strategy: ReleaseStrategy) -> list[ReleaseWindow]:
    return list(
        session.exec(
            select(ReleaseWindow)
            .where(ReleaseWindow.strategy_id == strategy.id)
            .order_by(col(ReleaseWindow.go_live))
        ).all()
    )


def _drop_unwanted(
    session: Session,
    strategy: ReleaseStrategy,
    wanted: Collection[dt.date],
    today: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
) -> dict[dt.date, ReleaseWindow]:
    """Delete future windows the cadence no longer gives and nobody uses; the rest by day."""
    kept: dict[dt.date, ReleaseWindow] = {}
    for window in _windows_of(session, strategy):
        if window.go_live in wanted or window.go_live < today or _releases_in(session, window):
            kept[window.go_live] = window
            continue
        before = audit.snapshot(window)
        session.delete(window)
        audit.record(session, actor=actor, now=now, action="delete", row=window, before=before)
    return kept


def _releases_in(session: Session, window: ReleaseWindow) -> list[Release]:
    return list(
        session.exec(
            select(Release).where(Release.window_id == window.id).order_by(col(Release.key))
        ).all()
    )


def _shift_release(
    session: Session, release: Release, shift: dt.timedelta, *, actor: User | None, now: dt.datetime
) -> str:
    before = audit.snapshot(release)
    release.earliest_start = _later(release.earliest_start, shift)
    release.due = _later(release.due, shift)
    audit.record(session, actor=actor, now=now, action="move_window", row=release, before=before)
    for phase in release.phases:
        phase.earliest_start = _later(phase.earliest_start, shift)
        _shift_requests(session, phase, shift)
    return release.key


def _shift_requests(session: Session, phase: Phase, shift: dt.timedelta) -> None:
    requests = session.exec(
        select(BookingRequest).where(
            BookingRequest.phase_id == phase.id,
            col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES),
        )
    ).all()
    for request in requests:
        request.earliest_start = request.earliest_start + shift
        request.latest_end = _later(request.latest_end, shift)


def _later(day: dt.date | None, shift: dt.timedelta) -> dt.date | None:
    return None if day is None else day + shift


def _propose(
    sessions: SessionFactory,
    now: dt.datetime,
    settings: Settings | None,
    time_limit: float | None,
    actor: User | None,
    cause: str,
) -> PlanRun | None:
    """One planning round over the moved dates, queued for the worker (``envsched.solves``);
    its booking changes wait for acceptance (unless the site applies rounds automatically).
    A round already under way will see the moved dates next time: no second one is forced."""
    from envsched.planning import ReplanBusy  # planning and solves use lifecycle:
    from envsched.solves import queue_replan  # reached at call time

    try:
        return queue_replan(
            sessions,
            trigger=PlanTrigger.API,
            now=now,
            actor=actor,
            time_limit=time_limit,
            cause=cause,
        )
    except ReplanBusy:
        return None


def movable(window: ReleaseWindow, today: dt.date) -> bool:
    """Whether a window may still move: not once it has gone live."""
    return window.go_live >= today


def _check_movable(window: ReleaseWindow, go_live: dt.date, today: dt.date) -> None:
    if not movable(window, today):
        raise InvalidState(
            f"window {window.name} went live on {day_text(window.go_live)}; "
            f"a window in the past does not move"
        )
    if go_live < today:
        raise InvalidInput(
            "go_live", f"{day_text(go_live)} is in the past: a window moves to today or later"
        )


def _check_free(session: Session, window: ReleaseWindow, go_live: dt.date) -> None:
    """A strategy has one window per go-live day."""
    if window.strategy_id is None or go_live == window.go_live:
        return
    taken = session.exec(
        select(ReleaseWindow).where(
            ReleaseWindow.strategy_id == window.strategy_id, ReleaseWindow.go_live == go_live
        )
    ).first()
    if taken is not None:
        raise InvalidInput(
            "go_live", f"window {taken.name} of the same strategy goes live on {go_live} already"
        )


def _check_dates(start: dt.date, cutoff: dt.date, go_live: dt.date) -> None:
    if not start <= cutoff <= go_live or not start < go_live:
        raise InvalidInput(
            "cutoff",
            f"a window needs start ≤ cut-off ≤ go-live and start "
            f"before go-live: {start}, {cutoff}, {go_live}",
        )
