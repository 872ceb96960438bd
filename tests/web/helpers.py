"""Plain helpers for web tests (fixtures live in ``tests/fixtures/``)."""

from __future__ import annotations

import datetime as dt
import functools
import re

from flask.testing import FlaskClient

from envsched.accounts.users import hash_password

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)  # the same Monday as tests/envsched
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@functools.cache
def password_hash() -> str:
    """Hashed once per run: scrypt is slow on purpose, and every test user shares it."""
    return hash_password(PASSWORD)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of ``client``'s session, read from a page's ``<meta>`` tag."""
    page = client.get(path).get_data(as_text=True)
    found = _CSRF_META.search(page)
    assert found, f"no csrf-token meta tag on {path}"
    return found.group(1)
