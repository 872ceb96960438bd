"""Deliveries that failed: what admins see of the notification queue.

Expired deliveries (given up at their max age) and pending ones that have failed at
least once, with their last error and when they are tried next. Delivered ones are not
listed: the attempt log keeps them.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from envsched.notify import failed_deliveries
from web.auth import requires
from web.context import sessions, settings


@requires("deliveries:read")
def delivery_list() -> Any:
    return render_template(
        "deliveries.html",
        deliveries=failed_deliveries(sessions()),
        max_age_hours=settings().delivery_max_age_hours,
    )
