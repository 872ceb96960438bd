"""Read-only lookups behind the API's lists and details (the services own every write).

Each function takes an open read session and answers with rows or a ``Page`` of
presented rows; a thing addressed in the URL that does not exist is ``NotFound`` (404),
unlike a bad name inside a body, which the services answer with 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Text, cast, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from envsched.errors import InvalidInput, NotFound
from envsched.models import (
    Booking,
    BookingRequest,
    Environment,
    EnvironmentType,
    MaintenanceWindow,
    Phase,
    Release,
    User,
)
from web.api.schemas import (
    BookingQuery,
    EnvironmentQuery,
    Paging,
    ReleaseQuery,
    RequestQuery,
)

Row = TypeVar("Row")
JSON = dict[str, Any]


def page(
    session: Session, query: SelectOfScalar[Row], paging: Paging, present: Callable[[Row], JSON]
) -> JSON:
    """One page of ``query`` and the total it was cut from."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.offset((paging.page - 1) * paging.per_page).limit(paging.per_page)
    ).all()
    return {
        "items": [present(row) for row in rows],
        "page": paging.page,
        "per_page": paging.per_page,
        "total": total,
    }


# -- environments ---------------------------------------------------------------------------


def environments(filters: EnvironmentQuery) -> SelectOfScalar[Environment]:
    query = select(Environment).join(EnvironmentType)
    if filters.type is not None:
        query = query.where(EnvironmentType.name == filters.type)
    if filters.status is not None:
        query = query.where(Environment.status == filters.status)
    if filters.tag is not None:
        # JSON arrays differ between SQLite and PostgreSQL; a quoted-string match on the
        # serialised array works on both and cannot match a tag that merely contains it.
        pattern = f'%"{_escape_like(filters.tag)}"%'
        query = query.where(cast(Environment.tags, Text).like(pattern, escape="\\"))
    return query.order_by(col(Environment.name))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def environment(session: Session, name: str) -> Environment:
    found = session.exec(select(Environment).where(Environment.name == name)).first()
    if found is None:
        raise NotFound("environment", name)
    return found


def window(session: Session, env: Environment, window_id: int) -> MaintenanceWindow:
    found = session.get(MaintenanceWindow, window_id)
    if found is None or found.environment_id != env.id:
        raise NotFound("maintenance window", window_id)
    return found


def check_type(session: Session, name: str | None, field: str = "type") -> None:
    if (
        name is not None
        and session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
        is None
    ):
        raise InvalidInput(field, f"no environment type {name!r}")


# -- releases and phases --------------------------------------------------------------------


def releases(filters: ReleaseQuery) -> SelectOfScalar[Release]:
    query = select(Release)
    if filters.status is not None:
        query = query.where(Release.status == filters.status)
    if filters.type is not None:
        query = query.where(Release.type == filters.type)
    return query.order_by(col(Release.key))


# -- requests and bookings ------------------------------------------------------------------


def requests(filters: RequestQuery) -> SelectOfScalar[BookingRequest]:
    query = select(BookingRequest)
    if filters.status is not None:
        query = query.where(BookingRequest.status == filters.status)
    if filters.requester is not None:
        query = query.join(User, col(User.id) == col(BookingRequest.requester_id)).where(
            User.name == filters.requester
        )
    if filters.phase is not None:
        query = query.join(Phase).where(Phase.key == filters.phase)
    return query.order_by(col(BookingRequest.created_at), col(BookingRequest.id))


def request(session: Session, request_id: int) -> BookingRequest:
    found = session.get(BookingRequest, request_id)
    if found is None:
        raise NotFound("booking request", request_id)
    return found


def bookings(filters: BookingQuery) -> SelectOfScalar[Booking]:
    query = select(Booking).join(Environment)
    if filters.environment is not None:
        query = query.where(Environment.name == filters.environment)
    if filters.phase is not None or filters.release is not None:
        query = query.join(Phase)
    if filters.phase is not None:
        query = query.where(Phase.key == filters.phase)
    if filters.release is not None:
        query = query.join(Release).where(Release.key == filters.release)
    if filters.status is not None:
        query = query.where(Booking.status == filters.status)
    if filters.after is not None:
        query = query.where(Booking.end > filters.after)
    if filters.before is not None:
        query = query.where(Booking.start < filters.before)
    return query.order_by(col(Booking.start), col(Environment.name), col(Booking.id))


def booking(session: Session, booking_id: int) -> Booking:
    found = session.get(Booking, booking_id)
    if found is None:
        raise NotFound("booking", booking_id)
    return found
