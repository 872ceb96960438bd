"""The one table of who may do what: its every row, and services refusing by it.

``EXPECTED`` restates the table by hand, so a change of anyone's rights shows up here
as a deliberate edit. The services' former ``require_role`` checks map onto its rows
with the same roles (admins always included):

* environment manager: ``environments:write``, ``maintenance:write``,
  ``requests:decide``, ``requests:cancel-others``, ``bookings:direct``,
  ``bookings:cancel-others``, ``bookings:move``, ``bookings:start``,
  ``planruns:accept``, ``whatif:promote``;
* environment or release manager: ``freezes:write``;
* release manager: ``releases:write``, ``windows:write``, ``templates:write``,
  ``gates:define``, ``gates:waive``, ``gates:veto`` (with the gate's sign-off role);
* planner or environment manager: ``whatif:write``;
* every role but the viewer: ``requests:create``;
* admins only: ``users:admin``, ``gates:sign`` (with the gate's sign-off role).
"""

from __future__ import annotations

import pytest

from envsched.booking import move
from envsched.db import SessionFactory
from envsched.errors import PermissionDenied
from envsched.inventory import environments as inventory
from envsched.lifecycle import releases
from envsched.lifecycle.shapes import ReleaseIn
from envsched.models import Role, User
from envsched.permissions import DOING, PERMISSIONS, can, refusal_words, require, roles_with
from tests.envsched.factories import DAY0, NOW, Factory

A, E, T, R, P = "admin", "environment_manager", "test_manager", "release_manager", "planner"
REQUESTERS = {A, E, T, R, P}
EVERYONE = REQUESTERS | {"viewer"}

EXPECTED: dict[str, set[str]] = {
    "dashboard:read": EVERYONE,
    "environments:read": EVERYONE,
    "releases:read": EVERYONE,
    "bookings:read": EVERYONE,
    "requests:read": EVERYONE,
    "timeline:read": EVERYONE,
    "slots:read": EVERYONE,
    "capacity:read": EVERYONE,
    "clashes:read": EVERYONE,
    "calendar:read": EVERYONE,
    "gates:read": EVERYONE,
    "kpis:read": EVERYONE,
    "work:read": EVERYONE,
    "notifications:read": EVERYONE,
    "search:read": EVERYONE,
    "environments:write": {A, E},
    "maintenance:write": {A, E},
    "freezes:write": {A, E, R},
    "requests:create": REQUESTERS,
    "requests:cancel": REQUESTERS,
    "requests:cancel-others": {A, E},
    "requests:decide": {A, E},
    "bookings:direct": {A, E},
    "bookings:cancel": REQUESTERS,
    "bookings:cancel-others": {A, E},
    "bookings:move": {A, E},
    "bookings:start": {A, E},
    "releases:write": {A, R},
    "windows:read": EVERYONE,
    "windows:write": {A, R},
    "templates:read": EVERYONE,
    "templates:write": {A, R},
    "gates:define": {A, R},
    "gates:decide": {A, E, T, R},
    "gates:sign": {A},
    "gates:veto": {A, R},
    "gates:waive": {A, R},
    "planruns:read": EVERYONE,
    "planruns:run": {A, E, P},
    "planruns:accept": {A, E},
    "whatif:read": EVERYONE,
    "whatif:write": {A, E, P},
    "whatif:promote": {A, E},
    "audit:read": {A, E},
    "deliveries:read": {A},
    "users:admin": {A},
    "account:manage": EVERYONE,
    # booking series (issue 16)
    "series:read": EVERYONE,
    "series:create": {A, E},
    "series:cancel": {A, E},
    # environment health
    "health:write": {A, E},
    # check-in and team quotas (issue 16)
    "bookings:checkin": REQUESTERS,
    "bookings:checkin-others": {A, E},
    "teams:admin": {A},
    "quotas:read": {A, E},
    "quotas:write": {A, E},
    # stacks (issue 16)
    "stacks:read": EVERYONE,
    "stacks:write": {"admin", "environment_manager"},
    "stacks:book": {"admin", "environment_manager"},
}


def test_the_table_lists_every_permission_and_its_roles() -> None:
    assert {name: {role.value for role in roles} for name, roles in PERMISSIONS.items()} == EXPECTED


