"""Booking rules that belong to an environment type: whether its bookings must be checked
in (``booking.checkin`` releases those that are not). Environment managers and admins set
them (``environments:write``), as they add types."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from envsched import audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import NotFound
from envsched.models import EnvironmentType, User
from envsched.permissions import require


def checkin_types(sessions: SessionFactory) -> set[str]:
    """The names of the types whose bookings must be checked in."""
    with read_transaction(sessions) as session:
        return set(
            session.exec(
                select(EnvironmentType.name).where(col(EnvironmentType.checkin_required))
            ).all()
        )


def set_checkin_required(
    sessions: SessionFactory, name: str, required: bool, *, actor: User | None, now: dt.datetime
) -> EnvironmentType:
    """Turn check-in on or off for the bookings of type ``name`` (audited)."""
    require(actor, "environments:write")
    with sessions.begin() as session:
        row = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
        if row is None:
            raise NotFound("environment type", name)
        if row.checkin_required != required:
            before = audit.snapshot(row)
            row.checkin_required = required
            row.checkin_since = now if required else None
            audit.record(session, actor=actor, now=now, action="update", row=row, before=before)
    return row
