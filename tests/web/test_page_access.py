"""The permission matrix on the pages: every page for every role, and anonymous visitors.

Each row of ``PAGES`` names a page and the permission it needs; the expected status for
a role follows from ``envsched.permissions.PERMISSIONS`` (200 with it, 403 without), so the
table below and the matrix cannot drift apart silently: a page whose guard names
another permission fails here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from envsched import inventory
from envsched.accounts import tokens
from envsched.booking import StackBookingIn, book_stack
from envsched.db import SessionFactory, read_transaction
from envsched.models import Booking, MaintenanceWindow, Role
from envsched.permissions import PERMISSIONS
from tests.envsched import factories
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld, day
from tests.web.series_world import series_ids

# page (with the estate's ids filled in), permission it needs
PAGES = [
    ("/", "dashboard:read"),
    ("/environments", "environments:read"),
    ("/environments/UAT-1", "environments:read"),
    ("/timeline", "timeline:read"),
    ("/timeline/items?start=2027-01-04&end=2027-02-01", "timeline:read"),
    ("/releases", "releases:read"),
    ("/releases/R1", "releases:read"),
    ("/requests/new", "requests:create"),
    ("/requests/slots?phase=R1-UAT&duration=3", "slots:read"),
    ("/requests/phases?q=R1", "requests:create"),
    ("/requests/{request}", "requests:read"),
    ("/bookings/{booking}", "bookings:read"),
    ("/bookings/new?environment=UAT-2&start=2027-01-11&last_day=2027-01-12", "bookings:direct"),
    ("/approvals", "requests:decide"),
    ("/capacity", "capacity:read"),
    ("/audit", "audit:read"),
    ("/deliveries", "deliveries:read"),
    ("/gates?release=R1", "gates:read"),
    ("/release-calendar", "calendar:read"),
    ("/kpis", "kpis:read"),
    ("/kpis.csv", "kpis:read"),
    ("/release-windows", "windows:read"),
    ("/release-templates", "templates:read"),
    ("/releases/R1/lifecycle", "releases:read"),
    # the inventory and user administration
    ("/environments/new", "environments:write"),
    ("/environments/UAT-1/edit", "environments:write"),
    ("/environment-types", "environments:read"),
    ("/freezes", "environments:read"),
    ("/users", "users:admin"),
    ("/users/test_manager", "users:admin"),
    ("/account", "account:manage"),
    # one's own work, notifications and the search
    ("/my", "work:read"),
    ("/notifications", "notifications:read"),
    ("/search?q=R1", "search:read"),
    # booking series (issue 16)
    ("/series/new?environment=UAT-2", "series:create"),
    ("/series/{series}", "series:read"),
    # team quotas (issue 16)
    ("/quotas", "quotas:read"),
    # stacks (issue 16)
    ("/stacks", "stacks:read"),
    ("/stacks/{stack}", "stacks:read"),
    ("/releases/R1/phases/R1-UAT/edit", "releases:write"),  # its stacks among the rest
]
# state-changing pages: path, permission; a refused role must change nothing
ACTIONS = [
    ("/approvals/bulk", "requests:decide"),  # nothing ticked: a message
    ("/approvals/{request}/approve", "requests:decide"),
    ("/approvals/{request}/reject", "requests:decide"),
    ("/approvals/{request}/waitlist", "requests:decide"),
    ("/requests/new", "requests:create"),
    ("/bookings/new", "bookings:direct"),  # an empty form: refused as bad input
    # a booking: moved, cancelled (a test manager's refusal by ownership is a message), released
    ("/bookings/{booking}/move", "bookings:move"),
    ("/bookings/{booking}/cancel", "bookings:cancel"),
    ("/bookings/{booking}/release", "bookings:cancel"),
    ("/releases/R1/gates/sign", "gates:decide"),
    ("/releases/R1/gates/veto", "gates:decide"),
    ("/releases/R1/gates/waive", "gates:waive"),
    # the release lifecycle: no such strategy or template ("UAT-1") is refused as a message
    ("/release-windows/strategies", "windows:write"),
    ("/release-windows/strategies/UAT-1/publish", "windows:write"),
    ("/release-windows/move", "windows:write"),
    ("/release-windows/assign", "windows:write"),
    ("/release-templates/save", "templates:write"),
    ("/release-templates/UAT-1/delete", "templates:write"),
    ("/release-templates/UAT-1/releases", "templates:write"),
    ("/releases/R1/lifecycle/step", "releases:write"),
    ("/releases/R1/lifecycle/deploy", "releases:write"),
    ("/releases/R1/lifecycle/back-out", "releases:write"),
    ("/releases/R1/lifecycle/links", "releases:write"),
    ("/releases/R1/lifecycle/links/remove", "releases:write"),
    ("/releases/R1/start-booking", "bookings:start"),  # no booking named: a message
    # the inventory: an empty form is refused as bad input, a button done or refused
    ("/environments/new", "environments:write"),
    ("/environments/UAT-1/edit", "environments:write"),
    ("/environments/UAT-1/status", "environments:write"),
    ("/environment-types/new", "environments:write"),
    ("/environments/UAT-2/maintenance-windows", "maintenance:write"),
    ("/environments/UAT-2/maintenance-windows/{window}/remove", "maintenance:write"),
    ("/freezes/new", "freezes:write"),
    ("/freezes/{freeze}/remove", "freezes:write"),
    # user administration (on the test manager, who is no admin)
    ("/users", "users:admin"),
    ("/users/test_manager/role", "users:admin"),
    ("/users/test_manager/password", "users:admin"),
    ("/users/test_manager/tokens", "users:admin"),
    ("/users/test_manager/tokens/{token}/revoke", "users:admin"),
    ("/users/test_manager/active", "users:admin"),
    # one's own account (the token is the test manager's: 404 to anyone else)
    ("/account/password", "account:manage"),
    ("/account/tokens", "account:manage"),
    ("/account/tokens/{token}/revoke", "account:manage"),
    # one's own notifications (none here: a message)
    ("/notifications/read", "notifications:read"),
    ("/notifications/999999/read", "notifications:read"),
    # booking series (issue 16): an empty form is refused as bad input; a cancel is done
    ("/series/new", "series:create"),
    ("/series/{series}/runs/{series_run}/cancel", "series:cancel"),
    # environment health (no URL given: it has none, as before)
    ("/environments/UAT-1/health", "health:write"),
    # check-in and team quotas (issue 16): a test manager's refusal by ownership is a message
    ("/bookings/{booking}/checkin", "bookings:checkin"),
    ("/environment-types/UAT/checkin", "environments:write"),
    ("/quotas/set", "quotas:write"),  # an empty form: refused as bad input
    ("/teams/new", "teams:admin"),  # an empty form: a message
    ("/users/test_manager/team", "teams:admin"),
    # stacks (issue 16): an empty form is refused as bad input; the stack removed last
    ("/stacks/new", "stacks:write"),
    ("/stacks/{stack}/book", "stacks:book"),
    ("/stacks/{stack}/bookings/{stack_booking}/cancel", "stacks:book"),
    ("/stacks/{stack}/remove", "stacks:write"),
    ("/releases/R1/phases/R1-UAT/edit", "releases:write"),  # an empty form: bad input
]
OWNER_ONLY = {"/account/tokens/{token}/revoke"}


@pytest.fixture
def ids(estate: PageWorld, sessions: SessionFactory) -> dict[str, int | str]:
    """The ids the paths above name: the estate's request and window, a freeze, a token."""
    with read_transaction(sessions) as session:
        window = session.exec(select(MaintenanceWindow.id)).one()
        booking = session.exec(select(Booking.id).where(Booking.note == "smoke tests")).one()
    freeze = factories.make_freeze(sessions, start=day(300), end=day(301))
    token, _secret = tokens.issue_token(sessions, "test_manager", actor=None, now=NOW)
    assert window is not None and freeze.id is not None and token.id is not None
    inventory.create_stack(  # issue 16: a stack of UAT-2 and SIT-1, booked once
        sessions, inventory.StackIn(name="PAY", members=["UAT-2", "SIT-1"]), actor=None, now=NOW
    )
    held = book_stack(
        sessions, "PAY", StackBookingIn(start=day(50), end=day(52)), actor=None, now=NOW
    )
    return {
        "stack": "PAY",
        "stack_booking": held.id,
        "request": estate.request.id or 0,
        "window": window,
        "freeze": freeze.id,
        "token": token.id,
        "booking": booking or 0,
        **series_ids(sessions),  # booking series (issue 16)
    }


