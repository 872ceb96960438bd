"""Proving who you are with a password: signing in and changing your own password.

Both are throttled, because both let someone try passwords. The database is the store
(``SignInFailure``), so the throttle holds across every web process: once a user name
has ``max_per_name`` failures within ``window``, or an address ``max_per_address``, the
next tries with that name or from that address are refused (``TooManySignIns``) until
the oldest of those failures leaves the window. A refused try checks no password and
counts nothing; a success forgets its user name's failures (not its address's).

An unknown user name, a user without a password (a robot) and a deactivated user are
checked against ``users.NO_MATCH_HASH``, which has the same scrypt parameters, so every
refusal takes as long as a wrong password: timing tells nobody which user names exist.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from envsched.accounts import users
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, PermissionDenied, TooManySignIns
from envsched.models import SignInFailure, User
from envsched.models.base import NAME_LENGTH
from envsched.models.users import ADDRESS_LENGTH
from envsched.settings import Settings


@dataclass(frozen=True)
class SignInLimits:
    max_per_name: int = 5
    max_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInLimits:
        return cls(
            max_per_name=settings.signin_max_failures,
            max_per_address=settings.signin_max_failures_per_address,
            window=dt.timedelta(minutes=settings.signin_window_minutes),
        )


DEFAULT_LIMITS = SignInLimits()


def authenticate(
    sessions: SessionFactory,
    name: str,
    password: str,
    *,
    now: dt.datetime,
    address: str = "",
    limits: SignInLimits = DEFAULT_LIMITS,
) -> User:
    """The active user with this name and password; ``PermissionDenied`` otherwise (the
    same words whichever part was wrong), ``TooManySignIns`` while throttled."""
    key, address = _clean(name), _clean(address, ADDRESS_LENGTH)
    with read_transaction(sessions) as session:
        _refuse_if_throttled(session, key, address, now, limits)
        user = _find(session, name)
    if not _password_matches(user, password):
        _record_failure(sessions, key, address, now, limits.window)
        raise PermissionDenied("unknown user or wrong password")
    assert user is not None
    _forget_failures(sessions, key)
    return user


def change_own_password(
    sessions: SessionFactory,
    user: User,
    current: str,
    new: str,
    *,
    now: dt.datetime,
    address: str = "",
    limits: SignInLimits = DEFAULT_LIMITS,
) -> User:
    """``user`` changes their password, proving it is them with the current one (counted
    and throttled as a sign-in). Their other sessions end (``users.set_password``)."""
    try:
        authenticate(sessions, user.name, current, now=now, address=address, limits=limits)
    except TooManySignIns:
        raise
    except PermissionDenied:
        raise InvalidInput("current_password", "is not your current password") from None
    return users.set_password(sessions, user.name, new, actor=user, now=now)


def _clean(text: str, longest: int = NAME_LENGTH) -> str:
    """As the failure is stored: no NUL (PostgreSQL refuses it in text), at most a column."""
    return text.replace("\x00", "")[:longest]


def _find(session: Session, name: str) -> User | None:
    if "\x00" in name:  # no user has one, and PostgreSQL would refuse the query
        return None
    return session.exec(select(User).where(User.name == name)).first()


def _password_matches(user: User | None, password: str) -> bool:
    """Checks one scrypt hash whatever ``user`` is: theirs, or one nothing matches."""
    stored = users.NO_MATCH_HASH
    if user is not None and user.active and user.password_hash:
        stored = user.password_hash
    return users.verify_password(password, stored) and stored is not users.NO_MATCH_HASH


def _refuse_if_throttled(
    session: Session, key: str, address: str, now: dt.datetime, limits: SignInLimits
) -> None:
    checks = [
        (col(SignInFailure.user_name), key, limits.max_per_name, f"for the user name {key!r}")
    ]
    if address:  # a server that cannot say where a request came from throttles by name only
        checks.append(
            (col(SignInFailure.address), address, limits.max_per_address, "from your address")
        )
    for column, value, limit, whose in checks:
        free_at = _free_at(session, column, value, limit, now, limits.window)
        if free_at is not None:
            raise TooManySignIns(whose, retry_after=math.ceil((free_at - now).total_seconds()))


def _free_at(
    session: Session, column: Any, value: str, limit: int, now: dt.datetime, window: dt.timedelta
) -> dt.datetime | None:
    """When ``value`` may try again, if it has ``limit`` failures in the window: when the
    ``limit``-th most recent of them leaves it; ``None`` if it may try now."""
    recent = session.exec(
        select(SignInFailure.at)
        .where(column == value, col(SignInFailure.at) > now - window)
        .order_by(col(SignInFailure.at).desc())
        .limit(limit)
    ).all()
    return recent[-1] + window if len(recent) >= limit else None


def _record_failure(
    sessions: SessionFactory, key: str, address: str, now: dt.datetime, window: dt.timedelta
) -> None:
    with sessions.begin() as session:
        session.execute(delete(SignInFailure).where(col(SignInFailure.at) <= now - window))
        session.add(SignInFailure(at=now, user_name=key, address=address))


def _forget_failures(sessions: SessionFactory, key: str) -> None:
    with sessions.begin() as session:
        session.execute(delete(SignInFailure).where(col(SignInFailure.user_name) == key))
