"""The OpenAPI 3.1 document of ``/api/v1``, served at ``/api/openapi.json``.

It is built from the same ``Route`` rows that register the Flask rules, and its schemas
from the same pydantic models that validate the requests, so the document cannot list
an endpoint, a parameter or a body field the API does not have (the tests check the
rules against the paths both ways, and run the examples).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, jsonify
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from envsched.models.limits import INT_MAX
from envsched.permissions import roles_with
from web.api import ROUTES, Route, idempotency
from web.api.schemas import ErrorBody

PREFIX = "/api/v1"
SCHEMA_REF = "#/components/schemas/{model}"
RULE_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
ERROR_MEANINGS = {
    400: "Bad input: `fields` names each bad field (in the path, the query string or the body)",
    401: "Not signed in: no session and no valid `Authorization: Bearer` token",
    403: "Signed in, but the role lacks the permission",
    404: "The thing named in the path does not exist",
    409: "A clash: the days are taken (`clashes` lists the bookings in the way), a "
    "maintenance window or freeze is in the way, a rule of the phase is broken "
    "(code `rule_broken`: `rule` and `breaks` name it and the phases and bookings "
    "involved), a gate the step needs is open or vetoed (code `gate_not_passed`: "
    "`fields` and `gates` name each), or the thing is in a state that does not allow "
    "this",
    422: "The `Idempotency-Key` already answered a different request (method, path or "
    "body); `fields` names the header",
    413: "The body is larger than the server takes (1 MiB)",
}
Schemas = dict[str, Any]
# Component names are published: clients generate their types from them. The classes of
# ``envsched.<feature>.shapes`` took the ``…In``/``…Out`` names (issue 13); the document keeps the
# names it had. A new shape needs no entry: it is published under its class name.
PUBLISHED_NAMES = {
    "AcceptOut": "AcceptPublic",
    "ApproveIn": "ApproveInput",
    "AssignmentIn": "Assignment",
    "BookingIn": "BookingCreate",
    "BookingRequestIn": "BookingRequestCreate",
    "BookingRequestOut": "BookingRequestPublic",
    "CalendarItemOut": "CalendarItemPublic",
    "CapacityReportOut": "CapacityReport",
    "CapacityRowOut": "CapacityRow",
    "ChangeIn": "ChangeBody",
    "ClashOut": "ClashPublic",
    "ComparisonOut": "Comparison",
    "DeploymentOut": "DeploymentPublic",
    "EnvironmentIn": "EnvironmentCreate",
    "EnvironmentOut": "EnvironmentPublic",
    "EnvironmentPatch": "EnvironmentUpdate",
    "EnvironmentTypeIn": "EnvironmentTypeCreate",
    "EnvironmentTypeOut": "EnvironmentTypePublic",
    "FreezeIn": "FreezeCreate",
    "FreezeOut": "FreezePublic",
    "FromTemplateIn": "FromTemplate",
    "GateDefineIn": "GateDefine",
    "GateOut": "GatePublic",
    "GateSignIn": "GateSign",
    "GateVerdictIn": "GateVerdict",
    "KpiReportOut": "KpiReportPublic",
    "LeadTimeOut": "LeadTime",
    "LinkOut": "LinkPublic",
    "MaintenanceWindowIn": "MaintenanceWindowCreate",
    "MaintenanceWindowOut": "MaintenanceWindowPublic",
    "MoveIn": "MoveInput",
    "MovedWindowOut": "MovedWindowPublic",
    "PeriodOut": "PeriodPublic",
    "PhaseIn": "PhaseCreate",
    "PhaseOut": "PhasePublic",
    "PhasePatch": "PhaseUpdate",
    "PlanRunDetailOut": "PlanRunDetail",
    "PlanRunOut": "PlanRunPublic",
    "PromotionOut": "Promotion",
    "ReasonIn": "ReasonInput",
    "RefusedProposalOut": "RefusedProposal",
    "RejectIn": "RejectInput",
    "ReleaseCountsOut": "ReleaseCounts",
    "ReleaseEarlyIn": "ReleaseEarlyInput",
    "ReleaseIn": "ReleaseCreate",
    "ReleaseOut": "ReleaseDetail",
    "ReleasePatch": "ReleaseUpdate",
    "ReplanIn": "ReplanInput",
    "SlotOut": "SlotPublic",
    "StatusChangeOut": "StatusChangePublic",
    "StrategyIn": "StrategyCreate",
    "StrategyOut": "StrategyPublic",
    "TemplateOut": "TemplatePublic",
    "TemplatePhaseOut": "TemplatePhasePublic",
    "TimeToImplementOut": "TimeToImplement",
    "TokenIn": "TokenCreate",
    "TokenIssuedOut": "TokenIssued",
    "TokenOut": "TokenPublic",
    "UserIn": "UserCreate",
    "UserPatch": "UserUpdate",
    "UtilisationOut": "Utilisation",
    "WhatIfIn": "WhatIfCreate",
    "WhatIfOut": "WhatIfPublic",
    "WhatIfRunIn": "WhatIfRunInput",
    "WindowIn": "WindowCreate",
    "WindowMoveIn": "WindowMove",
    "WindowOut": "WindowPublic",
}


def register_openapi(app: Flask) -> None:
    with app.app_context():  # serialised once: the document never changes while running
        body = jsonify(build_document(ROUTES)).get_data()

    def openapi_document() -> Response:
        return Response(body, mimetype="application/json")

    app.add_url_rule("/api/openapi.json", "openapi", openapi_document, methods=["GET"])


def build_document(routes: list[Route]) -> dict[str, Any]:
    schemas: Schemas = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(openapi_path(route.rule), {})[route.method.lower()] = _operation(
            route, schemas
        )
    _schema_ref(ErrorBody, schemas)
    return _published(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "envsched API",
                "version": "1",
                "description": "Test environment booking: environments, releases, booking "
                "requests and bookings. Days are ISO dates; every interval "
                "is [start, end), end being the first day after it.",
            },
            "servers": [{"url": "/"}],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "bearer": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API token (`envsched user add NAME --token`)",
                    },
                    "session": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": "session",
                        "description": "The signed-in page's session; writes also need the "
                        "X-CSRFToken header",
                    },
                },
            },
            "security": [{"bearer": []}, {"session": []}],
        }
    )


def openapi_path(rule: str) -> str:
    """``/requests/<int:request_id>`` -> ``/api/v1/requests/{request_id}``."""
    return PREFIX + RULE_ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule)


def _operation(route: Route, schemas: Schemas) -> dict[str, Any]:
    roles = ", ".join(sorted(r.value for r in roles_with(route.permission)))
    operation: dict[str, Any] = {
        "operationId": route.endpoint,
        "summary": route.summary,
        "description": f"Needs permission `{route.permission}` (roles: {roles}; admin "
        f"holds every permission).",
        "tags": [route.view.__module__.rsplit(".", 1)[-1]],
        "x-permission": route.permission,
        "parameters": (
            _path_parameters(route.rule)
            + _query_parameters(route.query)
            + ([idempotency.PARAMETER] if route.idempotent else [])
        ),
        "responses": {str(route.status): _success(route, schemas), **_errors(route, schemas)},
    }
    if route.body is not None:
        operation["requestBody"] = _request_body(route, schemas)
    return operation


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    """An ``<int:…>`` is a row id or an index (it fits the database's INTEGER)."""
    number = {"type": "integer", "minimum": 0, "maximum": INT_MAX}
    text = {"type": "string", "minLength": 1}
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": number if converter == "int" else text,
        }
        for converter, name in RULE_ARGUMENT.findall(rule)
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=SCHEMA_REF)
    parameters = []
    for name, prop in schema["properties"].items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", []),
            "schema": _inline_enums(prop, schema.get("$defs", {})),
        }
        if "description" in prop:
            parameter["description"] = prop["description"]
        if "examples" in prop:
            parameter["example"] = prop["examples"][0]
        if _is_array(prop):
            parameter.update(style="form", explode=False)  # ?tags=a,b
        parameters.append(parameter)
    return parameters