def expected(role: Role, permission: str) -> int:
    return 200 if role == Role.ADMIN or role in PERMISSIONS[permission] else 403


@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_each_role_by_the_matrix(
    client: FlaskClient, login: Callable[..., object], ids: dict[str, int | str], role: Role
) -> None:
    login(client, role)
    actual = {path: client.get(path.format(**ids)).status_code for path, _ in PAGES}
    assert actual == {path: expected(role, permission) for path, permission in PAGES}


@pytest.mark.parametrize("role", [r for r in Role if r not in PERMISSIONS["requests:decide"]])
def test_roles_without_the_permission_cannot_decide_requests(
    client: FlaskClient,
    login: Callable[..., object],
    estate: PageWorld,
    ids: dict[str, int | str],
    role: Role,
) -> None:
    login(client, role)
    token = csrf_token(client, "/")
    for path, permission in ACTIONS:
        response = client.post(path.format(**ids), data={"csrf_token": token, "reason": "no"})
        if expected(role, permission) == 200:
            not_theirs = path in OWNER_ONLY and role != Role.TEST_MANAGER
            assert response.status_code in ((404,) if not_theirs else (302, 400)), path
        else:
            assert response.status_code == 403, path
    detail = client.get(f"/requests/{estate.request.id}").get_data(as_text=True)
    assert "requested" in detail


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(
    client: FlaskClient, ids: dict[str, int | str]
) -> None:
    for path, _ in PAGES:
        response = client.get(path.format(**ids))
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_posts_are_sent_to_sign_in_too(
    client: FlaskClient, ids: dict[str, int | str]
) -> None:
    token = csrf_token(client)
    for path, _ in ACTIONS:
        response = client.post(path.format(**ids), data={"csrf_token": token})
        assert response.status_code == 302


