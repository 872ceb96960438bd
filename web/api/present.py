"""Rows as the API shows them: names and keys instead of ids, dates as ISO strings.

Each function reads relationships, so it runs inside the session the row came from.
The output goes through the ``…Out`` shape, which keeps the wire shape in one place.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from envsched import health
from envsched.booking import BookingOut, BookingRequestOut, ClashOut, Slot, SlotOut, StateClash
from envsched.inventory import EnvironmentOut, FreezeOut, MaintenanceWindowOut
from envsched.lifecycle.shapes import PhaseOut, ReleaseOut
from envsched.models import (
    Booking,
    BookingRequest,
    Environment,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
    User,
)

JSON = dict[str, Any]


def environment(env: Environment) -> JSON:
    components = {c.name: c.version for c in env.components}
    row = env.model_dump() | {"type": env.type.name, "components": components}
    session = Session.object_session(env)
    if session is not None and env.id is not None:
        row["health"] = health.health_of(session, env.id)
    return EnvironmentOut.model_validate(row).model_dump(mode="json")


def window(row: MaintenanceWindow) -> JSON:
    return MaintenanceWindowOut.model_validate(
        row.model_dump() | {"environment": row.environment.name}
    ).model_dump(mode="json")


def freeze(row: Freeze) -> JSON:
    return FreezeOut.model_validate(row.model_dump()).model_dump(mode="json")


def phase(row: Phase) -> JSON:
    data = row.model_dump() | {"release": row.release.key, "type": row.type.name}
    return PhaseOut.model_validate(data).model_dump(mode="json")


def release(row: Release) -> JSON:
    data = row.model_dump() | {"phases": [phase(p) for p in row.phases]}
    return ReleaseOut.model_validate(data).model_dump(mode="json")


def booking(row: Booking) -> JSON:
    data = row.model_dump() | {
        "environment": row.environment.name,
        "phase": row.phase.key if row.phase else None,
        "release": row.phase.release.key if row.phase else None,
    }
    return BookingOut.model_validate(data).model_dump(mode="json")


def new_booking(row: Booking, *, environment: str) -> JSON:
    """A booking just stored for no phase, from its columns (its session has closed)."""
    data = row.model_dump() | {"environment": environment, "phase": None, "release": None}
    return BookingOut.model_validate(data).model_dump(mode="json")


def booking_request(session: Session, row: BookingRequest) -> JSON:
    requester = session.get_one(User, row.requester_id)
    type_name = (
        session.get_one(EnvironmentType, row.environment_type_id).name
        if row.environment_type_id is not None
        else None
    )
    data = row.model_dump() | {
        "requester": requester.name,
        "phase": row.phase.key if row.phase else None,
        "type": type_name,
    }
    return BookingRequestOut.model_validate(data).model_dump(mode="json")


def slot(row: Slot) -> JSON:
    return SlotOut(environment=row.environment, start=row.start, end=row.end).model_dump(
        mode="json"
    )


def clash(row: StateClash) -> JSON:
    return ClashOut(
        kind=row.kind,
        message=row.message,
        start=row.start,
        end=row.end,
        environment=row.environment,
        release=row.release,
        phase=row.phase,
        booking_ids=list(row.booking_ids),
    ).model_dump(mode="json")