def _inline_enums(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Query parameters carry their enum in place (a client builds a URL, not a body)."""

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        return dict(defs[ref.rsplit("/", 1)[-1]]) if ref else schema

    if "anyOf" in prop:
        return {**prop, "anyOf": [resolve(option) for option in prop["anyOf"]]}
    return {**resolve(prop), **{k: v for k, v in prop.items() if k != "$ref"}}


def _is_array(prop: dict[str, Any]) -> bool:
    options = prop.get("anyOf", [prop])
    return any(option.get("type") == "array" for option in options)


def _request_body(route: Route, schemas: Schemas) -> dict[str, Any]:
    assert route.body is not None
    content: dict[str, Any] = {"schema": _schema_ref(route.body, schemas, "validation")}
    if route.example is not None:
        content["example"] = route.example
    required = bool(route.body.model_json_schema().get("required"))
    return {"required": required, "content": {"application/json": content}}


def _success(route: Route, schemas: Schemas) -> dict[str, Any]:
    if route.answer is None:
        return {"description": "Done, no content"}
    return {
        "description": "Created" if route.status == 201 else "OK",
        "content": {"application/json": {"schema": _schema_ref(route.answer, schemas)}},
    }


def _errors(route: Route, schemas: Schemas) -> dict[str, Any]:
    error = {"$ref": SCHEMA_REF.format(model=ErrorBody.__name__)}
    statuses = {*route.errors, 401, 403}
    if route.body is not None or route.query is not None or "<" in route.rule:
        statuses.add(400)
    if route.body is not None:
        statuses.add(413)
    if route.idempotent:
        statuses.update((400, 422))
    return {
        str(status): {
            "description": ERROR_MEANINGS[status],
            "content": {"application/json": {"schema": error}},
        }
        for status in sorted(statuses)
    }


def _schema_ref(
    annotation: Any, schemas: Schemas, mode: JsonSchemaMode = "serialization"
) -> dict[str, Any]:
    """Put the schema of ``annotation`` (and every model it uses) into ``schemas``; a
    reference to it (models) or the schema itself (``list[...]``) back."""
    schema = TypeAdapter(annotation).json_schema(ref_template=SCHEMA_REF, mode=mode)
    for name, nested in schema.pop("$defs", {}).items():
        _add_component(schemas, name, nested)
    if schema.get("type") != "object":
        return schema
    name = _component_name(schema.get("title", getattr(annotation, "__name__", "Body")))
    _add_component(schemas, name, schema)
    return {"$ref": SCHEMA_REF.format(model=name)}


def _add_component(schemas: Schemas, name: str, schema: dict[str, Any]) -> None:
    """Two models of one name would share a component: one endpoint would be described
    by the other's schema (as the maintenance windows once were by the release windows')."""
    if schemas.setdefault(name, schema) != schema:
        raise ValueError(f"two different schemas are both named {name}")


def _published(node: Any) -> Any:
    """``node`` with every component, its title and each reference to it renamed to its
    published name (``Page_BookingRequestOut_`` -> ``Page_BookingRequestPublic_``)."""
    if isinstance(node, list):
        return [_published(item) for item in node]
    if not isinstance(node, dict):
        return node
    found = {key: _published(value) for key, value in node.items()}
    if isinstance(found.get("$ref"), str):
        found["$ref"] = _published_name(found["$ref"])
    if "schemas" in found and "securitySchemes" in found:  # the components
        found["schemas"] = {
            _published_name(name): {
                **schema,
                **({"title": _published_name(schema["title"])} if "title" in schema else {}),
            }
            for name, schema in found["schemas"].items()
        }
    return found


def _published_name(name: str) -> str:
    return re.sub(r"[A-Za-z0-9]+", lambda m: PUBLISHED_NAMES.get(m.group(), m.group()), name)


def _component_name(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", title)
