"""Environment types (``UAT``, ``PERF``…): the kinds of environment phases ask for."""

from __future__ import annotations

from envsched import inventory
from web.api.routing import JSON, Route, actor
from web.api.user_schemas import EnvironmentTypeCreate, EnvironmentTypePublic
from web.context import now, sessions


def list_environment_types() -> list[JSON]:
    return [EnvironmentTypePublic(name=name, description=description,
                                  environments=count).model_dump(mode="json")
            for name, description, count in inventory.environment_types(sessions())]


def create_environment_type(body: EnvironmentTypeCreate) -> JSON:
    row = inventory.create_environment_type(sessions(), body.name, actor=actor(), now=now(),
                                            description=body.description)
    return EnvironmentTypePublic(name=row.name, description=row.description,
                                 environments=0).model_dump(mode="json")


ROUTES = [
    Route("GET", "/environment-types", list_environment_types, "environments:read",
          "Environment types, with how many environments of each are in service",
          list[EnvironmentTypePublic]),
    Route("POST", "/environment-types", create_environment_type, "environments:write",
          "Add an environment type; a taken name is a 400 naming the field",
          EnvironmentTypePublic, 201, body=EnvironmentTypeCreate, errors=(400,),
          example={"name": "PERF", "description": "performance testing"}),
]
