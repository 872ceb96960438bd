"""Signing in (throttled in the database) and the session version that ends sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from envsched.accounts import signin, users
from envsched.audit import log as audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, PermissionDenied, TooManySignIns
from envsched.models import Role, SignInFailure
from tests.envsched.factories import NOW, Factory

PASSWORD = "long enough"
LIMITS = signin.SignInLimits(max_per_name=3, max_per_address=5, window=dt.timedelta(minutes=10))


def version(sessions: SessionFactory, name: str) -> int:
    return users.find_user(sessions, name).session_version


def failures(sessions: SessionFactory) -> list[tuple[str, str]]:
    with read_transaction(sessions) as session:
        rows = session.exec(select(SignInFailure).order_by(col(SignInFailure.id))).all()
        return [(row.user_name, row.address) for row in rows]


def wrong(
    sessions: SessionFactory, name: str, *, address: str = "192.0.2.1", now: dt.datetime = NOW
) -> None:
    with pytest.raises(PermissionDenied) as refused:
        signin.authenticate(sessions, name, "not it", now=now, address=address, limits=LIMITS)
    assert not isinstance(refused.value, TooManySignIns)


@pytest.fixture
def ada(sessions: SessionFactory) -> str:
    users.create_user(sessions, "ada", Role.PLANNER, actor=None, now=NOW, password=PASSWORD)
    return "ada"


def test_the_limit_refuses_the_name_until_the_window_has_passed(
    sessions: SessionFactory, ada: str
) -> None:
    for _ in range(3):
        wrong(sessions, ada)
    with pytest.raises(TooManySignIns) as refused:
        signin.authenticate(sessions, ada, PASSWORD, now=NOW, limits=LIMITS)
    assert refused.value.retry_after == 600 and refused.value.code == "too_many_sign_ins"
    later = NOW + dt.timedelta(minutes=10)
    assert signin.authenticate(sessions, ada, PASSWORD, now=later, limits=LIMITS).name == ada
    assert failures(sessions) == []  # a success forgets the name's failures


def test_a_refused_try_is_not_counted(sessions: SessionFactory, ada: str) -> None:
    for _ in range(3):
        wrong(sessions, ada)
    for _ in range(3):
        with pytest.raises(TooManySignIns):
            signin.authenticate(sessions, ada, "not it", now=NOW, limits=LIMITS)
    assert len(failures(sessions)) == 3


def test_old_failures_are_deleted_as_new_ones_come(sessions: SessionFactory) -> None:
    wrong(sessions, "old")
    wrong(sessions, "new", now=NOW + dt.timedelta(minutes=11))
    assert failures(sessions) == [("new", "192.0.2.1")]


def test_odd_user_names_are_refused_and_counted_as_typed(sessions: SessionFactory) -> None:
    """A NUL byte (which PostgreSQL refuses in text) and a name longer than any user's."""
    wrong(sessions, "a\x00b", address="2001:db8::1")
    wrong(sessions, "x" * 200)
    assert failures(sessions) == [("ab", "2001:db8::1"), ("x" * 64, "192.0.2.1")]


def test_deactivated_and_token_only_users_are_refused_like_unknown_ones(
    sessions: SessionFactory, ada: str
) -> None:
    users.create_user(sessions, "robot", Role.VIEWER, actor=None, now=NOW)
    users.set_active(sessions, ada, False, actor=None, now=NOW)
    for name in (ada, "robot", "nobody"):
        with pytest.raises(PermissionDenied, match=r"^unknown user or wrong password$"):
            signin.authenticate(sessions, name, PASSWORD, now=NOW, limits=LIMITS)


def test_a_wrong_current_password_is_named_and_counted(sessions: SessionFactory, ada: str) -> None:
    me = users.find_user(sessions, ada)
    with pytest.raises(InvalidInput) as refused:
        signin.change_own_password(sessions, me, "not it", "a new password", now=NOW, limits=LIMITS)
    assert refused.value.field == "current_password"
    assert failures(sessions) == [(ada, "")]


@pytest.mark.parametrize(
    "change",
    [
        lambda s: users.set_password(s, "ada", "another one", actor=None, now=NOW),
        lambda s: users.set_role(s, "ada", Role.VIEWER, actor=None, now=NOW),
        lambda s: users.set_active(s, "ada", False, actor=None, now=NOW),
        lambda s: users.update_user(s, "ada", role=Role.TEST_MANAGER, actor=None, now=NOW),
        lambda s: users.end_sessions(s, "ada"),
    ],
    ids=["password", "role", "deactivate", "update-role", "sign-out"],
)
def test_every_change_that_ends_sessions_gives_a_new_version(
    sessions: SessionFactory, ada: str, change: Factory
) -> None:
    before = version(sessions, ada)
    change(sessions)
    assert version(sessions, ada) != before


@pytest.mark.parametrize(
    "change",
    [
        lambda s: users.set_role(s, "ada", Role.PLANNER, actor=None, now=NOW),
        lambda s: users.set_active(s, "ada", True, actor=None, now=NOW),
        lambda s: users.update_user(s, "ada", full_name="Ada L.", actor=None, now=NOW),
    ],
    ids=["same-role", "still-active", "full-name"],
)
def test_changes_that_do_not_end_sessions_keep_the_version(
    sessions: SessionFactory, ada: str, change: Factory
) -> None:
    before = version(sessions, ada)
    change(sessions)
    assert version(sessions, ada) == before


def test_the_audit_log_never_keeps_the_session_version(sessions: SessionFactory, ada: str) -> None:
    users.set_password(sessions, ada, "another one", actor=None, now=NOW)
    entries = audit.history(sessions, "app_user", users.find_user(sessions, ada).id)
    assert all("session_version" not in (e.after or {}) for e in entries)
