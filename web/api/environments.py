"""Environments and their maintenance windows, addressed by the environment's name."""

from __future__ import annotations

from envsched import health, inventory
from envsched.db import read_transaction
from envsched.health import HealthHistoryOut, HealthUrlIn
from envsched.inventory import (
    EnvironmentIn,
    EnvironmentOut,
    EnvironmentPatch,
    MaintenanceWindowIn,
    MaintenanceWindowOut,
)
from web.api import present, queries
from web.api.routing import JSON, Route, actor
from web.api.schemas import EnvironmentQuery, Page
from web.context import now, sessions, settings


def list_environments(query: EnvironmentQuery) -> JSON:
    with read_transaction(sessions()) as session:
        return queries.page(session, queries.environments(query), query, present.environment)


def get_environment(name: str) -> JSON:
    with read_transaction(sessions()) as session:
        return present.environment(queries.environment(session, name))


def create_environment(body: EnvironmentIn) -> JSON:
    env = inventory.create_environment(sessions(), body, actor=actor(), now=now())
    return get_environment(env.name)


def update_environment(name: str, body: EnvironmentPatch) -> JSON:
    get_environment(name)  # 404 for a name in the URL; the service says 400 for bodies
    env = inventory.update_environment(sessions(), name, body, actor=actor(), now=now())
    return get_environment(env.name)


def list_windows(name: str) -> list[JSON]:
    with read_transaction(sessions()) as session:
        env = queries.environment(session, name)
        return [present.window(w) for w in env.maintenance_windows]


def add_window(name: str, body: MaintenanceWindowIn) -> JSON:
    get_environment(name)
    row = inventory.add_maintenance_window(
        sessions(),
        name,
        body.start,
        body.end,
        actor=actor(),
        now=now(),
        reason=body.reason,
        force=body.force,
    )
    with read_transaction(sessions()) as session:
        return present.window(
            queries.window(session, queries.environment(session, name), row.id or 0)
        )


def remove_window(name: str, window_id: int) -> None:
    with read_transaction(sessions()) as session:
        queries.window(session, queries.environment(session, name), window_id)
    inventory.remove_maintenance_window(sessions(), window_id, actor=actor(), now=now())


def get_health(name: str) -> JSON:
    with read_transaction(sessions()) as session:
        env = queries.environment(session, name)
        return HealthHistoryOut(
            environment=env.name,
            health=health.health_of(session, env.id or 0),
            history=health.history_of(session, env.id or 0, limit=health.HISTORY_KEPT),
        ).model_dump(mode="json")


def set_health(name: str, body: HealthUrlIn) -> JSON:
    get_environment(name)
    health.set_health_url(sessions(), name, body.url, actor=actor(), now=now(), settings=settings())
    return get_health(name)


ROUTES = [
    Route(
        "GET",
        "/environments",
        list_environments,
        "environments:read",
        "List environments, filtered by type, status and tag",
        Page[EnvironmentOut],
        query=EnvironmentQuery,
        errors=(400,),
    ),
    Route(
        "POST",
        "/environments",
        create_environment,
        "environments:write",
        "Add an environment",
        EnvironmentOut,
        201,
        body=EnvironmentIn,
        errors=(400,),
        example={"name": "UAT-9", "type": "UAT", "capacity": 1, "tags": ["mainframe"]},
    ),
    Route(
        "GET",
        "/environments/<name>",
        get_environment,
        "environments:read",
        "One environment with its components",
        EnvironmentOut,
        errors=(404,),
    ),
    Route(
        "PATCH",
        "/environments/<name>",
        update_environment,
        "environments:write",
        "Change the fields given; a capacity cut below what is booked is a 409",
        EnvironmentOut,
        body=EnvironmentPatch,
        errors=(400, 404, 409),
        example={"description": "mainframe-connected UAT", "tags": ["mainframe"]},
    ),
    Route(
        "GET",
        "/environments/<name>/maintenance-windows",
        list_windows,
        "environments:read",
        "Maintenance windows of an environment",
        list[MaintenanceWindowOut],
        errors=(404,),
    ),
    Route(
        "POST",
        "/environments/<name>/maintenance-windows",
        add_window,
        "maintenance:write",
        "Block days for maintenance; over live bookings only with force",
        MaintenanceWindowOut,
        201,
        body=MaintenanceWindowIn,
        errors=(400, 404, 409),
        example={"start": "2027-06-01", "end": "2027-06-03", "reason": "patching"},
    ),
    Route(
        "DELETE",
        "/environments/<name>/maintenance-windows/<int:window_id>",
        remove_window,
        "maintenance:write",
        "Remove a maintenance window",
        None,
        204,
        errors=(404,),
    ),
    # environment health
    Route(
        "GET",
        "/environments/<name>/health",
        get_health,
        "environments:read",
        "An environment's health check: where it stands and its changes, newest first",
        HealthHistoryOut,
        errors=(404,),
    ),
    Route(
        "PUT",
        "/environments/<name>/health",
        set_health,
        "health:write",
        "Set the URL the worker probes (http or https); empty or null ends the checks",
        HealthHistoryOut,
        body=HealthUrlIn,
        errors=(400, 404),
        example={"url": "https://uat-9.example.test/health"},
    ),
]
