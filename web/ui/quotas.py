"""Team quotas: what each team has used of its monthly environment-days of a type, month by
month (environment managers and admins), setting a quota (the same), adding teams and
putting users in them (admins, from the users pages). The services check the roles again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from envsched import accounts, booking
from envsched.booking import Month, month_of, parse_month
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models.base import NAME_LENGTH
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import type_names
from web.ui.forms import Form

QUOTA_LABELS = {"team": "Team", "type": "Environment type", "days_per_month": "Days a month"}
TEAM_LABELS = {"team": "Team name"}


@requires("quotas:read")
def quotas() -> Any:
    return _page(Form(QUOTA_LABELS, prefix="quota-"))


@requires("quotas:write")
def quota_set() -> Any:
    form = Form.posted(QUOTA_LABELS, prefix="quota-")
    team = form.text("team", required="choose a team")
    kind = form.text("type", required="choose an environment type")
    days = form.whole("days_per_month", low=0) if form.text("days_per_month") else None
    if form.ok:
        try:
            booking.set_quota(sessions(), team, kind, days, actor=current_user(), now=now())
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            said = f"{days} {kind} days a month" if days is not None else f"no {kind} quota"
            flash(f"Team {team} now has {said}.", "success")
            return redirect(url_for("ui.quotas", month=_month_arg().first.strftime("%Y-%m")))
    return _page(form, 400)


def _page(form: Form, status: int = 200) -> Any:
    month = _month_arg()
    with read_transaction(sessions()) as session:
        types = type_names(session)
    return render_template(
        "quotas.html",
        month=month,
        previous=month_of(month.first - dt.timedelta(days=1)),
        following=Month(month.end),
        usage=booking.quota_usage(sessions(), month),
        teams=accounts.team_names(sessions()),
        types=types,
        form=form,
    ), status


def _month_arg() -> Month:
    """``?month=YYYY-MM``; this month when absent or not a month (with a message)."""
    text = request.args.get("month", "").strip()
    if text:
        try:
            return parse_month(text)
        except ValueError as exc:
            flash(f"month: {exc}; showing this month.", "error")
    return month_of(today())


# -- teams (admins, from the users pages) ----------------------------------------------------


@requires("teams:admin")
def team_create() -> Any:
    form = Form.posted(TEAM_LABELS, prefix="team-")
    name = form.text("team", required="give the team a name", longest=NAME_LENGTH)
    if form.ok:
        try:
            accounts.create_team(sessions(), name, actor=current_user(), now=now())
        except EnvschedError as exc:
            flash(f"Team: {exc.said}", "error")
        else:
            flash(f"Team {name} is added.", "success")
    else:
        flash(f"Team: {next(iter(form.errors.values()))}", "error")
    return redirect(url_for("ui.user_list", _anchor="teams-h"))


@requires("teams:admin")
def user_team(name: str) -> Any:
    team = request.form.get("team", "").strip() or None
    try:
        accounts.set_team(sessions(), name, team, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(f"Team of {name}: {exc.said}", "error")
    else:
        flash(f"{name} is now in {'team ' + team if team else 'no team'}.", "success")
    return redirect(url_for("ui.user_detail", name=name, _anchor="team-h"))
