"""Environment types (``UAT``, ``PERF``…): the kinds of environment phases ask for."""

from __future__ import annotations

from envsched import inventory
from envsched.inventory import EnvironmentTypeIn, EnvironmentTypeOut
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


def list_environment_types() -> list[JSON]:
    return [
        EnvironmentTypeOut(name=name, description=description, environments=count).model_dump(
            mode="json"
        )
        for name, description, count in inventory.environment_types(sessions())
    ]


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
]
