"""Bearer tokens: every use is checked afresh; ``last_used_at`` is kept to the minute."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from envsched.accounts import tokens
from envsched.db import SessionFactory
from envsched.errors import PermissionDenied
from envsched.models import ApiToken, Role
from tests.envsched.factories import NOW, Factory

SECOND = dt.timedelta(seconds=1)


def last_used(sessions: SessionFactory, token_id: int | None) -> dt.datetime | None:
    with sessions() as session:
        return session.exec(select(ApiToken.last_used_at).where(ApiToken.id == token_id)).one()


def test_last_used_at_is_written_on_first_use_then_at_most_once_a_minute(
    sessions: SessionFactory, make_user: Factory
) -> None:
    user = make_user(role=Role.PLANNER)
    token, secret = tokens.issue_token(sessions, user.name, actor=None, now=NOW)
    assert last_used(sessions, token.id) is None
    assert tokens.user_for_token(sessions, secret, now=NOW).name == user.name
    assert last_used(sessions, token.id) == NOW
    tokens.user_for_token(sessions, secret, now=NOW + 59 * SECOND)
    assert last_used(sessions, token.id) == NOW
    tokens.user_for_token(sessions, secret, now=NOW + 60 * SECOND)
    assert last_used(sessions, token.id) == NOW + 60 * SECOND


def test_a_token_revoked_a_moment_after_use_is_refused_at_once(
    sessions: SessionFactory, make_user: Factory
) -> None:
    user = make_user(role=Role.PLANNER)
    token, secret = tokens.issue_token(sessions, user.name, actor=None, now=NOW)
    tokens.user_for_token(sessions, secret, now=NOW)
    tokens.revoke_token(sessions, token.id or 0, actor=None, now=NOW + SECOND)
    with pytest.raises(PermissionDenied):
        tokens.user_for_token(sessions, secret, now=NOW + 2 * SECOND)


def test_an_expired_token_or_a_wrong_secret_is_refused(
    sessions: SessionFactory, make_user: Factory
) -> None:
    user = make_user(role=Role.PLANNER)
    _, secret = tokens.issue_token(
        sessions, user.name, actor=None, now=NOW, expires_at=NOW + dt.timedelta(hours=1)
    )
    tokens.user_for_token(sessions, secret, now=NOW)
    with pytest.raises(PermissionDenied):
        tokens.user_for_token(sessions, secret, now=NOW + dt.timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        tokens.user_for_token(sessions, secret + "x", now=NOW)
