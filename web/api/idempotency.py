"""The ``Idempotency-Key`` header: a retried write answers what the first one answered.

A client that lost an answer (a timeout, a dropped connection) sends the same request
with the same key again and gets the first answer (status and body), not a second
booking nor a 409 naming its own booking. The key is the caller's: any 1 to 255
visible ASCII characters (a UUID is usual), kept per user for
``idempotency.KEY_LIFETIME`` (24 hours). The same key with another method, path or
body is 422 naming the header. Routes opt in with ``Route(idempotent=True)``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from envsched import idempotency
from envsched.db import SessionFactory
from envsched.errors import IdempotencyKeyReused, InvalidInput
from envsched.idempotency import Answer, Claim
from envsched.models import User
from envsched.models.idempotency import KEY_LENGTH
from web.context import JOINED_SESSIONS, now, sessions

HEADER = IdempotencyKeyReused.FIELD
KEY = re.compile(rf"[\x21-\x7e]{{1,{KEY_LENGTH}}}")  # visible ASCII, no spaces
LIFETIME_HOURS = int(idempotency.KEY_LIFETIME.total_seconds() // 3600)
PARAMETER = {  # the header as the OpenAPI document describes it
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": f"^{KEY.pattern}$"},
    "description": f"Makes a retry safe: the same key again (same user, method, path and "
    f"body) within {LIFETIME_HOURS} hours answers the first answer (status "
    f"and body) instead of writing twice. A request that failed left nothing "
    f"behind and runs afresh. 1 to {KEY_LENGTH} visible ASCII characters, "
    f"e.g. a UUID; the same key with another request is 422.",
}


def answered_once(status: int, view: Callable[[], Any], user: User) -> tuple[int, Any]:
    """``view``'s answer (``status`` and payload), or the stored one for a retry by
    ``user``. Without the header the view simply runs."""
    key = request.headers.get(HEADER)
    if key is None:
        return status, view()
    if not KEY.fullmatch(key):
        raise InvalidInput(
            HEADER, f"expected 1 to {KEY_LENGTH} visible ASCII characters, no spaces"
        )
    assert user.id is not None  # a stored user: requires() let only those through
    claim = Claim(user_id=user.id, key=key, request_hash=request_hash(), now=now())
    answer = idempotency.answer_once(sessions(), claim, lambda joined: _in(joined, status, view))
    return answer.status, answer.body


def _in(joined: SessionFactory, status: int, view: Callable[[], Any]) -> Answer:
    """Run ``view`` with every ``sessions()`` it asks for inside the key's transaction."""
    setattr(g, JOINED_SESSIONS, joined)
    try:
        payload = view()
    finally:
        g.pop(JOINED_SESSIONS, None)
    # Stored as the client saw it: the app's JSON, so a replay sends the same bytes.
    return Answer(status, None if payload is None else json.loads(current_app.json.dumps(payload)))


def request_hash() -> str:
    """Method, path, query string and body; a JSON body by its content, not its spacing."""
    body = request.get_json(silent=True)
    content = (
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        if body is not None
        else request.get_data()
    )
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string, content):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()
