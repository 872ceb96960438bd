"""Reading the pages' forms back in tests: posting with the CSRF token, field errors."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.helpers import csrf_token

_FIELD_ERROR = re.compile(
    r'<span class="field-error" id="([^"]+)-error">'
    r'<span class="visually-hidden">Error: </span>(.*?)</span>',
    re.S,
)


def post(
    client: FlaskClient, path: str, data: Mapping[str, str | list[str]] | None = None
) -> TestResponse:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **(data or {})})


def field_errors(response: TestResponse) -> dict[str, str]:
    """``{element id: message}`` of every field the page says is wrong."""
    page = response.get_data(as_text=True)
    return {
        found.group(1): html.unescape(found.group(2)).strip()
        for found in _FIELD_ERROR.finditer(page)
    }


def page_text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return html.unescape(response.get_data(as_text=True))
