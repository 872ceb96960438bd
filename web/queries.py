"""Read-only queries behind the pages and charts, returning plain rows (no ORM objects
escape).

Each function takes an open session (``read_transaction``), so a page reads a
consistent picture, and returns frozen dataclasses the templates and charts can use
after the session is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from envsched.booking import owned_by
from envsched.days import day_text, days_text, last_day
from envsched.inventory import natural_key
from envsched.models import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
    RequestStatus,
    User,
)
from envsched.serves import NO_PHASE, serves_text


@dataclass(frozen=True)
class BookingRow:
    id: int
    environment: str
    type: str
    start: dt.date
    end: dt.date
    status: str
    phase: str | None
    release: str | None
    requester: str | None
    note: str
    request_id: int | None = None
    forced_reason: str = ""  # why it was placed although it breaks a rule ("" if not)
    asked_why: str = ""  # its request's justification ("" if none)
    created_by_id: int | None = None  # who booked it (a direct booking's owner)
    booker: str | None = None  # their name as people read it (full name, else user name)

    @property
    def last_day(self) -> dt.date:
        return last_day(self.end)

    @property
    def days(self) -> str:
        """Its first and last day, as people read them: ``3–7 Mar 2027``."""
        return days_text(self.start, self.end)

    @property
    def serves(self) -> str:
        """What it is for: its phase, else the first line of its note, else of why its
        request asked for it (``envsched.serves``, as every page names a booking), else
        whose booking of which type it is (its requester's, else whoever booked it)."""
        who = self.requester or self.booker
        whose = f"{who}'s {self.type} booking" if who else NO_PHASE
        return serves_text(self.phase, self.note, self.asked_why, otherwise=whose)

    @property
    def words(self) -> str:
        """The booking in words, as a clash or a link names it: ``R1-UAT on UAT-2, 3–7 Mar
        2027`` (never "booking 42")."""
        return f"{self.serves} on {self.environment}, {self.days}"


@dataclass(frozen=True)
class BlockedRow:
    """Days ``[start, end)`` an environment takes no booking: a maintenance window of it
    (``label``: the reason) or a freeze covering its type (``label``: the freeze's name)."""

    kind: str  # "maintenance" or "freeze"
    environment: str
    start: dt.date
    end: dt.date
    label: str
    reason: str

    @property
    def last_day(self) -> dt.date:
        return last_day(self.end)


@dataclass(frozen=True)
class RequestRow:
    id: int
    requester: str
    status: str
    type: str | None
    phase: str | None
    release: str | None
    duration_days: int
    earliest_start: dt.date
    latest_end: dt.date | None
    fixed: bool
    priority: int
    tags: tuple[str, ...]
    environments: tuple[str, ...] | None
    justification: str
    decision_reason: str
    created_at: dt.datetime
    decided_by: str = ""  # who decided it, by the name people know them by ("" if nobody)
    decided_at: dt.datetime | None = None

    @property
    def state(self) -> str:
        """Its status as people say it: one not decided yet is "pending", not "requested"
        (a heading reads "Request for R1-UAT — pending")."""
        return "pending" if self.status == "requested" else self.status

    @property
    def asks(self) -> str:
        """What it asks for, in words: its phase, else days of a type (``10 days of PERF``)."""
        if self.phase:
            return self.phase
        kind = self.type or ", ".join(self.environments or ()) or "an environment"
        return f"{self.duration_days} days of {kind}"

    @property
    def named(self) -> str:
        """What tells it from the others on a list (a link's words): its phase, else its
        days of a type, from when, and why: ``10 days of PERF from 4 Jan 2027: “soak test”``."""
        if self.phase:
            return self.phase
        said = f"{self.asks} from {day_text(self.earliest_start)}"
        why = self.justification.strip()
        return f"{said}: “{why}”" if why else said

    @property
    def words(self) -> str:
        """The request as a message names it: ``R1-UAT for tom``; one for no phase with its
        reason, which tells it from the others: ``10 days of PERF for tom (“soak test”)``."""
        said = f"{self.asks} for {self.requester}"
        if self.phase or not self.justification.strip():
            return said
        return f"{said} (“{self.justification.strip()}”)"


def release_days(session: Session, key: str) -> tuple[dt.date, dt.date] | None:
    """The first start and last end of release ``key``'s live bookings (None: none)."""
    found = session.exec(
        select(func.min(Booking.start), func.max(Booking.end))
        .join(Phase, col(Booking.phase_id) == Phase.id)
        .join(Release)
        .where(Release.key == key, col(Booking.status).in_(LIVE_STATUSES))
    ).one()
    return (found[0], found[1]) if found[0] is not None else None


def booking_rows(
    session: Session,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    type_name: str | None = None,
    release: str | None = None,
    environment: str | None = None,
    owner_id: int | None = None,
    live_only: bool = True,
    environments: Collection[str] | None = None,
) -> list[BookingRow]:
    """Bookings overlapping ``[start, end)`` matching every filter given, by start
    (``environments``: on one of these, by name)."""
    query = _BOOKING_ROWS
    if live_only:
        query = query.where(col(Booking.status).in_(LIVE_STATUSES))
    if start is not None:
        query = query.where(Booking.end > start)
    if end is not None:
        query = query.where(Booking.start < end)
    if type_name:
        query = query.where(EnvironmentType.name == type_name)
    if environment:
        query = query.where(Environment.name == environment)
    if environments is not None:
        query = query.where(col(Environment.name).in_(list(environments)))
    if release:
        query = query.where(Release.key == release)
    if owner_id is not None:  # whose it is: requested, else booked directly (one rule)
        query = query.where(owned_by(owner_id))
    found = session.execute(query.order_by(col(Booking.start), col(Booking.id))).all()
    return [_booking_row(row) for row in found]


def bookings_by_id(session: Session, ids: Collection[int]) -> dict[int, BookingRow]:
    """The bookings with these ids (any status), by id: what clashes name."""
    found = session.execute(_BOOKING_ROWS.where(col(Booking.id).in_(list(ids)))).all()
    return {row.id: _booking_row(row) for row in found}


def _person(user: Any) -> Any:
    """A person's name as people read it: their full name, else their user name."""
    return sa.func.coalesce(sa.func.nullif(user.full_name, ""), user.name)


_BOOKER: Any = aliased(User, name="booker")  # who booked it, beside who requested it
# one statement for a page of bookings, whatever their number (no query per booking)
_BOOKING_ROWS: Any = (
    sa.select(
        col(Booking.id),
        col(Environment.name).label("environment"),
        col(EnvironmentType.name).label("type"),
        col(Booking.start),
        col(Booking.end),
        col(Booking.status),
        col(Phase.key).label("phase"),
        col(Release.key).label("release"),
        col(User.name).label("requester"),
        col(Booking.note),
        col(Booking.request_id),
        col(Booking.forced_reason),
        col(BookingRequest.justification).label("asked_why"),
        col(Booking.created_by_id),
        _person(_BOOKER).label("booker"),
    )
    .select_from(Booking)
    .join(Environment, col(Booking.environment_id) == col(Environment.id))
    .join(EnvironmentType, col(Environment.type_id) == col(EnvironmentType.id))
    .outerjoin(Phase, col(Booking.phase_id) == col(Phase.id))
    .outerjoin(Release, col(Phase.release_id) == col(Release.id))
    .outerjoin(BookingRequest, col(Booking.request_id) == col(BookingRequest.id))
    .outerjoin(User, col(BookingRequest.requester_id) == col(User.id))
    .outerjoin(_BOOKER, col(Booking.created_by_id) == _BOOKER.id)
)


def _booking_row(row: sa.Row[Any]) -> BookingRow:
    return BookingRow(
        row.id,
        row.environment,
        row.type,
        row.start,
        row.end,
        BookingStatus(row.status).value,
        row.phase,
        row.release,
        row.requester,
        row.note,
        row.request_id,
        row.forced_reason,
        row.asked_why or "",
        row.created_by_id,
        row.booker,
    )


def request_rows(
    session: Session, *, open_only: bool = False, requester_id: int | None = None, limit: int = 200
) -> list[RequestRow]:
    """Booking requests, highest priority and oldest first (one statement for them all)."""
    query = _REQUEST_ROWS
    if open_only:
        query = query.where(col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES))
    if requester_id is not None:
        query = query.where(BookingRequest.requester_id == requester_id)
    query = query.order_by(
        col(BookingRequest.priority).desc(), col(BookingRequest.created_at), col(BookingRequest.id)
    ).limit(limit)
    return [_request_row(row) for row in session.execute(query).all()]