def test_an_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="bookings:teleport"):
        roles_with("bookings:teleport")


def _user(role: Role, *, active: bool = True) -> User:
    return User(name=role.value, role=role, active=active, created_at=NOW)


@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
@pytest.mark.parametrize("role", list(Role))
def test_require_refuses_exactly_the_roles_the_table_leaves_out(
    permission: str, role: Role
) -> None:
    user = _user(role)
    if role.value in EXPECTED[permission]:
        require(user, permission)
        assert can(user, permission)
    else:
        with pytest.raises(PermissionDenied, match=permission):
            require(user, permission)
        assert not can(user, permission)


def test_the_system_may_do_anything_and_a_deactivated_user_nothing() -> None:
    require(None, "users:admin")
    with pytest.raises(PermissionDenied, match="deactivated"):
        require(_user(Role.ADMIN, active=False), "dashboard:read")
    assert not can(None, "dashboard:read")


def test_roles_the_thing_names_are_let_through_on_top_of_the_table() -> None:
    planner = _user(Role.PLANNER)
    require(planner, "gates:sign", also=(Role.PLANNER,))
    with pytest.raises(PermissionDenied, match="gates:sign"):
        require(planner, "gates:sign", also=(Role.TEST_MANAGER,))


def _lacking(permission: str) -> list[Role]:
    return [role for role in Role if role.value not in EXPECTED[permission]]


@pytest.mark.parametrize("role", _lacking("environments:write"))
def test_a_service_refuses_a_role_without_the_permission(
    sessions: SessionFactory, make_user: Factory, role: Role
) -> None:
    actor = make_user(role=role)
    with pytest.raises(PermissionDenied, match="environments:write"):
        inventory.create_environment_type(sessions, "UAT", actor=actor, now=NOW)
    assert inventory.environment_types(sessions) == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ENVIRONMENT_MANAGER])
def test_the_same_service_call_goes_through_for_a_role_with_it(
    sessions: SessionFactory, make_user: Factory, role: Role
) -> None:
    actor = make_user(role=role)
    inventory.create_environment_type(sessions, "UAT", actor=actor, now=NOW)
    assert [name for name, _description, _count in inventory.environment_types(sessions)] == ["UAT"]


@pytest.mark.parametrize("role", _lacking("releases:write"))
def test_the_release_service_refuses_a_role_without_releases_write(
    sessions: SessionFactory, make_user: Factory, role: Role
) -> None:
    actor = make_user(role=role)
    with pytest.raises(PermissionDenied, match="releases:write"):
        releases.create_release(
            sessions, ReleaseIn(key="R9", title="refused"), actor=actor, now=NOW
        )


@pytest.mark.parametrize("role", _lacking("bookings:move"))
def test_the_move_service_refuses_a_role_without_bookings_move(
    sessions: SessionFactory, make_user: Factory, make_booking: Factory, role: Role
) -> None:
    actor, booking = make_user(role=role), make_booking()
    with pytest.raises(PermissionDenied, match="bookings:move"):
        move.move_booking(
            sessions, booking.id, environment="UAT-2", start=DAY0, actor=actor, now=NOW
        )


def test_every_permission_is_said_in_words_for_a_refused_page() -> None:
    assert set(DOING) == set(PERMISSIONS)
    assert refusal_words(Role.VIEWER, "series:create") == (
        "As a viewer, you may not book repeating bookings; an admin or an environment manager may."
    )


def test_a_refusal_that_every_role_but_the_viewer_may_pass_says_so_short() -> None:
    assert refusal_words(Role.VIEWER, "requests:create") == (
        "As a viewer, you may not request a booking; any role but viewer may."
    )
    assert refusal_words(Role.VIEWER, "bookings:cancel") == (
        "As a viewer, you may not cancel a booking; any role but viewer may."
    )


def test_a_refusal_keeps_the_permission_for_the_api_and_words_for_a_page(
    make_user: Factory,
) -> None:
    viewer = make_user(name="vic", role=Role.VIEWER)
    with pytest.raises(PermissionDenied) as refused:
        require(viewer, "bookings:move")
    assert "(bookings:move)" in refused.value.message
    assert refused.value.said == (
        "As a viewer, you may not move bookings; an admin or an environment manager may."
    )
