"""User administration: the users, adding one, role, password, deactivation, API tokens.

Only ``users:admin`` opens these pages; the users service checks the role again and
audits every change. A new token's secret is shown once, on the page answering the
request that issued it: never in a redirect, a flash message or a log, and that page
is marked not to be stored by the browser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from sqlmodel import col, select

from envsched import accounts
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models import ApiToken, Role, User
from envsched.models.base import NAME_LENGTH
from web.auth import current_user, requires, stay_signed_in
from web.context import now, sessions
from web.ui.forms import Form

NEW_LABELS = {
    "name": "User name",
    "full_name": "Full name",
    "email": "Email",
    "role": "Role",
    "password": "Initial password",
}
ROLE_LABELS = {"role": "Role"}
PASSWORD_LABELS = {"password": "New password"}
TOKEN_LABELS = {"label": "Label", "valid_until": "Valid until"}
ROLES = [(r.value, r.value.replace("_", " ")) for r in Role]


@requires("users:admin")
def user_list() -> Any:
    if request.method == "GET":
        return _list_page(Form(NEW_LABELS, {"role": Role.VIEWER.value}, prefix="new-"))
    form = Form.posted(NEW_LABELS, prefix="new-")
    fields = {
        "name": form.text("name", required="give a user name"),
        "full_name": form.text("full_name", longest=NAME_LENGTH * 2),
        "email": _email(form),
        "role": form.text("role", required="choose a role"),
    }
    password = form.values.pop("password", "")  # never sent back to the browser
    if not password:
        form.fail(
            "password", f"give an initial password of at least {accounts.MIN_PASSWORD} characters"
        )
    if form.ok:
        try:
            added = accounts.create_user(
                sessions(), actor=current_user(), now=now(), password=password, **fields
            )
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            flash(f"User {added.name} is added as {_role_text(added.role)}.", "success")
            return redirect(url_for("ui.user_detail", name=added.name))
    return _list_page(form, status=400)


def _email(form: Form) -> str:
    email = form.text("email", longest=NAME_LENGTH * 4)
    if email and "@" not in email.strip("@"):
        form.fail("email", f"{email!r} is not an email address")
    return email


def _list_page(form: Form, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        rows = session.exec(select(User).order_by(col(User.name))).all()
        holders = session.exec(
            select(ApiToken.user_id).where(col(ApiToken.revoked_at).is_(None))
        ).all()
    usable = {user.id: sum(1 for t in holders if t == user.id) for user in rows}
    return render_template(
        "users.html",
        users=rows,
        tokens=usable,
        form=form,
        roles=ROLES,
        teams=accounts.team_members(sessions()),
    ), status


# -- one user -----------------------------------------------------------------------------


@requires("users:admin")
def user_detail(name: str) -> Any:
    return _detail_page(name)


@requires("users:admin")
def user_role(name: str) -> Any:
    form = Form.posted(ROLE_LABELS, prefix="role-")
    role = form.text("role", required="choose a role")
    if form.ok:
        try:
            changed = accounts.set_role(sessions(), name, role, actor=current_user(), now=now())
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            stay_signed_in(changed)
            flash(f"{name} is now {_role_text(changed.role)}.", "success")
            return _after_change(changed)
    return _detail_page(name, role_form=form, status=400)


@requires("users:admin")
def user_password(name: str) -> Any:
    form = Form.posted(PASSWORD_LABELS, prefix="password-")
    password = form.values.pop("password", "")
    try:
        changed = accounts.set_password(sessions(), name, password, actor=current_user(), now=now())
    except EnvschedError as exc:
        form.absorb(exc)
        return _detail_page(name, password_form=form, status=400)
    stay_signed_in(changed)
    flash(f"{name}'s password is changed; tell them through a channel you trust.", "success")
    return redirect(url_for("ui.user_detail", name=name))


@requires("users:admin")
def user_active(name: str) -> Any:
    active = request.form.get("active") == "true"
    try:
        changed = accounts.set_active(sessions(), name, active, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(exc.said, "error")
        return redirect(url_for("ui.user_detail", name=name))
    done = (
        "reactivated"
        if changed.active
        else "deactivated: they cannot sign in and their API tokens are refused"
    )
    flash(f"{name} is {done}.", "success")
    return redirect(url_for("ui.user_detail", name=name))


def _after_change(changed: User) -> Any:
    """Back to the user's page, unless admins demoted themselves (they may not see it)."""
    me = current_user()
    if me is not None and me.id == changed.id and changed.role != Role.ADMIN:
        return redirect(url_for("ui.dashboard"))
    return redirect(url_for("ui.user_detail", name=changed.name))


# -- API tokens ---------------------------------------------------------------------------


@requires("users:admin")
def token_issue(name: str) -> Any:
    form = Form.posted(TOKEN_LABELS, prefix="token-")
    label = form.text("label", required="say what the token is for", longest=NAME_LENGTH)
    until = form.date("valid_until", required=False)
    if until is not None and until < now().date():
        form.fail("valid_until", f"{until} is in the past")
    if not form.ok:
        return _detail_page(name, token_form=form, status=400)
    expires = (
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC) if until else None
    )
    try:
        token, secret = accounts.issue_token(
            sessions(), name, actor=current_user(), now=now(), label=label, expires_at=expires
        )
    except EnvschedError as exc:
        form.absorb(exc)
        return _detail_page(name, token_form=form, status=400)
    page = make_response(_detail_page(name, secret=secret, new_token=token.id)[0])
    page.headers["Cache-Control"] = "no-store"
    return page


@requires("users:admin")
def token_revoke(name: str, token_id: int) -> Any:
    with read_transaction(sessions()) as session:
        token = session.get(ApiToken, token_id)
        owner = session.get(User, token.user_id) if token else None
    if token is None or owner is None or owner.name != name:
        abort(404, f"{name} has no API token #{token_id}.")
    try:
        accounts.revoke_token(sessions(), token_id, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        flash(f"API token {token.name or token_id!r} of {name} is revoked.", "success")
    return redirect(url_for("ui.user_detail", name=name, _anchor="tokens-h"))


def _detail_page(
    name: str,
    *,
    role_form: Form | None = None,
    password_form: Form | None = None,
    token_form: Form | None = None,
    secret: str | None = None,
    new_token: int | None = None,
    status: int = 200,
) -> tuple[str, int]:
    with read_transaction(sessions()) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            abort(404, f"No user named {name!r}.")
        theirs = session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id).desc())
        ).all()
    forms = {
        "role_form": role_form or Form(ROLE_LABELS, {"role": user.role.value}, prefix="role-"),
        "password_form": password_form or Form(PASSWORD_LABELS, prefix="password-"),
        "token_form": token_form or Form(TOKEN_LABELS, prefix="token-"),
    }
    members = accounts.team_members(sessions())
    return render_template(
        "user.html",
        user=user,
        teams=list(members),
        team=next((t for t, names in members.items() if user.name in names), None),
        tokens=theirs,
        roles=ROLES,
        now=now(),
        secret=secret,
        new_token=new_token,
        **forms,
    ), status


def _role_text(role: Role) -> str:
    return role.value.replace("_", " ")
