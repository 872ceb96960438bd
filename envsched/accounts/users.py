"""Users, roles and passwords (who may do what: ``envsched.permissions``; API tokens:
``tokens``; signing in: ``signin``).

Passwords are hashed with scrypt from the standard library (salted, parameters kept in
the hash so they can be raised later).

A new password, deactivation, a new role and signing out end every session of the user:
each changes ``User.session_version``, which the web app compares on every request.
API tokens are not sessions: deactivation refuses them (``tokens.user_for_token`` checks
``active`` on every request) but does not revoke them, so a reactivated robot works again;
revoke a token to end it for good.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select

from envsched import audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, NotFound
from envsched.models import Role, User
from envsched.permissions import require

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8
SESSION_VERSIONS = 2**31  # fits PostgreSQL's integer


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


# A hash no password matches (no password hashes to 32 zero bytes), with the parameters
# of a new hash: checking a password against it costs what checking a real one costs.
NO_MATCH_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(bytes(16))}${_b64(bytes(32))}"


# -- services -----------------------------------------------------------------------------


def create_user(
    sessions: SessionFactory,
    name: str,
    role: Role | str,
    *,
    actor: User | None,
    now: dt.datetime,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
) -> User:
    """Add a user; ``name`` must be new. Without a password the user signs in by token only."""
    require(actor, "users:admin")
    name = _valid_name(name)
    if password:
        _check_password(password)
    with sessions.begin() as session:
        if _find_user(session, name) is not None:
            raise InvalidInput("name", f"user {name!r} already exists")
        user = User(
            name=name,
            role=_valid_role(role),
            full_name=full_name,
            email=email,
            password_hash=hash_password(password) if password else None,
            created_at=now,
        )
        session.add(user)
        audit.record(session, actor=actor, now=now, action="create", row=user, after=_public(user))
    return user


def set_role(
    sessions: SessionFactory, name: str, role: Role | str, *, actor: User | None, now: dt.datetime
) -> User:
    require(actor, "users:admin")
    role = _valid_role(role)
    with sessions.begin() as session:
        user = get_user(session, name)
        before = _public(user)
        _change_role(session, user, role)
        audit.record(
            session,
            actor=actor,
            now=now,
            action="set_role",
            row=user,
            before=before,
            after=_public(user),
        )
    return user


def set_active(
    sessions: SessionFactory, name: str, active: bool, *, actor: User | None, now: dt.datetime
) -> User:
    """Deactivate a user (no sign-in, every token refused) or let them back in.

    Nobody deactivates themselves, and the last active admin stays: someone must be
    left who can undo it.
    """
    require(actor, "users:admin")
    with sessions.begin() as session:
        user = get_user(session, name)
        before = _public(user)
        _change_active(session, user, active, actor)
        audit.record(
            session,
            actor=actor,
            now=now,
            action="reactivate" if active else "deactivate",
            row=user,
            before=before,
            after=_public(user),
        )
    return user


def update_user(
    sessions: SessionFactory,
    name: str,
    *,
    actor: User | None,
    now: dt.datetime,
    role: Role | str | None = None,
    active: bool | None = None,
    full_name: str | None = None,
) -> User:
    """Change any of role, active and full name at once: all of them or none (the rules
    of ``set_role`` and ``set_active`` hold; ``None`` leaves a field as it is)."""
    require(actor, "users:admin")
    with sessions.begin() as session:
        user = get_user(session, name)
        before = _public(user)
        if role is not None:
            _change_role(session, user, _valid_role(role))
        if active is not None:
            _change_active(session, user, active, actor)
        if full_name is not None:
            user.full_name = full_name.strip()
        audit.record(
            session,
            actor=actor,
            now=now,
            action="update",
            row=user,
            before=before,
            after=_public(user),
        )
    return user


def change_role_in(session: Session, user: User, role: Role) -> None:
    """``set_role``'s rule inside the caller's transaction (single sign-on's role update):
    the last admin stays one, and a new role ends the user's sessions."""
    _change_role(session, user, role)


def _change_role(session: Session, user: User, role: Role) -> None:
    if role != Role.ADMIN:
        _keep_an_admin(session, user, field="role")
    if role != user.role:
        _end_sessions(user)
    user.role = role


def _change_active(session: Session, user: User, active: bool, actor: User | None) -> None:
    if not active and actor is not None and actor.id == user.id:
        raise InvalidInput("active", "you cannot deactivate yourself")
    if not active:
        _keep_an_admin(session, user, field="active")
        _end_sessions(user)
    user.active = active


def _keep_an_admin(session: Session, losing: User, *, field: str) -> None:
    """Refuse to take the admin role from the last active admin.

    The active admins' rows are locked first (PostgreSQL), so two admins demoting each
    other at the same moment cannot both succeed.
    """
    if losing.role != Role.ADMIN or not losing.active:
        return
    admins = session.exec(
        select(User.id).where(User.role == Role.ADMIN, col(User.active)).with_for_update()
    ).all()
    if set(admins) <= {losing.id}:
        raise InvalidInput(
            field, f"{losing.name} is the last active admin; make someone else admin first"
        )


def set_password(
    sessions: SessionFactory, name: str, password: str, *, actor: User | None, now: dt.datetime
) -> User:
    """Users change their own password (``signin.change_own_password``); admins anyone's.

    Every session of the user ends, so a session someone else took over is gone too."""
    if actor is not None and actor.name != name:
        require(actor, "users:admin")
    _check_password(password)
    with sessions.begin() as session:
        user = get_user(session, name)
        user.password_hash = hash_password(password)
        _end_sessions(user)
        audit.record(
            session, actor=actor, now=now, action="set_password", row=user, after=_public(user)
        )
    return user


def end_sessions(sessions: SessionFactory, name: str) -> User:
    """End every session of ``name`` (signing out does it: on every device at once)."""
    with sessions.begin() as session:
        user = get_user(session, name)
        _end_sessions(user)
    return user


def end_sessions_in(user: User) -> None:
    """End every session of ``user`` when the caller's transaction commits."""
    _end_sessions(user)


def _end_sessions(user: User) -> None:
    """A new session version: a random one, not the next, so that of two changes at the
    same moment the one committed last still ends sessions begun after the first."""
    version = user.session_version
    while version == user.session_version:
        version = secrets.randbelow(SESSION_VERSIONS)
    user.session_version = version


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
    data.pop("session_version", None)
    return data
