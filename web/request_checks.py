"""Checks on the raw request, before any model reads it: the rules that hold for every
value whatever its field.

* text has no NUL byte (PostgreSQL cannot store one) and no lone surrogate (it has no
  UTF-8 form): query strings, form fields, path values and every string and key of a
  JSON body;
* a number in the path fits the database's INTEGER (``limits.INT_MAX``);
* a JSON body is at most ``MAX_JSON_DEPTH`` arrays and objects deep (the size of every
  body is Flask's ``MAX_CONTENT_LENGTH``: 413).

A refusal is ``InvalidInput`` naming the field (``note``, ``tags[0]``, ``booking_id``),
so the API answers 400 in its one error shape and a page shows its error page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from envsched.errors import InvalidInput
from envsched.models.limits import INT_MAX

MAX_JSON_DEPTH = 32
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(check_path_values)
    app.before_request(check_query_and_form)


def check_path_values(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if isinstance(value, int) and value > INT_MAX:
            raise InvalidInput(name, f"must be at most {INT_MAX}, got {value}")
        if isinstance(value, str):
            check_text(value, name)


def check_query_and_form() -> None:
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            check_text(name, name)
            check_text(value, name)


def check_text(value: str, field: str) -> None:
    found = _BAD_TEXT.search(value)
    if found is None:
        return
    what = "a NUL byte" if found.group() == "\x00" else "a lone surrogate (not Unicode text)"
    raise InvalidInput(field, f"must not contain {what}")


def json_body() -> Any:
    """The request's JSON body (``None`` when it is empty), checked as above."""
    raw = request.get_data()
    if not raw:
        return None
    if not request.is_json:
        raise InvalidInput("body", "send JSON, with Content-Type: application/json")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InvalidInput("body", f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:
        raise InvalidInput("body", f"not valid JSON ({exc})") from None
    check_json(data)
    return data


def check_json(data: Any) -> None:
    """Depth, then text, of decoded JSON, walked without recursion."""
    for value, path, depth in _walk(data):
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput(path or "body", f"nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, str):
            check_text(value, path or "body")


def _walk(data: Any) -> Iterator[tuple[Any, str, int]]:
    """Every value of ``data`` (keys too) with its path, ``a.b[0]``, and its depth."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        yield value, path, depth
        if isinstance(value, dict):
            for key, item in value.items():
                yield key, path, depth + 1  # a bad key is named by where it is
                inner = f"{path}.{key}" if path else str(key)
                stack.append((item, inner, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