def request_row(session: Session, request: BookingRequest) -> RequestRow:
    return _request_row(
        session.execute(_REQUEST_ROWS.where(col(BookingRequest.id) == request.id)).one()
    )


_DECIDER: Any = aliased(User, name="decider")
_REQUEST_ROWS: Any = (
    sa.select(
        col(BookingRequest.id),
        col(User.name).label("requester"),
        col(BookingRequest.status),
        col(EnvironmentType.name).label("type"),
        col(Phase.key).label("phase"),
        col(Release.key).label("release"),
        col(BookingRequest.duration_days),
        col(BookingRequest.earliest_start),
        col(BookingRequest.latest_end),
        col(BookingRequest.fixed),
        col(BookingRequest.priority),
        col(BookingRequest.required_tags),
        col(BookingRequest.environments),
        col(BookingRequest.justification),
        col(BookingRequest.decision_reason),
        col(BookingRequest.created_at),
        _person(_DECIDER).label("decider"),
        col(BookingRequest.decided_at),
    )
    .select_from(BookingRequest)
    .join(User, col(BookingRequest.requester_id) == col(User.id))
    .outerjoin(_DECIDER, col(BookingRequest.decided_by_id) == _DECIDER.id)
    .outerjoin(EnvironmentType, col(BookingRequest.environment_type_id) == col(EnvironmentType.id))
    .outerjoin(Phase, col(BookingRequest.phase_id) == col(Phase.id))
    .outerjoin(Release, col(Phase.release_id) == col(Release.id))
)


