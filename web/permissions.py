"""The permission matrix: which roles may do what, by permission name.

Pages and API endpoints name the permission they need (``@requires("requests:decide")``);
the matrix below is the one place that says which roles hold it. Services still check
roles themselves (``require_role``): the web refuses early and clearly, the service is
the rule. Admins hold every permission.

Ownership is finer than a role and stays in the services: a test manager holds
``bookings:cancel`` but the booking service lets them cancel only bookings of their own
requests.
"""

from __future__ import annotations

from envsched.models import Role, User

ALL = frozenset(Role)
ADMIN = Role.ADMIN
ENV = Role.ENVIRONMENT_MANAGER
TEST = Role.TEST_MANAGER
REL = Role.RELEASE_MANAGER
PLAN = Role.PLANNER

# The same roles as envsched.booking.requests.REQUESTERS, plus admin.
REQUESTERS = frozenset({ADMIN, TEST, REL, PLAN, ENV})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # reading: everyone who can sign in
    "dashboard:read": ALL,
    "environments:read": ALL,
    "releases:read": ALL,
    "bookings:read": ALL,
    "requests:read": ALL,
    "timeline:read": ALL,
    "slots:read": ALL,
    "capacity:read": ALL,
    "clashes:read": ALL,
    "calendar:read": ALL,
    "gates:read": ALL,
    "kpis:read": ALL,
    # one's own work: My work, one's notifications (the service keeps them one's own), search
    "work:read": ALL,
    "notifications:read": ALL,
    "search:read": ALL,
    # the environment inventory
    "environments:write": frozenset({ADMIN, ENV}),
    "maintenance:write": frozenset({ADMIN, ENV}),
    "freezes:write": frozenset({ADMIN, ENV, REL}),
    # the booking workflow
    "requests:create": REQUESTERS,
    "requests:cancel": REQUESTERS,
    "requests:decide": frozenset({ADMIN, ENV}),
    "bookings:direct": frozenset({ADMIN, ENV}),
    "bookings:cancel": REQUESTERS,
    "bookings:move": frozenset({ADMIN, ENV}),
    "bookings:start": frozenset({ADMIN, ENV}),
    # releases and their phases
    "releases:write": frozenset({ADMIN, REL}),
    # the release strategy, its windows, and release templates
    "windows:read": ALL,
    "windows:write": frozenset({ADMIN, REL}),
    "templates:read": ALL,
    "templates:write": frozenset({ADMIN, REL}),
    # gates: the service checks the gate's own sign-off role on top
    "gates:define": frozenset({ADMIN, REL}),
    "gates:decide": frozenset({ADMIN, ENV, TEST, REL}),
    "gates:waive": frozenset({ADMIN, REL}),
    # planning rounds and what-if scenarios
    "planruns:read": ALL,
    "planruns:run": frozenset({ADMIN, ENV, PLAN}),
    "planruns:accept": frozenset({ADMIN, ENV}),
    "whatif:read": ALL,
    "whatif:write": frozenset({ADMIN, ENV, PLAN}),
    "whatif:promote": frozenset({ADMIN, ENV}),
    # oversight and administration
    "audit:read": frozenset({ADMIN, ENV}),
    "deliveries:read": frozenset({ADMIN}),
    "users:admin": frozenset({ADMIN}),
    # one's own account: password, API tokens, feed URLs (the views check it is one's own)
    "account:manage": ALL,
}


def roles_with(permission: str) -> frozenset[Role]:
    """The roles holding ``permission``; an unknown name is a programming error."""
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}; add it to PERMISSIONS") from None


def can(user: User | None, permission: str) -> bool:
    """May ``user`` (None: nobody signed in) do ``permission``?"""
    if user is None or not user.active:
        return False
    return user.role == Role.ADMIN or user.role in roles_with(permission)
