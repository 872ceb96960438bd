"""The HTML pages, as one table of routes: path, endpoint, view, methods.

Every view but sign-in carries ``@requires(permission)``; a test walks the URL map and
fails on a page that does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, current_app, url_for

from envsched import booking, notify
from envsched.days import day_text, days_text, last_day, moment_text, months_text, week_text
from envsched.inventory import natural_key
from envsched.permissions import can
from web.auth import current_user
from web.calendar import feed_token
from web.context import sessions, today
from web.ui import (
    account,
    approvals,
    approvals_bulk,
    audit,
    booking_new,
    bookings,
    capacity,
    dashboard,
    deliveries,
    environment_forms,
    environments,
    freezes,
    gates,
    health_forms,
    kpis,
    lifecycle,
    maintenance,
    my_work,
    notifications,
    phase_choices,
    phase_form,
    planruns,
    quotas,
    release_calendar,
    release_flow,
    releases,
    requests,
    search,
    series,
    session,
    solves,
    stacks,
    timeline,
    user_admin,
    whatifs,
)
from web.whole_words import whole

ui = Blueprint("ui", __name__)

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[tuple[str, str, Callable[..., Any], list[str]]] = [
    ("/login", "login", session.login, BOTH),
    ("/logout", "logout", session.logout, POST),
    ("/", "dashboard", dashboard.dashboard, GET),
    ("/my", "my_work", my_work.my_work, GET),
    ("/notifications", "notifications", notifications.notifications, GET),
    ("/notifications/read", "notifications_read", notifications.notifications_read, POST),
    (
        "/notifications/<int:notification_id>/read",
        "notification_read",
        notifications.notification_read,
        POST,
    ),
    ("/search", "search", search.search_page, GET),
    ("/environments", "environment_list", environments.environment_list, GET),
    ("/environments/new", "environment_new", environment_forms.environment_new, BOTH),
    ("/environments/<name>", "environment_detail", environments.environment_detail, GET),
    ("/environments/<name>/edit", "environment_edit", environment_forms.environment_edit, BOTH),
    (
        "/environments/<name>/status",
        "environment_status",
        environment_forms.environment_status,
        POST,
    ),
    ("/environments/<name>/maintenance-windows", "window_add", maintenance.window_add, POST),
    (
        "/environments/<name>/maintenance-windows/<int:window_id>/remove",
        "window_remove",
        maintenance.window_remove,
        POST,
    ),
    ("/environment-types", "environment_types", environment_forms.environment_types, GET),
    ("/environment-types/new", "type_create", environment_forms.type_create, POST),
    ("/environment-types/<name>/checkin", "type_checkin", environment_forms.type_checkin, POST),
    ("/freezes", "freeze_list", freezes.freeze_list, GET),
    ("/freezes/new", "freeze_add", freezes.freeze_add, POST),
    ("/freezes/<int:freeze_id>/remove", "freeze_remove", freezes.freeze_remove, POST),
    ("/timeline", "timeline", timeline.timeline, GET),
    ("/timeline/items", "timeline_items", timeline.timeline_items_json, GET),
    ("/requests/new", "request_new", requests.request_new, BOTH),
    ("/requests/slots", "request_slots", requests.request_slots, GET),
    ("/requests/phases", "request_phases", phase_choices.phase_search, GET),
    ("/requests/<int:request_id>", "request_detail", requests.request_detail, GET),
    ("/requests/<int:request_id>/cancel", "request_cancel", requests.request_cancel, POST),
    ("/bookings/new", "booking_new", booking_new.booking_new, BOTH),
    ("/bookings/<int:booking_id>", "booking_detail", bookings.booking_detail, GET),
    ("/bookings/<int:booking_id>/move", "booking_move", bookings.booking_move, POST),
    ("/bookings/<int:booking_id>/cancel", "booking_cancel", bookings.booking_cancel, POST),
    ("/bookings/<int:booking_id>/release", "booking_release", bookings.booking_release, POST),
    ("/bookings/<int:booking_id>/checkin", "booking_checkin", bookings.booking_checkin, POST),
    ("/approvals", "approvals", approvals.approvals, GET),
    ("/approvals/bulk", "approve_bulk", approvals_bulk.approve_bulk, POST),
    ("/approvals/<int:request_id>/approve", "approve", approvals.approve, POST),
    ("/approvals/<int:request_id>/reject", "reject", approvals.reject, POST),
    ("/approvals/<int:request_id>/waitlist", "waitlist", approvals.waitlist, POST),
    ("/releases", "release_list", releases.release_list, GET),
    ("/releases/<key>", "release_detail", releases.release_detail, GET),
    ("/releases/<key>/start-booking", "booking_start", releases.booking_start, POST),
    ("/releases/<key>/phases/<phase>/edit", "phase_edit", phase_form.phase_edit, GET),
    ("/releases/<key>/phases/<phase>/edit", "phase_save", phase_form.phase_save, POST),
    ("/gates", "gate_list", gates.gate_list, GET),
    ("/releases/<key>/gates/sign", "gate_sign", gates.gate_sign, POST),
    ("/releases/<key>/gates/veto", "gate_veto", gates.gate_veto, POST),
    ("/releases/<key>/gates/waive", "gate_waive", gates.gate_waive, POST),
    ("/release-calendar", "release_calendar", release_calendar.release_calendar_page, GET),
    ("/release-windows", "release_windows", lifecycle.release_windows, GET),
    ("/release-windows/strategies", "strategy_create", lifecycle.strategy_create, POST),
    (
        "/release-windows/strategies/<name>/publish",
        "strategy_publish",
        lifecycle.strategy_publish,
        POST,
    ),
    ("/release-windows/move", "window_move", lifecycle.window_move, POST),
    ("/release-windows/assign", "window_assign", lifecycle.window_assign, POST),
    ("/releases/<key>/lifecycle", "release_lifecycle", release_flow.release_lifecycle, GET),
    ("/releases/<key>/lifecycle/step", "release_step", release_flow.release_step, POST),
    ("/releases/<key>/lifecycle/deploy", "release_deploy", release_flow.release_deploy, POST),
    ("/releases/<key>/lifecycle/back-out", "release_back_out", release_flow.release_back_out, POST),
    ("/releases/<key>/lifecycle/links", "release_link_add", release_flow.release_link_add, POST),
    (
        "/releases/<key>/lifecycle/links/remove",
        "release_link_remove",
        release_flow.release_link_remove,
        POST,
    ),
    ("/release-templates", "release_templates", lifecycle.release_templates, GET),
    ("/release-templates/save", "template_save", lifecycle.template_save, POST),
    ("/release-templates/<name>/delete", "template_delete", lifecycle.template_delete, POST),
    (
        "/release-templates/<name>/releases",
        "template_instantiate",
        lifecycle.template_instantiate,
        POST,
    ),
    ("/kpis", "kpi_page", kpis.kpi_page, GET),
    ("/kpis.csv", "kpi_csv", kpis.kpi_csv, GET),
    ("/capacity", "capacity", capacity.capacity, GET),
    ("/audit", "audit_log", audit.audit_log, GET),
    ("/deliveries", "delivery_list", deliveries.delivery_list, GET),
    ("/plan-runs", "planrun_list", planruns.planrun_list, GET),
    ("/plan-runs/start", "planrun_start", planruns.planrun_start, POST),
    ("/plan-runs/<int:run_id>", "planrun_detail", planruns.planrun_detail, GET),
    ("/plan-runs/<int:run_id>/accept", "planrun_accept", planruns.planrun_accept, POST),
    (
        "/plan-runs/<int:run_id>/proposals/<phase>/accept",
        "proposal_accept",
        planruns.proposal_accept,
        POST,
    ),
    (
        "/plan-runs/<int:run_id>/proposals/<phase>/drop",
        "proposal_drop",
        planruns.proposal_drop,
        POST,
    ),
    ("/solves/<int:job_id>/cancel", "solve_cancel", solves.solve_cancel, POST),
    ("/what-ifs", "whatif_list", whatifs.whatif_list, GET),
    ("/what-ifs/new", "whatif_create", whatifs.whatif_create, POST),
    ("/what-ifs/<int:whatif_id>", "whatif_detail", whatifs.whatif_detail, GET),
    ("/what-ifs/<int:whatif_id>/changes", "whatif_change_add", whatifs.whatif_change_add, POST),
    (
        "/what-ifs/<int:whatif_id>/changes/<int:index>/remove",
        "whatif_change_remove",
        whatifs.whatif_change_remove,
        POST,
    ),
    ("/what-ifs/<int:whatif_id>/run", "whatif_run", whatifs.whatif_run, POST),
    ("/what-ifs/<int:whatif_id>/promote", "whatif_promote", whatifs.whatif_promote, POST),
    ("/what-ifs/<int:whatif_id>/scenario.json", "whatif_scenario", whatifs.whatif_scenario, GET),
    ("/account", "account", account.account, GET),
    ("/account/password", "account_password", account.account_password, POST),
    ("/account/tokens", "account_token_issue", account.account_token_issue, POST),
    (
        "/account/tokens/<int:token_id>/revoke",
        "account_token_revoke",
        account.account_token_revoke,
        POST,
    ),
    ("/users", "user_list", user_admin.user_list, BOTH),
    ("/users/<name>", "user_detail", user_admin.user_detail, GET),
    ("/users/<name>/role", "user_role", user_admin.user_role, POST),
    ("/users/<name>/password", "user_password", user_admin.user_password, POST),
    ("/users/<name>/active", "user_active", user_admin.user_active, POST),
    ("/users/<name>/tokens", "token_issue", user_admin.token_issue, POST),
    ("/users/<name>/tokens/<int:token_id>/revoke", "token_revoke", user_admin.token_revoke, POST),
    # booking series (issue 16)
    ("/series/new", "series_new", series.series_new, BOTH),
    ("/series/<int:series_id>", "series_detail", series.series_detail, GET),
    (
        "/series/<int:series_id>/runs/<int:occurrence_id>/cancel",
        "series_cancel",
        series.series_cancel,
        POST,
    ),
    # environment health
    ("/environments/<name>/health", "health_set", health_forms.health_set, POST),
    # team quotas and teams (issue 16)
    ("/quotas", "quotas", quotas.quotas, GET),
    ("/quotas/set", "quota_set", quotas.quota_set, POST),
    ("/teams/new", "team_create", quotas.team_create, POST),
    ("/users/<name>/team", "user_team", quotas.user_team, POST),
    # stacks (issue 16)
    ("/stacks", "stack_list", stacks.stack_list, GET),
    ("/stacks/new", "stack_add", stacks.stack_add, POST),
    ("/stacks/<name>", "stack_detail", stacks.stack_detail, GET),
    ("/stacks/<name>/book", "stack_book", stacks.stack_book, POST),
    ("/stacks/<name>/remove", "stack_remove", stacks.stack_remove, POST),
    (
        "/stacks/<name>/bookings/<int:stack_booking_id>/cancel",
        "stack_booking_cancel",
        stacks.stack_booking_cancel,
        POST,
    ),
]

# Main navigation: endpoint, label, the permission that shows it.
NAV_ITEMS = [
    ("ui.dashboard", "Dashboard", "dashboard:read"),
    ("ui.my_work", "My work", "work:read"),
    ("ui.environment_list", "Environments", "environments:read"),
    ("ui.freeze_list", "Freezes", "environments:read"),
    ("ui.timeline", "Timeline", "timeline:read"),
    ("ui.release_list", "Releases", "releases:read"),
    ("ui.request_new", "Request a booking", "requests:create"),
    ("ui.approvals", "Approvals", "requests:decide"),
    ("ui.release_calendar", "Release calendar", "calendar:read"),
    ("ui.release_windows", "Release windows", "windows:read"),
    ("ui.release_templates", "Release templates", "templates:read"),
    ("ui.gate_list", "Gates", "gates:read"),
    ("ui.kpi_page", "KPIs", "kpis:read"),
    ("ui.capacity", "Capacity", "capacity:read"),
    ("ui.planrun_list", "Plan runs", "planruns:read"),
    ("ui.whatif_list", "What-ifs", "whatif:read"),
    ("ui.audit_log", "Audit log", "audit:read"),
    ("ui.delivery_list", "Failed deliveries", "deliveries:read"),
    ("ui.user_list", "Users", "users:admin"),
    ("ui.quotas", "Quotas", "quotas:read"),
    ("ui.stack_list", "Stacks", "stacks:read"),  # issue 16
]

for _rule, _endpoint, _view, _methods in ROUTES:
    ui.add_url_rule(_rule, _endpoint, _view, methods=_methods)


def unread_notifications() -> int:
    """How many notifications the signed-in user has not read (the header's count)."""
    return notify.unread_count(sessions(), current_user())


def feed_url(endpoint: str, **values: Any) -> str | None:
    """A calendar feed's URL with the signed-in user's feed token (None: no such feed)."""
    user = current_user()
    if user is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, token=feed_token(user), **values)