def _request_row(row: sa.Row[Any]) -> RequestRow:
    return RequestRow(
        row.id,
        row.requester,
        RequestStatus(row.status).value,
        row.type,
        row.phase,
        row.release,
        row.duration_days,
        row.earliest_start,
        row.latest_end,
        row.fixed,
        row.priority,
        tuple(row.required_tags),
        tuple(row.environments) if row.environments is not None else None,
        row.justification,
        row.decision_reason,
        row.created_at,
        row.decider or "",
        row.decided_at,
    )


def type_names(session: Session) -> list[str]:
    return list(
        session.exec(select(EnvironmentType.name).order_by(col(EnvironmentType.name))).all()
    )


def release_keys(session: Session) -> list[str]:
    """Every release's key, as people count them (R-2 before R-10)."""
    return sorted(session.exec(select(Release.key)).all(), key=natural_key)


def environment_tags(session: Session) -> list[str]:
    """Every tag some environment carries, sorted (the tags alone: no environment loaded)."""
    return sorted(
        {tag for tags in session.exec(select(Environment.tags)).all() for tag in tags or ()}
    )


def environments(
    session: Session,
    *,
    type_name: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    text: str | None = None,
) -> Sequence[Environment]:
    """Environments matching the filters, by name as people count them (UAT-2 before
    UAT-10), with type and components loaded."""
    query = select(Environment).join(EnvironmentType)
    if type_name:
        query = query.where(EnvironmentType.name == type_name)
    if status:
        query = query.where(Environment.status == EnvironmentStatus(status))
    if text:
        query = query.where(col(Environment.name).icontains(text))
    found = sorted(session.exec(query).all(), key=lambda env: natural_key(env.name))
    return [env for env in found if not tag or tag in env.tags]


def bookable_environments(session: Session) -> list[Environment]:
    """The environments a picker offers: every one not retired (retired is for good, and
    every booking path refuses it), by name as people count them."""
    return [env for env in environments(session) if env.status != EnvironmentStatus.RETIRED]


def blocked_rows(
    session: Session, environments: Sequence[Environment], *, start: dt.date, end: dt.date
) -> list[BlockedRow]:
    """Maintenance windows of ``environments`` and freezes covering their types that overlap
    ``[start, end)``, by environment (in the order given) and start."""
    ids = {env.id: env for env in environments}
    windows = session.exec(
        select(MaintenanceWindow).where(
            col(MaintenanceWindow.environment_id).in_(list(ids)),
            MaintenanceWindow.end > start,
            MaintenanceWindow.start < end,
        )
    ).all()
    freezes = session.exec(select(Freeze).where(Freeze.end > start, Freeze.start < end)).all()
    rows = [
        BlockedRow(
            "maintenance",
            ids[w.environment_id].name,
            w.start,
            w.end,
            w.reason or "maintenance",
            w.reason,
        )
        for w in windows
    ]
    rows += [
        BlockedRow("freeze", env.name, f.start, f.end, f.name or "freeze", f.reason)
        for env in environments
        for f in freezes
        if f.covers(env.type.name)
    ]
    order = {env.name: i for i, env in enumerate(environments)}
    return sorted(rows, key=lambda r: (order[r.environment], r.start, r.kind))
