"""The API's routes as data: one ``Route`` per endpoint, registered in one place.

A route names its permission, its input models and its answer, so three things come
from the same line: the Flask rule (wrapped in ``requires(permission)`` and in the
parsing of body and query string), the permission-table test, and the OpenAPI
document. A view receives typed values only and returns a JSON-ready payload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from envsched.errors import EnvschedError, PermissionDenied
from envsched.models import User
from web.api.idempotency import answered_once
from web.auth import current_user, requires
from web.request_checks import json_body

View = Callable[..., Any]
JSON = dict[str, Any]


class InvalidRequest(EnvschedError):
    """A body or query string that does not validate: every bad field at once."""

    code = "invalid_input"


@dataclass(frozen=True)
class Route:
    """``method rule`` calls ``view`` for callers holding ``permission``.

    ``body``/``query`` are the models the request is validated into (passed to the view
    as ``body=``/``query=``); ``answer`` documents the success payload; ``errors`` the
    error statuses it can answer besides 401 and 403; ``example`` a request body that
    works against the demo-like data of the OpenAPI test.
    """

    method: str
    rule: str
    view: View
    permission: str
    summary: str
    answer: Any = None  # a model or list[model]: anything pydantic's TypeAdapter takes
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    example: dict[str, Any] | None = None
    idempotent: bool = False  # honours the Idempotency-Key header (web.api.idempotency)

    @property
    def endpoint(self) -> str:
        return self.view.__name__


def register(blueprint: Blueprint, routes: list[Route]) -> None:
    for route in routes:
        blueprint.add_url_rule(route.rule, route.endpoint, _wrap(route), methods=[route.method])


def _wrap(route: Route) -> View:
    def view(**path: Any) -> Response | tuple[Response | str, int]:
        if route.body is not None:
            path["body"] = parse_body(route.body)
        if route.query is not None:
            path["query"] = parse_query(route.query)
        if route.idempotent:
            status, payload = answered_once(route.status, lambda: route.view(**path), actor())
        else:
            status, payload = route.status, route.view(**path)
        if payload is None:
            return "", status
        return jsonify(payload), status

    view.__name__ = route.endpoint
    view.__doc__ = route.summary
    return requires(route.permission)(view)


# -- the edge: validate once --------------------------------------------------------------


def parse_body(model: type[BaseModel]) -> Any:
    """The JSON object body as ``model``; 400 naming every unknown or bad field (the
    checks every value passes first, whatever its field, are ``web.request_checks``)."""
    data = json_body()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object", fields={"body": "not a JSON object"})
    return _validate(model, data)


def parse_query(model: type[BaseModel]) -> Any:
    return _validate(model, request.args.to_dict())


def _validate(model: type[BaseModel], data: dict[str, Any]) -> Any:
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        raise InvalidRequest(
            f"unknown {'field' if len(unknown) == 1 else 'fields'}: {', '.join(unknown)}",
            fields=dict.fromkeys(unknown, "unknown field"),
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = {_location(e["loc"]): e["msg"] for e in exc.errors()}
        raise InvalidRequest(
            "; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields
        ) from None


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


# -- what views need from the app ---------------------------------------------------------


def actor() -> User:
    """The signed-in user. ``requires`` has refused anonymous callers already; this never
    hands a service ``None``, which services read as "the system, allowed everything"."""
    user = current_user()
    if user is None:
        raise PermissionDenied("sign in first")
    return user
