"""User administration services: deactivation, roles, and always one admin left."""

from __future__ import annotations

import pytest

from envsched.accounts import signin, tokens, users
from envsched.audit import log as audit
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, NotFound, PermissionDenied
from envsched.models import Role
from tests.envsched.factories import NOW, Factory


def test_a_deactivated_user_cannot_sign_in_nor_use_a_token_until_reactivated(
    sessions: SessionFactory, make_user: Factory
) -> None:
    admin = make_user(role=Role.ADMIN)
    users.create_user(sessions, "ada", Role.PLANNER, actor=admin, now=NOW, password="long enough")
    _token, secret = tokens.issue_token(sessions, "ada", actor=admin, now=NOW)
    users.set_active(sessions, "ada", False, actor=admin, now=NOW)
    with pytest.raises(PermissionDenied):
        signin.authenticate(sessions, "ada", "long enough", now=NOW)
    with pytest.raises(PermissionDenied):
        tokens.user_for_token(sessions, secret, now=NOW)
    users.set_active(sessions, "ada", True, actor=admin, now=NOW)
    assert signin.authenticate(sessions, "ada", "long enough", now=NOW).name == "ada"
    assert tokens.user_for_token(sessions, secret, now=NOW).name == "ada"
    ada = users.find_user(sessions, "ada")
    actions = [e.action for e in audit.history(sessions, "app_user", ada.id)]
    assert actions == ["create", "deactivate", "reactivate"]


def test_nobody_deactivates_themselves(sessions: SessionFactory, make_user: Factory) -> None:
    admin = make_user(role=Role.ADMIN)
    make_user(role=Role.ADMIN)
    with pytest.raises(InvalidInput) as caught:
        users.set_active(sessions, admin.name, False, actor=admin, now=NOW)
    assert caught.value.field == "active"
    assert users.find_user(sessions, admin.name).active


def test_the_last_active_admin_keeps_the_role_and_stays_active(
    sessions: SessionFactory, make_user: Factory
) -> None:
    admin = make_user(role=Role.ADMIN)
    make_user(role=Role.ADMIN, name="gone", active=False)  # an inactive admin does not count
    with pytest.raises(InvalidInput) as caught:
        users.set_role(sessions, admin.name, Role.PLANNER, actor=admin, now=NOW)
    assert caught.value.field == "role"
    with pytest.raises(InvalidInput) as caught:
        users.set_active(sessions, admin.name, False, actor=None, now=NOW)
    assert caught.value.field == "active"
    kept = users.find_user(sessions, admin.name)
    assert (kept.role, kept.active) == (Role.ADMIN, True)


def test_with_a_second_admin_one_may_step_down(
    sessions: SessionFactory, make_user: Factory
) -> None:
    admin = make_user(role=Role.ADMIN)
    make_user(role=Role.ADMIN)
    users.set_role(sessions, admin.name, Role.VIEWER, actor=admin, now=NOW)
    assert users.find_user(sessions, admin.name).role == Role.VIEWER


def test_only_admins_change_roles_and_activity(
    sessions: SessionFactory, make_user: Factory
) -> None:
    manager = make_user(role=Role.ENVIRONMENT_MANAGER)
    other = make_user(role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        users.set_role(sessions, other.name, Role.ADMIN, actor=manager, now=NOW)
    with pytest.raises(PermissionDenied):
        users.set_active(sessions, other.name, False, actor=manager, now=NOW)
    assert users.find_user(sessions, other.name).role == Role.VIEWER


def test_a_short_initial_password_is_refused_naming_the_field(sessions: SessionFactory) -> None:
    with pytest.raises(InvalidInput) as caught:
        users.create_user(sessions, "bob", Role.VIEWER, actor=None, now=NOW, password="short")
    assert caught.value.field == "password"
    with pytest.raises(NotFound):
        users.find_user(sessions, "bob")
