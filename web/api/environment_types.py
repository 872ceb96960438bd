"""Environment types (``UAT``, ``PERF``…): the kinds of environment phases ask for."""

from __future__ import annotations

from envsched import inventory
from envsched.inventory import EnvironmentTypeIn, EnvironmentTypeOut, EnvironmentTypePatch
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


def list_environment_types() -> list[JSON]:
    checked = inventory.checkin_types(sessions())
    return [
        EnvironmentTypeOut(
            name=name, description=description, environments=count, checkin_required=name in checked
        ).model_dump(mode="json")
        for name, description, count in inventory.environment_types(sessions())
    ]


def update_environment_type(type_name: str, body: EnvironmentTypePatch) -> JSON:
    inventory.set_checkin_required(
        sessions(), type_name, body.checkin_required, actor=actor(), now=now()
    )
    return next(t for t in list_environment_types() if t["name"] == type_name)


def create_environment_type(body: EnvironmentTypeIn) -> JSON:
    row = inventory.create_environment_type(
        sessions(), body.name, actor=actor(), now=now(), description=body.description
    )
    return EnvironmentTypeOut(
        name=row.name, description=row.description, environments=0
    ).model_dump(mode="json")


ROUTES = [
    Route(
        "GET",
        "/environment-types",
        list_environment_types,
        "environments:read",
        "Environment types, with how many environments of each are in service",
        list[EnvironmentTypeOut],
    ),
    Route(
        "POST",
        "/environment-types",
        create_environment_type,
        "environments:write",
        "Add an environment type; a taken name is a 400 naming the field",
        EnvironmentTypeOut,
        201,
        body=EnvironmentTypeIn,
        errors=(400,),
        example={"name": "PERF", "description": "performance testing"},
    ),
    Route(
        "PATCH",
        "/environment-types/<type_name>",
        update_environment_type,
        "environments:write",
        "Turn check-in on or off for the bookings of a type",
        EnvironmentTypeOut,
        body=EnvironmentTypePatch,
        errors=(400, 404),
        example={"checkin_required": True},
    ),
]
