"""Plain helpers for web tests (fixtures live in ``tests/fixtures/``)."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re

from flask.testing import FlaskClient

from envsched.accounts.users import hash_password

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)  # the same Monday as tests/envsched
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# scrypt's cost for the test users: a sign-in checks the password at the cost written in
# its hash (``users.verify_password``), and the production cost (``users.SCRYPT_N``,
# tens of milliseconds on purpose) would be paid at every sign-in of the suite.
TEST_SCRYPT_N = 2**4


@functools.cache
def password_hash() -> str:
    """``PASSWORD`` hashed as ``users.hash_password`` writes it, at ``TEST_SCRYPT_N``.
    Tests of the hash itself or of its cost use ``production_password_hash``."""
    salt = bytes(range(16))
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=TEST_SCRYPT_N, r=8, p=1, dklen=32)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, digest)]
    return f"scrypt${TEST_SCRYPT_N}$8$1${encoded[0]}${encoded[1]}"


@functools.cache
def production_password_hash() -> str:
    """``PASSWORD`` hashed by ``users.hash_password`` itself, at the production cost."""
    return hash_password(PASSWORD)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of ``client``'s session, read from a page's ``<meta>`` tag."""
    page = client.get(path).get_data(as_text=True)
    found = _CSRF_META.search(page)
    assert found, f"no csrf-token meta tag on {path}"
    return found.group(1)
