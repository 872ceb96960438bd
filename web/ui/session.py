"""Signing in with a local account, and signing out."""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for

from envsched import accounts
from envsched.errors import PermissionDenied, TooManySignIns
from web.auth import client_address, current_user, safe_next, sign_in, sign_out, signin_limits
from web.context import now, sessions


def login() -> Any:
    target = safe_next(request.args.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return _form("", "")
    name = request.form.get("name", "").strip()
    try:
        user = accounts.authenticate(
            sessions(),
            name,
            request.form.get("password", ""),
            now=now(),
            address=client_address(),
            limits=signin_limits(),
        )
    except TooManySignIns as exc:
        refused = make_response(_form(name, exc.said, 429))
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except PermissionDenied:
        return _form(name, "Unknown user name or wrong password.", 401)
    sign_in(user)
    return redirect(target)


def _form(name: str, error: str, status: int = 200) -> tuple[str, int]:
    return render_template(
        "login.html", next=request.args.get("next"), name=name, error=error
    ), status


def logout() -> Any:
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("ui.login"))
