"""Errors at the web edge: one JSON shape under ``/api/``, an HTML page everywhere else.

API errors are ``{"error": {"code", "message", "fields"}}`` (a booking conflict adds
``clashes``). Domain errors carry their own status (``EnvschedError.http_status``);
request bodies that fail validation are 400 with a message per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic
from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from envsched.errors import EnvschedError

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, fields: Mapping[str, str] | None = None,
              **extra: Any) -> Response:
    """The API's error response; ``extra`` keys (``clashes``) sit next to ``fields``."""
    body = {"code": code, "message": message, "fields": dict(fields or {}), **extra}
    response = jsonify({"error": body})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    app.register_error_handler(EnvschedError, _domain_error)
    app.register_error_handler(pydantic.ValidationError, _validation_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def _domain_error(exc: EnvschedError) -> Any:
    status = exc.http_status if exc.http_status != 500 else 400
    if is_api_request():
        body = exc.to_dict()
        return api_error(status, body.pop("code"), body.pop("message"), body.pop("fields"),
                         **body)
    return _page(status, exc.message)


def _validation_error(exc: pydantic.ValidationError) -> Any:
    fields = {".".join(str(p) for p in err["loc"]) or "body": err["msg"] for err in exc.errors()}
    message = "; ".join(f"{name}: {problem}" for name, problem in fields.items())
    if is_api_request():
        return api_error(400, "invalid_input", message, fields)
    return _page(400, message)


def _csrf_error(exc: CSRFError) -> Any:
    message = f"{exc.description} Reload the page and try again."
    if is_api_request():
        return api_error(400, "csrf_failed", message)
    return _page(400, message)


def _http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    message = exc.description or exc.name
    if is_api_request():
        return api_error(status, HTTP_CODES.get(status, "server_error"), message)
    return _page(status, message)


def _page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status
