"""Environment types (``UAT``, ``PERF``…): the kinds of environment phases ask for."""

from __future__ import annotations

from sqlmodel import col, func, select

from envsched.db import read_transaction
from envsched.models import Environment, EnvironmentStatus, EnvironmentType
from envsched.services import inventory
from web.api.routing import JSON, Route, actor
from web.api.user_schemas import EnvironmentTypeCreate, EnvironmentTypePublic
from web.context import now, sessions


def list_environment_types() -> list[JSON]:
    in_service = (select(Environment.type_id, func.count().label("n"))
                  .where(Environment.status != EnvironmentStatus.RETIRED)
                  .group_by(col(Environment.type_id)).subquery())
    query = (select(EnvironmentType.name, EnvironmentType.description, in_service.c.n)
             .outerjoin(in_service, in_service.c.type_id == EnvironmentType.id)
             .order_by(col(EnvironmentType.name)))
    with read_transaction(sessions()) as session:
        return [EnvironmentTypePublic(name=name, description=description,
                                      environments=count or 0).model_dump(mode="json")
                for name, description, count in session.exec(query)]


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
