"""The OpenAPI document matches the API: the same operations, working examples, one
error shape, and answers that fit the documented schemas."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import TypeAdapter

from envsched.booking.clashes import KINDS
from envsched.models import Role
from tests.web.api_world import Caller, World
from web.api import ROUTES, Route
from web.openapi import build_document

DOCUMENT = build_document(ROUTES)
OPERATIONS = [(path, method) for path, item in DOCUMENT["paths"].items() for method in item]
FLASK_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")
ROUTE_OF = {route.endpoint: route for route in ROUTES}


def _operation(path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = DOCUMENT["paths"][path][method]
    return operation


def test_the_document_is_served_without_signing_in(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == DOCUMENT
    assert DOCUMENT["openapi"].startswith("3.")


def test_every_api_rule_is_documented_and_every_documented_operation_exists(app: Flask) -> None:
    rules = {
        (FLASK_ARGUMENT.sub(r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert rules == set(OPERATIONS)


def test_every_reference_resolves() -> None:
    text = repr(DOCUMENT)
    names = set(re.findall(r"#/components/schemas/([^'\"]+)", text))
    assert names and names <= set(DOCUMENT["components"]["schemas"])


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_operation_documents_its_parameters_security_and_errors(
    path: str, method: str
) -> None:
    operation = _operation(path, method)
    in_path = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
    assert in_path == set(re.findall(r"{(\w+)}", path))
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for status in ("401", "403"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == error
    assert [s for s in operation["responses"] if s.startswith("2")], "no success answer"
    assert operation["x-permission"] == ROUTE_OF[operation["operationId"]].permission
    assert DOCUMENT["security"] == [{"bearer": []}, {"session": []}]


def test_the_direct_booking_is_documented_as_design_says() -> None:
    operation = _operation("/api/v1/bookings", "post")
    assert set(operation["responses"]) == {"201", "400", "401", "403", "409", "413", "422"}
    example = operation["requestBody"]["content"]["application/json"]["example"]
    assert set(example) == {"environment", "start", "end", "phase", "note"}
    schema = DOCUMENT["components"]["schemas"]["BookingCreate"]
    assert set(schema["required"]) == {"environment", "start", "end"}


def test_the_clash_kinds_are_enumerated_for_the_query_and_the_answer() -> None:
    [kind] = [p for p in _operation("/api/v1/clashes", "get")["parameters"] if p["name"] == "kind"]
    assert "changeover" in KINDS
    assert set(KINDS) <= set(re.findall(r"'(\w+)'", repr(kind["schema"])))
    answer = repr(DOCUMENT["components"]["schemas"]["ClashPublic"]["properties"]["kind"])
    assert set(KINDS) <= set(re.findall(r"'(\w+)'", answer))


def _example_query(operation: dict[str, Any]) -> dict[str, str]:
    query = {}
    for parameter in operation["parameters"]:
        if parameter["in"] == "query" and parameter["required"]:
            value = parameter["example"]
            query[parameter["name"]] = ",".join(value) if isinstance(value, list) else value
    return query


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_example_request_of_every_operation_succeeds(
    call: Caller, world: World, path: str, method: str
) -> None:
    operation = _operation(path, method)
    body = (
        operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("example")
    )
    url = path.format(**world.path_values(path))
    response = call(Role.ADMIN, method.upper(), url, body, **_example_query(operation))
    success = [s for s in operation["responses"] if s.startswith("2")]
    assert [str(response.status_code)] == success, response.get_json()
    route: Route = ROUTE_OF[operation["operationId"]]
    if route.answer is not None:
        TypeAdapter(route.answer).validate_python(response.get_json())
    else:
        assert response.data == b""


# -- what the document says is refused (issue 12) --------------------------------------------


def _schemas_of(value: Any) -> list[dict[str, Any]]:
    """Every schema object nested in ``value``."""
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _request_schemas() -> list[dict[str, Any]]:
    """The body schemas and query parameters of every operation, with what they use."""
    components = DOCUMENT["components"]["schemas"]
    seen: list[dict[str, Any]] = []
    pending = [
        operation.get("requestBody", {})
        for path, method in OPERATIONS
        for operation in [_operation(path, method)]
    ]
    pending += [
        p["schema"] for path, method in OPERATIONS for p in _operation(path, method)["parameters"]
    ]
    names: set[str] = set()
    while pending:
        for schema in _schemas_of(pending.pop()):
            seen.append(schema)
            name = schema.get("$ref", "").rsplit("/", 1)[-1]
            if name and name not in names:
                names.add(name)
                pending.append(components[name])
    return seen


def test_every_request_number_is_bounded_by_the_database_integer() -> None:
    numbers = [s for s in _request_schemas() if s.get("type") == "integer"]
    assert numbers
    for schema in numbers:
        assert "minimum" in schema and schema.get("maximum", 2**31) <= 2**31 - 1, schema


def test_every_request_body_refuses_fields_it_does_not_have() -> None:
    objects = [s for s in _request_schemas() if s.get("type") == "object" and "properties" in s]
    assert objects
    assert all(s.get("additionalProperties") is False for s in objects), [
        s.get("title") for s in objects if s.get("additionalProperties") is not False
    ]


def test_tags_are_documented_as_words() -> None:
    schema = DOCUMENT["components"]["schemas"]["EnvironmentCreate"]["properties"]["tags"]
    assert schema["items"]["minLength"] == 1 and schema["items"]["pattern"]


def test_maintenance_windows_have_their_own_schemas() -> None:
    path = "/api/v1/environments/{name}/maintenance-windows"
    body = _operation(path, "post")["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/MaintenanceWindowCreate"}
    schema = DOCUMENT["components"]["schemas"]["MaintenanceWindowCreate"]
    assert {"start", "end", "reason", "force"} == set(schema["properties"])
    release = DOCUMENT["components"]["schemas"]["WindowCreate"]
    assert {"name", "start", "cutoff", "go_live"} == set(release["properties"])


def test_a_method_a_path_does_not_have_is_405_with_allow(call: Caller, world: World) -> None:
    for path, item in DOCUMENT["paths"].items():
        documented = {method.upper() for method in item}
        other = next(m for m in ("PATCH", "PUT", "DELETE", "POST", "GET") if m not in documented)
        response = call(Role.ADMIN, other, path.format(**world.path_values(path)))
        assert response.status_code == 405, path
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert documented <= allowed, (path, documented, allowed)