def booking_state(row: Any) -> str:
    """A booking row's state as of today (``booking.shown_status``: ended when its days
    are over), for ``status_badge``."""
    return booking.shown_status(row.status, row.end, today())


@ui.record_once
def _template_globals(state: Any) -> None:
    app: Flask = state.app
    app.jinja_env.globals.update(
        current_user=current_user,
        can=can,
        nav_items=NAV_ITEMS,
        timedelta=dt.timedelta,
        feed_url=feed_url,
        days=days_text,
        month_span=months_text,
        week=week_text,
        unread_notifications=unread_notifications,
        booking_state=booking_state,
    )
    app.jinja_env.filters.update(
        day=day_text,
        moment=moment_text,
        last_day=last_day,
        iso_date=dt.date.fromisoformat,
        natural_sort=natural_sort,
        whole=whole,
        capfirst=capfirst,
    )


def capfirst(text: str) -> str:
    """A heading's words with a capital first letter, the rest as they are (Jinja's
    ``capitalize`` would lower "UAT-2")."""
    return text[:1].upper() + text[1:]


def natural_sort(values: Iterable[Any], attribute: str | None = None) -> list[Any]:
    """Names (or items by their ``attribute``) as people count them: UAT-2 before UAT-10."""
    if attribute is None:
        return sorted(values, key=natural_key)
    return sorted(values, key=lambda value: natural_key(getattr(value, attribute)))
