"""API tokens: issued to a user, shown once, checked on every request, revoked.

A token is a random ``secrets.token_urlsafe`` string; only its SHA-256 is stored, so a
leaked database leaks no token.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, or_, text, update
from sqlmodel import Session, col, select

from envsched import audit
from envsched.accounts.users import get_user
from envsched.db import SessionFactory, is_postgresql, single_read
from envsched.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from envsched.models import ApiToken, User
from envsched.permissions import require

TOKEN_BYTES = 32
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # how stale last_used_at may be


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    sessions: SessionFactory,
    user_name: str,
    *,
    actor: User | None,
    now: dt.datetime,
    label: str = "",
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token for ``user_name``: the stored row and the secret, shown this once."""
    if actor is not None and actor.name != user_name:
        require(actor, "users:admin")
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with sessions.begin() as session:
        user = get_user(session, user_name)
        assert user.id is not None
        token = ApiToken(
            user_id=user.id,
            name=label,
            token_hash=token_hash(secret),
            created_at=now,
            expires_at=expires_at,
        )
        session.add(token)
        audit.record(session, actor=actor, now=now, action="create", row=token)
    return token, secret


def token_expiry(valid_until: dt.date | None, *, now: dt.datetime) -> dt.datetime | None:
    """A token valid until a day works through that day (UTC); ``None``: no expiry."""
    if valid_until is None:
        return None
    if valid_until < now.date():
        raise InvalidInput("valid_until", f"{valid_until} is in the past")
    return dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(), dt.UTC)


def user_for_token(
    sessions: SessionFactory,
    secret: str,
    *,
    now: dt.datetime,
    record_use: Callable[[Callable[[], None]], None] | None = None,
) -> User:
    """The active user a bearer token belongs to; ``PermissionDenied`` for any bad token.

    Every call checks the token, its user, revocation and expiry afresh (one query);
    ``last_used_at`` is written only when it is ``LAST_USED_RESOLUTION`` old, so a busy
    robot does not pay a write and a commit on every request. ``record_use``, if given,
    is handed that write to run later (the web app runs it once the answer is sent).
    """
    with single_read(sessions) as session:
        found = token_and_user(session, token_hash(secret))
    if found is None or not _token_usable(found[0], found[1], now):
        raise PermissionDenied("invalid, expired or revoked API token")
    token, user = found
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        write = functools.partial(_mark_used, sessions, token, now)
        if record_use is None:
            write()
        else:
            record_use(write)
    return user


def token_and_user(session: Session, hashed: str) -> tuple[ApiToken, User] | None:
    """The token stored under ``hashed`` and its user, in one query (or None)."""
    found = session.exec(_TOKEN_AND_USER, params={"hash": hashed}).first()
    return None if found is None else (found[0], found[1])


def mark_used(session: Session, token_id: int | None, now: dt.datetime) -> None:
    """Set the token's ``last_used_at`` to ``now`` unless it is more recent than
    ``LAST_USED_RESOLUTION``; of concurrent requests with the same token, one writes."""
    stale = now - LAST_USED_RESOLUTION
    session.execute(_MARK_USED, {"token_id": token_id, "used_at": now, "stale_before": stale})


def _mark_used(sessions: SessionFactory, token: ApiToken, now: dt.datetime) -> None:
    """``mark_used`` in a transaction of its own."""
    with sessions.begin() as session:
        if is_postgresql(session):
            # A usage timestamp is not worth waiting for the disk: lost in a crash, the
            # next request writes it again. (Bookings and audit rows are still durable.)
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        mark_used(session, token.id, now)
    token.last_used_at = now


# Built once: on every API request, building the statement would cost as much as running it.
_TOKEN_AND_USER: Any = (
    select(ApiToken, User).join(User).where(col(ApiToken.token_hash) == bindparam("hash"))
)
_MARK_USED: Any = (
    update(ApiToken)
    .where(
        col(ApiToken.id) == bindparam("token_id"),
        or_(
            col(ApiToken.last_used_at).is_(None),
            col(ApiToken.last_used_at) <= bindparam("stale_before"),
        ),
    )
    .values(last_used_at=bindparam("used_at"))
)


def _token_usable(token: ApiToken, user: User, now: dt.datetime) -> bool:
    expired = token.expires_at is not None and token.expires_at <= now
    return user.active and token.revoked_at is None and not expired


def revoke_token(
    sessions: SessionFactory, token_id: int, *, actor: User | None, now: dt.datetime
) -> None:
    with sessions.begin() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise NotFound("api token", token_id)
        if actor is not None and actor.id != token.user_id:
            require(actor, "users:admin")
        if token.revoked_at is not None:
            raise InvalidState(f"API token {token_id} is already revoked")
        token.revoked_at = now
        audit.record(session, actor=actor, now=now, action="revoke", row=token)
