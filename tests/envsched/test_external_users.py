"""Single sign-on's users: created on first sign-in, role from the claim at every sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from envsched.accounts import external_users, users
from envsched.accounts.external_users import ExternalClaims, RoleMapping
from envsched.audit import words as audit_words
from envsched.db import SessionFactory, read_transaction
from envsched.errors import PermissionDenied
from envsched.models import AuditEntry, ExternalIdentity, Role, User
from envsched.settings import Settings
from tests.envsched.factories import NOW

ISSUER = "https://idp.example.test"
MAPPING = RoleMapping(
    claim="groups",
    pairs=(("env-managers", Role.ENVIRONMENT_MANAGER), ("testers", Role.TEST_MANAGER)),
)


def claims(*groups: str, subject: str = "sub-ada", name: str = "ada") -> ExternalClaims:
    return ExternalClaims(
        issuer=ISSUER,
        subject=subject,
        user_name=name,
        full_name="Ada L",
        email="ada@example.test",
        role_values=groups,
    )


def sign_in(
    sessions: SessionFactory, *groups: str, mapping: RoleMapping = MAPPING, **kwargs: Any
) -> User:
    return external_users.sign_in(sessions, claims(*groups, **kwargs), mapping, now=NOW)


def test_the_first_sign_in_creates_the_user_with_the_mapped_role(sessions: SessionFactory) -> None:
    user = sign_in(sessions, "staff", "testers")
    assert (user.name, user.role, user.password_hash) == ("ada", Role.TEST_MANAGER, None)
    with read_transaction(sessions) as session:
        identity = session.exec(select(ExternalIdentity)).one()
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(user.id))
        ).all()
    assert (identity.user_id, identity.issuer, identity.subject) == (user.id, ISSUER, "sub-ada")
    assert actions == ["create", "sign_in_sso"]


def test_the_audit_log_says_who_signed_in_with_which_groups(sessions: SessionFactory) -> None:
    sign_in(sessions, "staff", "testers")
    with read_transaction(sessions) as session:
        entries = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())
        lines = audit_words.audit_lines(session, entries)
    signed_in = lines[-1]
    assert (signed_in.actor, signed_in.action) == ("ada", "signed in with single sign-on")
    assert {"role: test manager", "groups: staff, testers"} <= set(signed_in.changes)


def test_the_first_pair_of_the_map_wins_when_several_match(sessions: SessionFactory) -> None:
    assert sign_in(sessions, "testers", "env-managers").role == Role.ENVIRONMENT_MANAGER


def test_a_later_sign_in_takes_the_new_role_and_ends_the_old_sessions(
    sessions: SessionFactory,
) -> None:
    first = sign_in(sessions, "testers")
    second = sign_in(sessions, "env-managers")
    assert (second.id, second.role) == (first.id, Role.ENVIRONMENT_MANAGER)
    assert second.session_version != first.session_version


def test_a_user_whose_claim_maps_to_nothing_is_refused_and_not_created(
    sessions: SessionFactory,
) -> None:
    with pytest.raises(PermissionDenied, match="'groups' claim holds staff"):
        sign_in(sessions, "staff")
    with read_transaction(sessions) as session:
        assert session.exec(select(User)).all() == []


def test_the_default_role_takes_whoever_maps_to_nothing(sessions: SessionFactory) -> None:
    mapping = RoleMapping(claim="groups", pairs=MAPPING.pairs, default=Role.VIEWER)
    assert sign_in(sessions, mapping=mapping).role == Role.VIEWER


def test_a_known_user_who_lost_their_group_is_refused_and_signed_out_everywhere(
    sessions: SessionFactory,
) -> None:
    before = sign_in(sessions, "testers")
    with pytest.raises(PermissionDenied, match="no role in envsched"):
        sign_in(sessions, "staff")
    after = users.find_user(sessions, "ada")
    assert after.session_version != before.session_version
    with read_transaction(sessions) as session:
        last = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id).desc())).first()
    assert last == "sign_in_sso_refused"


def test_a_local_account_of_the_same_name_is_never_taken_over(sessions: SessionFactory) -> None:
    local = users.create_user(
        sessions, "ada", Role.ADMIN, password="a-long-password", actor=None, now=NOW
    )
    user = sign_in(sessions, "testers")
    assert (user.name, user.role) == ("ada-2", Role.TEST_MANAGER)
    assert users.find_user(sessions, "ada").role == local.role


def test_a_user_deactivated_in_envsched_stays_out(sessions: SessionFactory) -> None:
    sign_in(sessions, "testers")
    users.set_active(sessions, "ada", False, actor=None, now=NOW)
    with pytest.raises(PermissionDenied, match="deactivated"):
        sign_in(sessions, "testers")


def test_the_role_map_is_read_from_the_settings() -> None:
    settings = Settings.from_env(
        {
            "ENVSCHED_OIDC_ROLE_MAP": "env-managers=environment_manager, testers=test_manager",
            "ENVSCHED_OIDC_DEFAULT_ROLE": "viewer",
            "ENVSCHED_OIDC_ROLE_CLAIM": "roles",
        }
    )
    mapping = RoleMapping.from_settings(settings)
    assert mapping == RoleMapping(claim="roles", pairs=MAPPING.pairs, default=Role.VIEWER)
