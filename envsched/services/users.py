"""Users, roles, passwords and API tokens; and the one rule of who may do what.

Passwords are hashed with scrypt from the standard library (salted, parameters kept in
the hash so they can be raised later). API tokens are random ``secrets.token_urlsafe``
strings shown once; only their SHA-256 is stored, so a leaked database leaks no token.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, or_, text, update
from sqlmodel import Session, col, select

from envsched.db import SessionFactory, is_postgresql, read_transaction, single_read
from envsched.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from envsched.models import ApiToken, Role, User
from envsched.services import audit

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
TOKEN_BYTES = 32
MIN_PASSWORD = 8
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # how stale last_used_at may be


# -- who may do what ----------------------------------------------------------------------

def require_role(actor: User | None, *roles: Role) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` has one of ``roles`` (admins always do).

    ``None`` is the system itself (the CLI, the scheduler): it may do anything.
    """
    if actor is None:
        return
    if not actor.active:
        raise PermissionDenied(f"user {actor.name!r} is deactivated")
    if actor.role == Role.ADMIN or actor.role in roles:
        return
    allowed = ", ".join(sorted(r.value for r in roles)) or "admin"
    raise PermissionDenied(f"user {actor.name!r} ({actor.role.value}) may not do this; "
                           f"it needs one of: {allowed}")


# -- passwords ----------------------------------------------------------------------------

