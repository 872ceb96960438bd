"""The dashboard: what needs attention today, for the person signed in."""

from __future__ import annotations

from typing import Any

from flask import render_template

from web.auth import requires


@requires("dashboard:read")
def dashboard() -> Any:
    return render_template("dashboard.html")
