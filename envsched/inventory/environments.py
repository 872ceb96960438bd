"""The environment inventory: types, environments, components, maintenance windows, freezes.

Environment managers keep it. A change that would strand stored bookings (a capacity
cut below what is booked, a window over live bookings) is refused with the bookings
in the way, unless the caller forces a window in knowingly (it then shows as a clash).
``change_capacity`` is the one way a stored environment's capacity changes (the update
here, an import), so bookings' ``exclusive`` flags always follow it.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, func, select, update

from envsched import audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import BookingConflict, InvalidInput, NotFound
from envsched.inventory.availability import clashes, environment_named, lock_environment
from envsched.inventory.names import check_name
from envsched.inventory.shapes import EnvironmentIn, EnvironmentPatch
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    Component,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    User,
)
from envsched.permissions import require


def environment_types(sessions: SessionFactory) -> list[tuple[str, str, int]]:
    """Each type, by name: its name, description, and how many environments not retired
    it has."""
    in_service = (
        select(Environment.type_id, func.count().label("n"))
        .where(Environment.status != EnvironmentStatus.RETIRED)
        .group_by(col(Environment.type_id))
        .subquery()
    )
    query = (
        select(EnvironmentType.name, EnvironmentType.description, in_service.c.n)
        .outerjoin(in_service, in_service.c.type_id == EnvironmentType.id)
        .order_by(col(EnvironmentType.name))
    )
    with read_transaction(sessions) as session:
        return [(name, description, count or 0) for name, description, count in session.exec(query)]


def create_environment_type(
    sessions: SessionFactory,
    name: str,
    *,
    actor: User | None,
    now: dt.datetime,
    description: str = "",
) -> EnvironmentType:
    require(actor, "environments:write")
    if not name.strip():
        raise InvalidInput("name", "an environment type needs a name")
    with sessions.begin() as session:
        if _type_named(session, name) is not None:
            raise InvalidInput("name", f"environment type {name!r} already exists")
        row = EnvironmentType(name=name.strip(), description=description)
        session.add(row)
        audit.record(session, actor=actor, now=now, action="create", row=row)
    return row


def create_environment(
    sessions: SessionFactory, data: EnvironmentIn, *, actor: User | None, now: dt.datetime
) -> Environment:
    require(actor, "environments:write")
    check_name(data.name)
    with sessions.begin() as session:
        _check_new_name(session, data.name)
        env = Environment(
            type_id=_type_id(session, data.type), **data.model_dump(exclude={"type", "components"})
        )
        session.add(env)
        session.flush()
        _set_components(session, env, data.components)
        audit.record(session, actor=actor, now=now, action="create", row=env)
    return env


def update_environment(
    sessions: SessionFactory,
    name: str,
    data: EnvironmentPatch,
    *,
    actor: User | None,
    now: dt.datetime,
) -> Environment:
    """Change the given fields; a capacity cut must leave every booked day within capacity."""
    require(actor, "environments:write")
    changes = data.model_dump(exclude_unset=True)
    with sessions.begin() as session:
        env = environment_named(session, name, field="name")
        assert env.id is not None
        env = lock_environment(session, env.id)
        before = audit.snapshot(env)
        if "type" in changes:
            env.type_id = _type_id(session, changes.pop("type"))
        if "components" in changes:
            _set_components(session, env, changes.pop("components") or {})
        if (capacity := changes.pop("capacity", None)) is not None:
            change_capacity(session, env, capacity)
        if "name" in changes and changes["name"] != env.name:
            _check_new_name(session, changes["name"])
        for field, value in changes.items():
            setattr(env, field, value)
        audit.record(session, actor=actor, now=now, action="update", row=env, before=before)
    return env


def change_capacity(
    session: Session, env: Environment, capacity: int, *, field: str = "capacity"
) -> None:
    """Set ``env``'s capacity (``env`` locked by the caller), keeping every booking's
    ``exclusive`` flag — PostgreSQL's double-booking guard — in step with it.

    Refused (``BookingConflict`` naming ``field``) below the most live bookings ``env``
    holds on one day. Every way capacity changes comes here: the API's update, an import.
    """
    if capacity == env.capacity:
        return
    live = session.exec(
        select(Booking).where(
            Booking.environment_id == env.id, col(Booking.status).in_(LIVE_STATUSES)
        )
    ).all()
    at_once = {
        b.id: sum(1 for o in live if o.overlaps(b.start, b.end) and o.start <= b.start)
        for b in live
    }
    crowded = [b for b in live if at_once[b.id] > capacity]
    if crowded:
        peak = max(crowded, key=lambda b: at_once[b.id])
        raise BookingConflict(
            f"{env.name} holds {at_once[peak.id]} live bookings on {peak.start}; capacity "
            f"{capacity} is below that: move or cancel bookings first",
            clashes(env, crowded),
            field=field,
        )
    env.capacity = capacity
    session.exec(
        update(Booking).where(col(Booking.environment_id) == env.id).values(exclusive=capacity == 1)
    )


def add_maintenance_window(
    sessions: SessionFactory,
    environment: str,
    start: dt.date,
    end: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
    force: bool = False,
) -> MaintenanceWindow:
    """Block ``[start, end)``; over live bookings only with ``force`` (they become clashes)."""
    require(actor, "maintenance:write")
    _check_days(start, end)
    with sessions.begin() as session:
        env = environment_named(session, environment)
        assert env.id is not None
        env = lock_environment(session, env.id)
        assert env.id is not None
        in_the_way = session.exec(
            select(Booking).where(
                Booking.environment_id == env.id,
                col(Booking.status).in_(LIVE_STATUSES),
                Booking.start < end,
                Booking.end > start,
            )
        ).all()
        if in_the_way and not force:
            raise BookingConflict(
                f"{env.name} has live bookings in that window", clashes(env, in_the_way)
            )
        window = MaintenanceWindow(environment_id=env.id, start=start, end=end, reason=reason)
        session.add(window)
        audit.record(session, actor=actor, now=now, action="create", row=window)
    return window


def remove_maintenance_window(
    sessions: SessionFactory, window_id: int, *, actor: User | None, now: dt.datetime
) -> None:
    require(actor, "maintenance:write")
    _delete(sessions, MaintenanceWindow, window_id, actor=actor, now=now)


def create_freeze(
    sessions: SessionFactory,
    start: dt.date,
    end: dt.date,
    *,
    actor: User | None,
    now: dt.datetime,
    types: list[str] | None = None,
    name: str = "",
    reason: str = "",
) -> Freeze:
    """A change freeze on ``[start, end)`` for ``types`` (none: every type)."""
    require(actor, "freezes:write")
    _check_days(start, end)
    with sessions.begin() as session:
        for type_name in types or []:
            _type_id(session, type_name, field="types")
        freeze = Freeze(name=name, start=start, end=end, types=list(types or []), reason=reason)
        session.add(freeze)
        audit.record(session, actor=actor, now=now, action="create", row=freeze)
    return freeze


def remove_freeze(
    sessions: SessionFactory, freeze_id: int, *, actor: User | None, now: dt.datetime
) -> None:
    require(actor, "freezes:write")
    _delete(sessions, Freeze, freeze_id, actor=actor, now=now)


def _delete(
    sessions: SessionFactory,
    model: type[MaintenanceWindow] | type[Freeze],
    row_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
) -> None:
    with sessions.begin() as session:
        row = session.get(model, row_id)
        if row is None:
            raise NotFound(model.__name__, row_id)
        before = audit.snapshot(row)
        session.delete(row)
        audit.record(session, actor=actor, now=now, action="delete", row=row, before=before)


# -- helpers ------------------------------------------------------------------------------


def _type_named(session: Session, name: str) -> EnvironmentType | None:
    return session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()


def _type_id(session: Session, name: str, field: str = "type") -> int:
    found = _type_named(session, name)
    if found is None or found.id is None:
        raise InvalidInput(field, f"no environment type {name!r}")
    return found.id


def _check_new_name(session: Session, name: str) -> None:
    check_name(name)
    if session.exec(select(Environment).where(Environment.name == name)).first():
        raise InvalidInput("name", f"environment {name!r} already exists")


def _set_components(session: Session, env: Environment, versions: dict[str, str]) -> None:
    assert env.id is not None
    for old in session.exec(select(Component).where(Component.environment_id == env.id)):
        session.delete(old)
    session.flush()
    session.add_all(
        Component(environment_id=env.id, name=n, version=v) for n, v in sorted(versions.items())
    )


def _check_days(start: dt.date, end: dt.date) -> None:
    if not start < end:
        raise InvalidInput("end", f"{end} must be after start {start}")
