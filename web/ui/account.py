"""My account: every signed-in user's own password, API tokens and calendar feed URLs.

The page holds nothing an admin could not see on the Users pages, but only about the
signed-in user, so it needs no more than ``account:manage`` (every role). A new token's
secret is shown once, on the page answering the request that issued it, which is marked
not to be stored by the browser.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, url_for
from sqlmodel import col, select

from envsched import accounts
from envsched.db import read_transaction
from envsched.errors import EnvschedError, PermissionDenied
from envsched.inventory import natural_key
from envsched.models import (
    ApiToken,
    Environment,
    EnvironmentStatus,
    Release,
    ReleaseStatus,
    User,
)
from envsched.models.base import NAME_LENGTH
from web.auth import client_address, current_user, requires, signin_limits, stay_signed_in
from web.calendar import feed_token
from web.context import now, sessions
from web.ui.forms import Form
from web.ui.paging import paging

PASSWORD_LABELS = {"current_password": "Current password", "password": "New password"}
TOKEN_LABELS = {"label": "Label", "valid_until": "Valid until"}
FEEDS_PER_PAGE = 100  # feed addresses of environments and releases, a page at a time


def _me() -> User:
    user = current_user()
    if user is None:  # requires() has sent anonymous visitors to sign in already
        raise PermissionDenied("sign in first")
    return user


@requires("account:manage")
def account() -> Any:
    return _page()


@requires("account:manage")
def account_password() -> Any:
    form = Form.posted(PASSWORD_LABELS, prefix="password-")
    current = form.values.pop("current_password", "")  # never sent back to the browser
    new = form.values.pop("password", "")
    if not current:
        form.fail("current_password", "give your current password")
    if form.ok:
        try:
            changed = accounts.change_own_password(
                sessions(),
                _me(),
                current,
                new,
                now=now(),
                address=client_address(),
                limits=signin_limits(),
            )
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            stay_signed_in(changed)  # your other sessions have ended
            flash("Your password is changed.", "success")
            return redirect(url_for("ui.account"))
    return _page(password_form=form, status=400)


@requires("account:manage")
def account_token_issue() -> Any:
    form = Form.posted(TOKEN_LABELS, prefix="token-")
    label = form.text("label", required="say what the token is for", longest=NAME_LENGTH)
    until = form.date("valid_until", required=False)
    if form.ok:
        try:
            token, secret = accounts.issue_token(
                sessions(),
                _me().name,
                actor=_me(),
                now=now(),
                label=label,
                expires_at=accounts.token_expiry(until, now=now()),
            )
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            page = make_response(_page(secret=secret, new_token=token.id)[0])
            page.headers["Cache-Control"] = "no-store"
            return page
    return _page(token_form=form, status=400)


@requires("account:manage")
def account_token_revoke(token_id: int) -> Any:
    with read_transaction(sessions()) as session:
        token = session.get(ApiToken, token_id)
    if token is None or token.user_id != _me().id:
        abort(404, f"You have no API token #{token_id}.")
    try:
        accounts.revoke_token(sessions(), token_id, actor=_me(), now=now())
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        flash(f"Your API token {token.name or token_id!r} is revoked.", "success")
    return redirect(url_for("ui.account", _anchor="tokens-h"))


def _page(
    *,
    password_form: Form | None = None,
    token_form: Form | None = None,
    secret: str | None = None,
    new_token: int | None = None,
    status: int = 200,
) -> tuple[str, int]:
    me = _me()
    with read_transaction(sessions()) as session:
        own = session.exec(
            select(ApiToken).where(ApiToken.user_id == me.id).order_by(col(ApiToken.id).desc())
        ).all()
        environments = session.exec(
            select(Environment.name).where(Environment.status != EnvironmentStatus.RETIRED)
        ).all()
        releases = session.exec(
            select(Release.key).where(Release.status != ReleaseStatus.CANCELLED)
        ).all()
    feeds = [
        *(("environment", n) for n in sorted(environments, key=natural_key)),
        *(("release", k) for k in sorted(releases, key=natural_key)),
    ]
    page = paging(len(feeds), FEEDS_PER_PAGE)
    return render_template(
        "account.html",
        user=me,
        tokens=own,
        now=now(),
        secret=secret,
        new_token=new_token,
        feed=feed_token(me),
        feeds=feeds[page.offset : page.last_row],
        feed_page=page,
        min_password=accounts.MIN_PASSWORD,
        password_form=password_form or Form(PASSWORD_LABELS, prefix="password-"),
        token_form=token_form or Form(TOKEN_LABELS, prefix="token-"),
    ), status