def test_every_page_but_sign_in_and_out_names_a_permission(app: Flask) -> None:
    unguarded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("ui.")
        and rule.endpoint not in ("ui.login", "ui.logout")
        and not hasattr(app.view_functions[rule.endpoint], "permission")
    ]
    assert unguarded == []


def test_the_page_tables_cover_every_guarded_page(app: Flask) -> None:
    """Every page is in this module's tables or in the plan-run and what-if page tables."""
    from tests.web import test_planruns_pages as planning

    adapter = app.url_map.bind("localhost")
    ids = {"request": 1, "run": 1, "w": 1, "window": 1, "freeze": 1, "token": 1, "booking": 1}
    ids |= {"series": 1, "series_run": 1}  # booking series (issue 16)
    ids["stack"] = 1  # any name matches the rule
    ids["stack_booking"] = 1

    def rules(paths: list[tuple[str, str]], method: str) -> set[str]:
        return {
            adapter.match(path.format(**ids).split("?")[0], method=method, return_rule=True)[0].rule
            for path, _ in paths
        }

    tested = rules(PAGES + planning.PAGES, "GET") | rules(ACTIONS + planning.ACTIONS, "POST")
    pages = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("ui.")}
    assert pages - tested == {"/login", "/logout", "/requests/<int:request_id>/cancel"}


def test_the_navigation_shows_only_what_the_role_may_open(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/timeline"' in page and 'href="/freezes"' in page
    assert 'href="/approvals"' not in page and 'href="/audit"' not in page
    assert 'href="/requests/new"' not in page and 'href="/users"' not in page


@pytest.mark.parametrize("role", list(Role))
def test_only_user_admins_see_users_in_the_navigation(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, role: Role
) -> None:
    login(client, role)
    page = client.get("/environments").get_data(as_text=True)
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert ('href="/users"' in nav) == (expected(role, "users:admin") == 200)
    assert 'href="/freezes"' in nav
    assert ('href="/environments/new"' in page) == (expected(role, "environments:write") == 200)


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_user_finds_their_account_under_their_name(
    client: FlaskClient, login: Callable[..., object], estate: PageWorld, role: Role
) -> None:
    login(client, role)
    header = client.get("/").get_data(as_text=True).split('class="signout"', 1)[1]
    assert 'href="/account"' in header.split("</form>", 1)[0]