def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(actual, base64.b64decode(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- services -----------------------------------------------------------------------------

def create_user(sessions: SessionFactory, name: str, role: Role | str, *, actor: User | None,
                now: dt.datetime, password: str | None = None, full_name: str = "",
                email: str = "") -> User:
    """Add a user; ``name`` must be new. Without a password the user signs in by token only."""
    require_role(actor)
    name = _valid_name(name)
    if password:
        _check_password(password)
    with sessions.begin() as session:
        if _find_user(session, name) is not None:
            raise InvalidInput("name", f"user {name!r} already exists")
        user = User(name=name, role=_valid_role(role), full_name=full_name, email=email,
                    password_hash=hash_password(password) if password else None, created_at=now)
        session.add(user)
        audit.record(session, actor=actor, now=now, action="create", row=user,
                     after=_public(user))
    return user


def set_role(sessions: SessionFactory, name: str, role: Role | str, *, actor: User | None,
             now: dt.datetime) -> User:
    require_role(actor)
    role = _valid_role(role)
    with sessions.begin() as session:
        user = get_user(session, name)
        before = _public(user)
        _change_role(session, user, role)
        audit.record(session, actor=actor, now=now, action="set_role", row=user,
                     before=before, after=_public(user))
    return user


def set_active(sessions: SessionFactory, name: str, active: bool, *, actor: User | None,
               now: dt.datetime) -> User:
    """Deactivate a user (no sign-in, every token refused) or let them back in.

    Nobody deactivates themselves, and the last active admin stays: someone must be
    left who can undo it.
    """
    require_role(actor)
    with sessions.begin() as session:
        user = get_user(session, name)
        before = _public(user)
        _change_active(session, user, active, actor)
        audit.record(session, actor=actor, now=now,
                     action="reactivate" if active else "deactivate", row=user,
                     before=before, after=_public(user))
    return user


def update_user(sessions: SessionFactory, name: str, *, actor: User | None,
                now: dt.datetime, role: Role | str | None = None, active: bool | None = None,
                full_name: str | None = None) -> User:
    """Change any of role, active and full name at once: all of them or none (the rules
    of ``set_role`` and ``set_active`` hold; ``None`` leaves a field as it is)."""
    require_role(actor)
    with sessions.begin() as session:
        user = get_user(session, name)
        before = _public(user)
        if role is not None:
            _change_role(session, user, _valid_role(role))
        if active is not None:
            _change_active(session, user, active, actor)
        if full_name is not None:
            user.full_name = full_name.strip()
        audit.record(session, actor=actor, now=now, action="update", row=user,
                     before=before, after=_public(user))
    return user


def _change_role(session: Session, user: User, role: Role) -> None:
    if role != Role.ADMIN:
        _keep_an_admin(session, user, field="role")
    user.role = role


def _change_active(session: Session, user: User, active: bool, actor: User | None) -> None:
    if not active and actor is not None and actor.id == user.id:
        raise InvalidInput("active", "you cannot deactivate yourself")
    if not active:
        _keep_an_admin(session, user, field="active")
    user.active = active


def _keep_an_admin(session: Session, losing: User, *, field: str) -> None:
    """Refuse to take the admin role from the last active admin.

    The active admins' rows are locked first (PostgreSQL), so two admins demoting each
    other at the same moment cannot both succeed.
    """
    if losing.role != Role.ADMIN or not losing.active:
        return
    admins = session.exec(select(User.id).where(User.role == Role.ADMIN, col(User.active))
                          .with_for_update()).all()
    if set(admins) <= {losing.id}:
        raise InvalidInput(field, f"{losing.name} is the last active admin; "
                                  f"make someone else admin first")


def set_password(sessions: SessionFactory, name: str, password: str, *,
                 actor: User | None, now: dt.datetime) -> None:
    """Users change their own password; admins anyone's."""
    if actor is not None and actor.name != name:
        require_role(actor)
    _check_password(password)
    with sessions.begin() as session:
        user = get_user(session, name)
        user.password_hash = hash_password(password)
        audit.record(session, actor=actor, now=now, action="set_password", row=user,
                     after=_public(user))


def change_own_password(sessions: SessionFactory, user: User, current: str, new: str, *,
                        now: dt.datetime) -> None:
    """``user`` changes their password, proving it is them with the current one."""
    if not verify_password(current, find_user(sessions, user.name).password_hash):
        raise InvalidInput("current_password", "is not your current password")
    set_password(sessions, user.name, new, actor=user, now=now)


def authenticate(sessions: SessionFactory, name: str, password: str) -> User:
    """The active user with this name and password, or ``PermissionDenied``."""
    with read_transaction(sessions) as session:
        user = _find_user(session, name)
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise PermissionDenied("unknown user or wrong password")
    return user


def issue_token(sessions: SessionFactory, user_name: str, *, actor: User | None,
                now: dt.datetime, label: str = "",
                expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new API token for ``user_name``: the stored row and the secret, shown this once."""
    if actor is not None and actor.name != user_name:
        require_role(actor)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with sessions.begin() as session:
        user = get_user(session, user_name)
        assert user.id is not None
        token = ApiToken(user_id=user.id, name=label, token_hash=token_hash(secret),
                         created_at=now, expires_at=expires_at)
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


def user_for_token(sessions: SessionFactory, secret: str, *, now: dt.datetime,
                   record_use: Callable[[Callable[[], None]], None] | None = None) -> User:
    """The active user a bearer token belongs to; ``PermissionDenied`` for any bad token.

    Every call checks the token, its user, revocation and expiry afresh (one query);
    ``last_used_at`` is written only when it is ``LAST_USED_RESOLUTION`` old, so a busy
    robot does not pay a write and a commit on every request. ``record_use``, if given,
    is handed that write to run later (the web app runs it once the answer is sent).
    """
    with single_read(sessions) as session:
        found = session.exec(_TOKEN_AND_USER, params={"hash": token_hash(secret)}).first()
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


def warm_up(session: Session) -> None:
    """Run the token check's statements once, matching no token (see
    ``availability.warm_up``): a new server's first requests each use a token for the
    first time, so each writes its ``last_used_at``."""
    session.exec(_TOKEN_AND_USER, params={"hash": ""}).first()
    now = dt.datetime.now(dt.UTC)
    session.execute(_MARK_USED, {"token_id": 0, "used_at": now, "stale_before": now})


def _mark_used(sessions: SessionFactory, token: ApiToken, now: dt.datetime) -> None:
    """Set ``last_used_at``; of concurrent requests with the same token, one writes."""
    stale = now - LAST_USED_RESOLUTION
    with sessions.begin() as session:
        if is_postgresql(session):
            # A usage timestamp is not worth waiting for the disk: lost in a crash, the
            # next request writes it again. (Bookings and audit rows are still durable.)
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        session.execute(_MARK_USED, {"token_id": token.id, "used_at": now, "stale_before": stale})
    token.last_used_at = now


# Built once: on every API request, building the statement would cost as much as running it.
_TOKEN_AND_USER: Any = (select(ApiToken, User).join(User)
                        .where(col(ApiToken.token_hash) == bindparam("hash")))
_MARK_USED: Any = (update(ApiToken)
                   .where(col(ApiToken.id) == bindparam("token_id"),
                          or_(col(ApiToken.last_used_at).is_(None),
                              col(ApiToken.last_used_at) <= bindparam("stale_before")))
                   .values(last_used_at=bindparam("used_at")))


def _token_usable(token: ApiToken, user: User, now: dt.datetime) -> bool:
    expired = token.expires_at is not None and token.expires_at <= now
    return user.active and token.revoked_at is None and not expired


def revoke_token(sessions: SessionFactory, token_id: int, *, actor: User | None,
                 now: dt.datetime) -> None:
    with sessions.begin() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise NotFound("api token", token_id)
        if actor is not None and actor.id != token.user_id:
            require_role(actor)
        if token.revoked_at is not None:
            raise InvalidState(f"API token {token_id} is already revoked")
        token.revoked_at = now
        audit.record(session, actor=actor, now=now, action="revoke", row=token)


def get_user(session: Session, name: str) -> User:
    user = _find_user(session, name)
    if user is None:
        raise NotFound("user", name)
    return user


def find_user(sessions: SessionFactory, name: str) -> User:
    with read_transaction(sessions) as session:
        return get_user(session, name)


def _find_user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name)).first()


def _valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise InvalidInput("name", "must be 1 to 64 characters without spaces")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD} characters")


def _valid_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput("role", f"{role!r} is not one of: {choices}") from None


def _public(user: User) -> dict[str, object]:
    """A user as the audit log may keep it: never the password hash."""
    data = user.model_dump(mode="json")
    data.pop("password_hash", None)
    return data
