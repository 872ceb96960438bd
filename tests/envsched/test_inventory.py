"""Inventory, releases, users and settings services: happy paths and named errors."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.accounts import signin, tokens, users
from envsched.audit import log as audit
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, ConfigError, InvalidInput, PermissionDenied
from envsched.inventory import environments as inventory
from envsched.inventory.shapes import EnvironmentIn, EnvironmentPatch
from envsched.lifecycle import releases
from envsched.lifecycle.shapes import PhaseIn, ReleaseIn
from envsched.models import Role
from envsched.settings import DEFAULT_DATABASE_URL, Settings
from tests.envsched.factories import DAY0, NOW, Factory


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def test_an_environment_is_created_with_components_and_audited(sessions: SessionFactory) -> None:
    inventory.create_environment_type(sessions, "UAT", actor=None, now=NOW)
    env = inventory.create_environment(
        sessions,
        EnvironmentIn(
            name="UAT-1",
            type="UAT",
            capacity=2,
            tags=["mainframe"],
            components={"payments-api": "4.2.1"},
        ),
        actor=None,
        now=NOW,
    )
    assert env.capacity == 2
    [entry] = audit.history(sessions, "environment", env.id)
    assert entry.action == "create" and entry.after is not None
    with pytest.raises(InvalidInput) as caught:
        inventory.create_environment(
            sessions, EnvironmentIn(name="UAT-2", type="NOPE"), actor=None, now=NOW
        )
    assert caught.value.field == "type"


def test_capacity_cannot_drop_below_what_is_booked(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment(capacity=2)
    make_booking(env, start=day(0), end=day(5))
    make_booking(env, start=day(3), end=day(8))
    with pytest.raises(BookingConflict) as caught:
        inventory.update_environment(
            sessions, env.name, EnvironmentPatch(capacity=1), actor=None, now=NOW
        )
    assert len(caught.value.clashes) == 1
    updated = inventory.update_environment(
        sessions, env.name, EnvironmentPatch(capacity=3), actor=None, now=NOW
    )
    assert updated.capacity == 3


def test_a_maintenance_window_over_live_bookings_needs_force(
    sessions: SessionFactory, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    make_booking(env, start=day(0), end=day(5))
    with pytest.raises(BookingConflict):
        inventory.add_maintenance_window(sessions, env.name, day(4), day(6), actor=None, now=NOW)
    window = inventory.add_maintenance_window(
        sessions, env.name, day(4), day(6), actor=None, now=NOW, force=True, reason="urgent patch"
    )
    assert window.id is not None
    with pytest.raises(InvalidInput) as caught:
        inventory.add_maintenance_window(sessions, env.name, day(6), day(6), actor=None, now=NOW)
    assert caught.value.field == "end"


def test_phases_are_added_in_order_and_check_their_references(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    make_environment(type="SIT")
    releases.create_release(
        sessions, ReleaseIn(key="R1", title="Payments 4.2"), actor=None, now=NOW
    )
    releases.add_phase(
        sessions, "R1", PhaseIn(key="R1-SIT", type="SIT", duration_days=10), actor=None, now=NOW
    )
    releases.add_phase(
        sessions,
        "R1",
        PhaseIn(key="R1-DEV", type="SIT", duration_days=2, position=0),
        actor=None,
        now=NOW,
    )
    with sessions() as session:
        release = releases.get_release(session, "R1")
        assert [(p.key, p.position) for p in release.phases] == [("R1-DEV", 0), ("R1-SIT", 1)]
    with pytest.raises(InvalidInput) as caught:
        releases.add_phase(
            sessions,
            "R1",
            PhaseIn(key="R1-X", type="SIT", duration_days=1, after=["R2-SIT"]),
            actor=None,
            now=NOW,
        )
    assert caught.value.field == "after"


def test_passwords_and_tokens_verify_and_only_admins_add_users(
    sessions: SessionFactory, make_user: Factory
) -> None:
    user = users.create_user(
        sessions, "ada", Role.PLANNER, actor=None, now=NOW, password="correct horse"
    )
    assert user.password_hash and "correct" not in user.password_hash
    assert signin.authenticate(sessions, "ada", "correct horse", now=NOW).name == "ada"
    with pytest.raises(PermissionDenied):
        signin.authenticate(sessions, "ada", "wrong", now=NOW)
    token, secret = tokens.issue_token(
        sessions, "ada", actor=None, now=NOW, expires_at=NOW + dt.timedelta(days=1)
    )
    assert token.token_hash != secret
    assert tokens.user_for_token(sessions, secret, now=NOW).name == "ada"
    with pytest.raises(PermissionDenied):
        tokens.user_for_token(sessions, secret, now=NOW + dt.timedelta(days=2))
    with pytest.raises(PermissionDenied):
        users.create_user(sessions, "eve", Role.ADMIN, actor=user, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        users.create_user(sessions, "bob", "boss", actor=None, now=NOW)
    assert caught.value.field == "role"


def test_settings_come_from_envsched_variables_and_bad_values_name_the_variable() -> None:
    assert Settings.from_env({}).database_url == DEFAULT_DATABASE_URL
    read = Settings.from_env(
        {"ENVSCHED_DATABASE_URL": "postgresql://db/x", "ENVSCHED_DATABASE_ECHO": "yes"}
    )
    assert (read.database_url, read.database_echo) == ("postgresql://db/x", True)
    with pytest.raises(ConfigError, match="ENVSCHED_HORIZON_DAYS"):
        Settings.from_env({"ENVSCHED_HORIZON_DAYS": "0"})
