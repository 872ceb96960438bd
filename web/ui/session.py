"""Signing in with a local account, and signing out."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from envsched.errors import PermissionDenied
from envsched.services import users
from web.auth import current_user, safe_next, sign_in, sign_out
from web.context import sessions


def login() -> Any:
    target = safe_next(request.args.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=request.args.get("next"), name="", error="")
    name = request.form.get("name", "").strip()
    try:
        user = users.authenticate(sessions(), name, request.form.get("password", ""))
    except PermissionDenied:
        return render_template("login.html", next=request.args.get("next"), name=name,
                               error="Unknown user name or wrong password."), 401
    sign_in(user)
    return redirect(target)


def logout() -> Any:
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("ui.login"))
