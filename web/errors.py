"""Errors at the web edge: one JSON shape under ``/api/``, an HTML page everywhere else.

API errors are ``{"error": {"code", "message", "fields"}}`` (a booking conflict adds
``clashes``). A domain error names what went wrong by its ``code``; ``STATUS`` below is
the one table of the HTTP status each code answers with. Request bodies that fail
validation are 400 with a message per field. A value the database itself refuses
(``DataError``, a CHECK or NOT NULL constraint) is a 400 too, naming the column or
constraint when the driver says which, and a uniqueness the database enforces is a 409:
the edge's checks should have caught both first, so neither is a 500. HTTP errors keep
their headers (a 405 says ``Allow``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic
from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
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
    414: "uri_too_long",
    415: "unsupported_media_type",
}


# The HTTP status of each domain error's code (``EnvschedError.code`` and its subclasses';
# a test checks every subclass is here). A subclass keeping its parent's code keeps its
# status.
STATUS: dict[str, int] = {
    "error": 400,
    "invalid_input": 400,
    "invalid_scenario": 400,
    "config_error": 400,
    "permission_denied": 403,
    "not_found": 404,
    "booking_conflict": 409,
    "rule_broken": 409,
    "invalid_state": 409,
    "invalid_transition": 409,
    "gate_conflict": 409,
    "gate_not_passed": 409,
    "replan_busy": 409,
    "idempotency_key_reused": 422,
    "too_many_sign_ins": 429,
}


def status_of(error: EnvschedError) -> int:
    """The HTTP status of ``error``: its code's, else the nearest parent class's."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if code in STATUS:
            return STATUS[code]
    return STATUS["error"]


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_error(
    status: int, code: str, message: str, fields: Mapping[str, str] | None = None, **extra: Any
) -> Response:
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
    app.register_error_handler(DataError, _database_refusal)
    app.register_error_handler(IntegrityError, _database_refusal)


def _domain_error(exc: EnvschedError) -> Any:
    status = status_of(exc)
    if is_api_request():
        body = exc.to_dict()
        return api_error(status, body.pop("code"), body.pop("message"), body.pop("fields"), **body)
    return _page(status, exc.said)


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
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"the body is larger than the {limit // 1024} KiB the server takes"
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    if is_api_request():
        response = api_error(status, HTTP_CODES.get(status, "server_error"), message)
    else:
        text, _status = _page(status, message)
        response = Response(text, status)
    response.headers.extend(headers)
    return response


def _database_refusal(exc: DataError | IntegrityError) -> Any:
    status, code, field, problem = db_refusal(exc)
    message = f"{field}: {problem}"
    if is_api_request():
        return api_error(status, code, message, {field: problem})
    return _page(status, message)


def db_refusal(exc: DataError | IntegrityError) -> tuple[int, str, str, str]:
    """Status, code, field and problem of a value the database refused."""
    diag = getattr(exc.orig, "diag", None)  # psycopg names what it refused; sqlite3 does not
    first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "refused"
    field = (
        getattr(diag, "column_name", None)
        or getattr(diag, "constraint_name", None)
        or _sqlite_subject(first_line)
        or "body"
    )
    if isinstance(exc, IntegrityError) and _is_uniqueness(exc, first_line):
        return 409, "conflict", field, f"already taken ({first_line})"
    return 400, "invalid_input", field, f"the database refused the value ({first_line})"


def _is_uniqueness(exc: IntegrityError, text: str) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in ("23505", "23P01") or text.startswith("UNIQUE constraint failed")


def _sqlite_subject(text: str) -> str | None:
    """``CHECK constraint failed: ck_environment_capacity`` names what it refused."""
    _failed, colon, subject = text.partition(" failed: ")
    if not colon:
        return None
    return subject.strip() or None


def _page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status
