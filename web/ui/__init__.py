"""The HTML pages, as one table of routes: path, endpoint, view, methods.

Every view but sign-in carries ``@requires(permission)``; a test walks the URL map and
fails on a page that does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask

from web.auth import current_user
from web.permissions import can
from web.ui import dashboard, session

ui = Blueprint("ui", __name__)

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[tuple[str, str, Callable[..., Any], list[str]]] = [
    ("/login", "login", session.login, BOTH),
    ("/logout", "logout", session.logout, POST),
    ("/", "dashboard", dashboard.dashboard, GET),
]

# Main navigation: endpoint, label, the permission that shows it.
NAV_ITEMS = [
    ("ui.dashboard", "Dashboard", "dashboard:read"),
]

for _rule, _endpoint, _view, _methods in ROUTES:
    ui.add_url_rule(_rule, _endpoint, _view, methods=_methods)


@ui.record_once
def _template_globals(state: Any) -> None:
    app: Flask = state.app
    app.jinja_env.globals.update(current_user=current_user, can=can, nav_items=NAV_ITEMS)
