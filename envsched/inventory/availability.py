"""Can an environment take a booking on these days? The checks every booking passes.

The obstacles: maintenance windows, freezes covering the environment's type, days
already full of live bookings, and (capacity 1) changeover days next to another
release's booking. The earliest-free-slot search (``free_slots``) looks at the same
ones, through ``full_intervals`` and the window and freeze queries here. These functions
only read, inside the caller's transaction; the booking services take the environment's
lock first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from envsched.counted import counted
from envsched.days import days_text
from envsched.errors import BookingConflict, Clash, InvalidInput
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    EnvironmentStatus,
    Freeze,
    MaintenanceWindow,
    Phase,
)
from envsched.serves import serves, serves_text

Interval = tuple[dt.date, dt.date]


# -- finding and locking environments ----------------------------------------------------


def environment_named(session: Session, name: str, field: str = "environment") -> Environment:
    found = session.exec(_BY_NAME, params={"name": name}).first()
    if found is None:
        raise InvalidInput(field, f"no environment named {name!r}")
    return found


def lock_environment(session: Session, environment_id: int) -> Environment:
    """The environment row, locked until commit on PostgreSQL (SQLite holds its write lock)."""
    return session.exec(_LOCK_BY_ID, params={"id": environment_id}).one()


def lock_environment_named(session: Session, name: str, field: str = "environment") -> Environment:
    """``environment_named`` and ``lock_environment`` in one query (one round trip)."""
    found = session.exec(_LOCK_BY_NAME, params={"name": name}).first()
    if found is None:
        raise InvalidInput(field, f"no environment named {name!r}")
    return found


def check_eligible(
    env: Environment,
    *,
    type_id: int | None,
    tags: Iterable[str],
    names: Sequence[str] | None,
    field: str = "environment",
) -> None:
    """Raise ``InvalidInput`` unless ``env`` has the type, every tag, and is among ``names``;
    the error names the rule (``type``, ``tags``, ``environments``, ``retired``)."""
    if type_id is not None and env.type_id != type_id:
        problem = f"{env.name} is of type {env.type.name}, not the one asked for"
        raise InvalidInput(field, problem, rule="type")
    if missing := sorted(set(tags) - set(env.tags)):
        raise InvalidInput(field, lacks_tags(env.name, missing), rule="tags")
    if names is not None and env.name not in names:
        problem = f"{env.name} is not among the allowed {', '.join(names)}"
        raise InvalidInput(field, problem, rule="environments")
    if env.status == EnvironmentStatus.RETIRED:
        raise InvalidInput(field, f"{env.name} is retired", rule="retired")


def lacks_tags(name: str, missing: Sequence[str]) -> str:
    """``PERF-4 lacks the tag cloud`` (``the tags cloud, mainframe`` for more than one)."""
    return f"{name} lacks the {'tag' if len(missing) == 1 else 'tags'} {', '.join(missing)}"


# -- can this environment take these days? ------------------------------------------------


@dataclass(frozen=True)
class LiveBooking:
    """A live booking as the capacity checks need it (a plain row: no ORM object)."""

    id: int
    start: dt.date
    end: dt.date
    status: BookingStatus
    phase: str | None
    release_id: int | None
    note: str = ""
    asked_why: str | None = None  # its request's justification, if it has a request

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start < end and start < self.end


def check_fits(
    session: Session,
    env: Environment,
    start: dt.date,
    end: dt.date,
    *,
    release_id: int | None = None,
    ignore_booking: int | None = None,
) -> None:
    """Raise ``BookingConflict`` if ``[start, end)`` on ``env`` hits anything.

    The hot path of every booking: two light queries, windows and freezes read in
    full only when one overlaps. The changeover rule looks at the days around
    ``[start, end)``, which include the days themselves, so one query serves both.
    """
    if env.status == EnvironmentStatus.RETIRED:
        # retired is for good: no path may book it (requests already refuse it as ineligible)
        raise BookingConflict(f"{env.name} is retired", [], field="environment", rule="retired")
    if any(_obstacle_flags(session, env, start, end)):
        _check_obstacles(session, env, start, end)
    gap = dt.timedelta(days=env.changeover_days if env.capacity == 1 else 0)
    near = [b for b in live_near(session, env, start - gap, end + gap) if b.id != ignore_booking]
    live = [b for b in near if b.overlaps(start, end)]
    days = _full_days(live, env.capacity, start, end)
    if days:
        raise BookingConflict(
            f"{env.name} is fully booked on {' and '.join(days_text(a, b) for a, b in days)}",
            _clashes(env, _in_full_days(live, days)),
            rule="capacity",
        )
    other = [b for b in near if b.release_id is None or b.release_id != release_id]
    if gap and other:
        raise BookingConflict(
            f"{env.name} needs {counted(env.changeover_days, 'changeover day')} between releases",
            _clashes(env, other),
            rule="changeover",
        )


def _check_obstacles(session: Session, env: Environment, start: dt.date, end: dt.date) -> None:
    for window in maintenance_windows(session, [env], start, end):
        raise BookingConflict(
            f"{env.name} is in maintenance on "
            f"{days_text(window.start, window.end)} "
            f"({window.reason or 'no reason given'})",
            rule="maintenance",
        )
    for freeze in freezes_over(session, env.type.name, start, end):
        raise BookingConflict(
            f"a freeze covers {env.type.name} on "
            f"{days_text(freeze.start, freeze.end)} "
            f"({freeze.reason or freeze.name})",
            rule="freeze",
        )


def _full_days(
    bookings: Sequence[LiveBooking], capacity: int, start: dt.date, end: dt.date
) -> list[Interval]:
    """The days of ``[start, end)`` on which ``capacity`` is reached, as intervals."""
    full = [(max(a, start), min(b, end)) for a, b in full_intervals(bookings, capacity)]
    return [(a, b) for a, b in full if a < b]


def _in_full_days(bookings: Sequence[LiveBooking], full: Sequence[Interval]) -> list[LiveBooking]:
    """The bookings holding some of the ``full`` days."""
    return [bk for bk in bookings if any(bk.overlaps(a, b) for a, b in full)]


def _clashes(env: Environment, bookings: Iterable[LiveBooking]) -> list[Clash]:
    return [
        Clash(
            b.id,
            env.name,
            b.start,
            b.end,
            b.status.value,
            b.phase,
            serves_text(b.phase, b.note, b.asked_why),
        )
        for b in bookings
    ]


def clashes(env: Environment, bookings: Iterable[Booking]) -> list[Clash]:
    return [
        Clash(
            b.id or 0,
            env.name,
            b.start,
            b.end,
            b.status.value,
            b.phase.key if b.phase else None,
            serves(b),
        )
        for b in bookings
    ]


# -- days with no room left --------------------------------------------------------------


class Days(Protocol):
    """Anything holding days ``[start, end)``: a ``Booking`` or a ``LiveBooking``."""

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...


def full_intervals(
    bookings: Sequence[Days], capacity: int, changeover_days: int = 0
) -> list[Interval]:
    """Day ranges on which ``bookings`` leave no room (widened by changeover for capacity 1)."""
    if capacity == 1:
        pad = dt.timedelta(days=changeover_days)
        return [(b.start - pad, b.end + pad) for b in bookings]
    events = sorted([(b.start, 1) for b in bookings] + [(b.end, -1) for b in bookings])
    result, running, opened = [], 0, None
    for day, step in events:
        running += step
        if running >= capacity and opened is None:
            opened = day
        elif running < capacity and opened is not None:
            result.append((opened, day))
            opened = None
    return result


# -- the obstacles, as queries ------------------------------------------------------------


def maintenance_windows(
    session: Session, envs: Sequence[Environment], start: dt.date, end: dt.date
) -> Sequence[MaintenanceWindow]:
    """Maintenance windows of ``envs`` overlapping ``[start, end)``."""
    ids = [env.id for env in envs]
    return session.exec(
        select(MaintenanceWindow).where(
            col(MaintenanceWindow.environment_id).in_(ids),
            MaintenanceWindow.start < end,
            MaintenanceWindow.end > start,
        )
    ).all()


def freezes_over(
    session: Session, type_name: str | None, start: dt.date, end: dt.date
) -> list[Freeze]:
    """Freezes overlapping ``[start, end)`` that cover ``type_name`` (``None``: any type)."""
    found = session.exec(select(Freeze).where(Freeze.start < end, Freeze.end > start)).all()
    return [f for f in found if type_name is None or f.covers(type_name)]


# Statements of the booking hot path, built once with values bound per call (building
# and keying a statement costs as much as running it); Core rows where no ORM object
# is needed, as a row costs a fraction of an object to load. They run through the
# session, not its connection, so pending changes (a booking moved earlier in the same
# transaction) are flushed first and the checks see them.
_LOCK_BY_ID: Any = (
    select(Environment)
    .where(col(Environment.id) == sa.bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_BY_NAME: Any = select(Environment).where(col(Environment.name) == sa.bindparam("name"))
_LOCK_BY_NAME: Any = (
    select(Environment)
    .where(col(Environment.name) == sa.bindparam("name"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_OBSTACLES: Any = sa.select(
    sa.exists().where(
        col(MaintenanceWindow.environment_id) == sa.bindparam("env"),
        col(MaintenanceWindow.start) < sa.bindparam("end"),
        col(MaintenanceWindow.end) > sa.bindparam("start"),
    ),
    sa.exists().where(
        col(Freeze.start) < sa.bindparam("end"), col(Freeze.end) > sa.bindparam("start")
    ),
)
_LIVE_NEAR: Any = (
    sa.select(
        col(Booking.id),
        col(Booking.start),
        col(Booking.end),
        col(Booking.status),
        col(Phase.key).label("phase"),
        col(Phase.release_id),
        col(Booking.note),
        col(BookingRequest.justification),
    )
    .outerjoin(Phase, col(Booking.phase_id) == col(Phase.id))
    .outerjoin(BookingRequest, col(Booking.request_id) == col(BookingRequest.id))
    .where(
        col(Booking.environment_id) == sa.bindparam("env"),
        col(Booking.status).in_(LIVE_STATUSES),
        col(Booking.start) < sa.bindparam("end"),
        col(Booking.end) > sa.bindparam("start"),
    )
    .order_by(col(Booking.start))
)


def _obstacle_flags(
    session: Session, env: Environment, start: dt.date, end: dt.date
) -> tuple[bool, bool]:
    """(a maintenance window of ``env``, a freeze of any type) overlaps ``[start, end)``."""
    row = session.exec(_OBSTACLES, params=_days_of(env, start, end)).one()
    return bool(row[0]), bool(row[1])


def live_near(
    session: Session, env: Environment, start: dt.date, end: dt.date
) -> list[LiveBooking]:
    """Live bookings of ``env`` overlapping ``[start, end)``, earliest first."""
    rows = session.exec(_LIVE_NEAR, params=_days_of(env, start, end))
    return [LiveBooking(*row) for row in rows]


def _days_of(env: Environment, start: dt.date, end: dt.date) -> dict[str, Any]:
    return {"env": env.id, "start": start, "end": end}
