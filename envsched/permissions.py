"""Who may do what: the one table of permissions (actions) and the roles that hold them.

Services enforce it (``require(actor, "bookings:move")``) and the web layer reads it:
``@requires`` on pages and endpoints, menus and buttons (``can``), the page and route
tables and the OpenAPI notes (``roles_with``). Admins hold every permission; ``None`` as
the actor is the system itself (the CLI, the scheduler) and may do anything.

Finer rules than a role stay in the services that own them: a test manager holds
``bookings:cancel`` but the booking service lets them cancel only bookings of their own
requests (others' need ``bookings:cancel-others``); a gate is signed by its own sign-off
role, which the gates service passes as ``also``.
"""

from __future__ import annotations

from collections.abc import Collection

from envsched.errors import PermissionDenied
from envsched.models import Role, User

ALL = frozenset(Role)
ADMIN = Role.ADMIN
ENV = Role.ENVIRONMENT_MANAGER
TEST = Role.TEST_MANAGER
REL = Role.RELEASE_MANAGER
PLAN = Role.PLANNER

# Everyone who may ask for an environment.
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
    # the booking workflow: one's own requests and bookings, and everyone's
    "requests:create": REQUESTERS,
    "requests:cancel": REQUESTERS,
    "requests:cancel-others": frozenset({ADMIN, ENV}),
    "requests:decide": frozenset({ADMIN, ENV}),
    "bookings:direct": frozenset({ADMIN, ENV}),
    "bookings:cancel": REQUESTERS,
    "bookings:cancel-others": frozenset({ADMIN, ENV}),
    "bookings:move": frozenset({ADMIN, ENV}),
    "bookings:start": frozenset({ADMIN, ENV}),
    # releases, their phases, status flow, deployments and links
    "releases:write": frozenset({ADMIN, REL}),
    # the release strategy, its windows, and release templates
    "windows:read": ALL,
    "windows:write": frozenset({ADMIN, REL}),
    "templates:read": ALL,
    "templates:write": frozenset({ADMIN, REL}),
    # gates: a gate's own sign-off role signs and vetoes it on top of these
    "gates:define": frozenset({ADMIN, REL}),
    "gates:decide": frozenset({ADMIN, ENV, TEST, REL}),
    "gates:sign": frozenset({ADMIN}),
    "gates:veto": frozenset({ADMIN, REL}),
    "gates:waive": frozenset({ADMIN, REL}),
    # planning rounds and what-if scenarios
    "planruns:read": ALL,
    "planruns:run": frozenset({ADMIN, ENV, PLAN}),
    "planruns:accept": frozenset({ADMIN, ENV}),
    "whatif:read": ALL,
    "whatif:write": frozenset({ADMIN, ENV, PLAN}),
    "whatif:promote": frozenset({ADMIN, ENV}),
    # oversight and administration (other users' accounts, passwords and API tokens)
    "audit:read": frozenset({ADMIN, ENV}),
    "deliveries:read": frozenset({ADMIN}),
    "users:admin": frozenset({ADMIN}),
    # one's own account: password, API tokens, feed URLs (the views check it is one's own)
    "account:manage": ALL,
    # booking series (issue 16): runs are booked outright, as a direct booking is
    "series:read": ALL,
    "series:create": frozenset({ADMIN, ENV}),
    "series:cancel": frozenset({ADMIN, ENV}),
    # environment health: who sets an environment's health URL (everyone reads its health)
    "health:write": frozenset({ADMIN, ENV}),
    # check-in of bookings and team quotas (issue 16): one's own booking (the service
    # checks it is one's own), anyone's; teams and their members; quotas and their usage
    "bookings:checkin": REQUESTERS,
    "bookings:checkin-others": frozenset({ADMIN, ENV}),
    "teams:admin": frozenset({ADMIN}),
    "quotas:read": frozenset({ADMIN, ENV}),
    "quotas:write": frozenset({ADMIN, ENV}),
    # stacks (issue 16): environments booked together, kept and booked by their managers
    "stacks:read": ALL,
    "stacks:write": frozenset({ADMIN, ENV}),
    "stacks:book": frozenset({ADMIN, ENV}),
}
# What each permission lets a person do, as the end of "you may not …" (a page's refusal).
DOING: dict[str, str] = {
    "dashboard:read": "see the dashboard",
    "environments:read": "see the environments",
    "releases:read": "see the releases",
    "bookings:read": "see the bookings",
    "requests:read": "see booking requests",
    "timeline:read": "see the timeline",
    "slots:read": "look for free slots",
    "capacity:read": "see the capacity",
    "clashes:read": "see the clashes",
    "calendar:read": "read the calendars",
    "gates:read": "see the gates",
    "kpis:read": "see the release KPIs",
    "work:read": "see My work",
    "notifications:read": "read notifications",
    "search:read": "search",
    "environments:write": "add or change environments",
    "maintenance:write": "plan maintenance windows",
    "freezes:write": "set change freezes",
    "requests:create": "request a booking",
    "requests:cancel": "withdraw a request",
    "requests:cancel-others": "withdraw other people's requests",
    "requests:decide": "approve, waitlist or refuse booking requests",
    "bookings:direct": "book an environment directly",
    "bookings:cancel": "cancel a booking",
    "bookings:cancel-others": "cancel or hand back other people's bookings",
    "bookings:move": "move bookings",
    "bookings:start": "start bookings",
    "releases:write": "add or change releases",
    "windows:read": "see the release windows",
    "windows:write": "change the release windows",
    "templates:read": "see the release templates",
    "templates:write": "change the release templates",
    "gates:define": "set a gate's criteria",
    "gates:decide": "decide gates",
    "gates:sign": "sign off this gate",
    "gates:veto": "veto gates",
    "gates:waive": "waive gates",
    "planruns:read": "see the plan runs",
    "planruns:run": "start a re-plan",
    "planruns:accept": "accept a plan's proposals",
    "whatif:read": "see the what-if scenarios",
    "whatif:write": "make or change what-if scenarios",
    "whatif:promote": "put a what-if scenario's plan in place",
    "audit:read": "read the audit log",
    "deliveries:read": "see the failed deliveries",
    "users:admin": "manage users",
    "account:manage": "manage your account",
    "series:read": "see repeating bookings",
    "series:create": "book repeating bookings",
    "series:cancel": "cancel repeating bookings",
    "health:write": "set an environment's health check",
    "bookings:checkin": "check in a booking",
    "bookings:checkin-others": "check in other people's bookings",
    "teams:admin": "manage teams",
    "quotas:read": "see the team quotas",
    "quotas:write": "set team quotas",
    "stacks:read": "see the stacks",
    "stacks:write": "add or change stacks",
    "stacks:book": "book stacks",
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


def require(actor: User | None, permission: str, *, also: Collection[Role] = ()) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` holds ``permission`` or one of ``also``
    (roles the thing itself names, such as a gate's sign-off role).

    ``None`` is the system itself (the CLI, the scheduler): it may do anything.
    """
    if actor is None:
        return
    if not actor.active:
        raise PermissionDenied(f"user {actor.name!r} is deactivated")
    roles = roles_with(permission) | frozenset(also)
    if actor.role == Role.ADMIN or actor.role in roles:
        return
    allowed = ", ".join(sorted(r.value for r in roles))
    raise PermissionDenied(
        f"user {actor.name!r} ({actor.role.value}) may not do this "
        f"({permission}); it needs one of: {allowed}",
        said=refusal_words(actor.role, permission, roles),
    )


def refusal_words(role: Role, permission: str, roles: Collection[Role] = ()) -> str:
    """A refusal as a page says it, from this table: "As a viewer, you may not book
    repeating bookings; an admin or an environment manager may." (an API client reads
    the permission's name in the error's message instead)."""
    allowed = {ADMIN, *(roles or roles_with(permission))}
    return f"As {_a_role(role)}, you may not {DOING[permission]}; {_who_may(allowed)} may."


def _who_may(allowed: Collection[Role]) -> str:
    """The roles that may, said short: "an admin or a planner", or, when every role but
    one may, "any role but viewer" (five roles in a row read as a list, not an answer)."""
    barred = [r for r in Role if r not in allowed]
    if len(barred) == 1 and len(allowed) > 2:
        return f"any role but {barred[0].value.replace('_', ' ')}"
    return " or ".join(_a_role(r) for r in sorted(allowed))


def _a_role(role: Role) -> str:
    words = role.value.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"
