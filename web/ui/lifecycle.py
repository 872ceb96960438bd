"""Release windows and release templates: the published plan and the template editor.

Everyone reads both pages; release managers also see the forms. Each form is one
service call; a refusal (a bad date, a step the service rejects) comes back as a flash
message on the page, not an error page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlmodel import col, select
from werkzeug.wrappers import Response

from envsched import lifecycle, planning
from envsched.days import day_text
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.inventory import natural_key
from envsched.lifecycle.shapes import FromTemplateIn, StrategyIn, TemplateIn, TemplatePhaseIn
from envsched.models import (
    OPEN_RELEASE_STATUSES,
    EnvironmentType,
    Release,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseType,
)
from web.auth import current_user, requires
from web.context import now, sessions, settings
from web.ui.params import form_date, form_id

PLAN_DAYS = 366
PHASE_ROWS = 8  # rows of the template editor; blank rows are skipped


# -- release windows --------------------------------------------------------------------------


@requires("windows:read")
def release_windows() -> Any:
    today = now().date()
    with read_transaction(sessions()) as session:
        rows = [
            {
                "window": w,
                "releases": lifecycle.release_keys(session, w),
                "strategy": w.strategy.name if w.strategy else "—",
                "movable": lifecycle.movable(w, today),
            }
            for w in lifecycle.windows_between(
                session, today - dt.timedelta(days=31), today + dt.timedelta(days=PLAN_DAYS)
            )
        ]
        strategies = session.exec(select(ReleaseStrategy).order_by(col(ReleaseStrategy.name))).all()
        releases = sorted(
            session.exec(
                select(Release.key).where(col(Release.status).in_(OPEN_RELEASE_STATUSES))
            ).all(),
            key=natural_key,
        )
    return render_template(
        "release_windows.html", rows=rows, strategies=strategies, releases=releases, today=today
    )


@requires("windows:write")
def strategy_create() -> Response:
    fields = {
        k: request.form.get(k, "").strip()
        for k in ("name", "cadence", "anchor", "window_days", "freeze_days")
    }
    dates = request.form.get("dates", "").replace(",", " ").split()
    return act(
        lambda: lifecycle.create_strategy(
            sessions(),
            StrategyIn.model_validate({**fields, "dates": dates}),
            actor=current_user(),
            now=now(),
        ),
        "ui.release_windows",
        lambda s: f"Strategy {s.name} added; publish it to make its windows.",
    )


@requires("windows:write")
def strategy_publish(name: str) -> Response:
    return act(
        lambda: lifecycle.publish_plan(sessions(), name, actor=current_user(), now=now()),
        "ui.release_windows",
        lambda rows: f"{name}: {len(rows)} windows published.",
    )


@requires("windows:write")
def window_move() -> Response:
    def move() -> lifecycle.MovedWindow:
        window_id = form_id("window_id")
        go_live = form_date("go_live")
        if go_live is None:
            raise ValueError("give the new go-live date")
        return lifecycle.move_window(
            sessions(), window_id, go_live, actor=current_user(), now=now(), settings=settings()
        )

    return act(move, "ui.release_windows", _moved)


def _moved(moved: lifecycle.MovedWindow) -> str:
    title = planning.run_title(moved.run) if moved.run else ""
    run = f"; the {title[:1].lower()}{title[1:]} proposes the booking changes" if title else ""
    keys = ", ".join(moved.releases) or "no releases"
    return f"{moved.window.name} now goes live {day_text(moved.window.go_live)} ({keys}){run}."


@requires("windows:write")
def window_assign() -> Response:
    key = request.form.get("release", "")
    chosen = request.form.get("window_id", "")
    return act(
        lambda: lifecycle.assign_release(
            sessions(),
            key,
            form_id("window_id") if chosen else None,
            actor=current_user(),
            now=now(),
        ),
        "ui.release_windows",
        lambda r: f"{r.key} is due by {r.due}.",
    )


# -- release templates ------------------------------------------------------------------------


@requires("templates:read")
def release_templates() -> Any:
    editing = request.args.get("edit", "")
    with read_transaction(sessions()) as session:
        rows = session.exec(select(ReleaseTemplate).order_by(col(ReleaseTemplate.name))).all()
        shown = [lifecycle.describe(t) for t in rows]
        types = session.exec(select(EnvironmentType.name).order_by(col(EnvironmentType.name))).all()
    current = next((t for t in shown if t["name"] == editing), None)
    return render_template(
        "release_templates.html",
        templates=shown,
        types=types,
        editing=current,
        rows=PHASE_ROWS,
        release_types=[t.value for t in ReleaseType],
    )


@requires("templates:write")
def template_save() -> Response:
    original = request.form.get("original", "")

    def save() -> ReleaseTemplate:
        data = TemplateIn(
            name=request.form.get("name", "").strip(),
            release_type=ReleaseType(request.form.get("release_type", "minor")),
            description=request.form.get("description", ""),
            phases=_phase_rows(),
        )
        if original:
            return lifecycle.update_template(
                sessions(), original, data, actor=current_user(), now=now()
            )
        return lifecycle.create_template(sessions(), data, actor=current_user(), now=now())

    return act(save, "ui.release_templates", lambda t: f"Template {t.name} saved.")


@requires("templates:write")
def template_delete(name: str) -> Response:
    return act(
        lambda: lifecycle.delete_template(sessions(), name, actor=current_user(), now=now()),
        "ui.release_templates",
        lambda _: f"Template {name} removed.",
    )


@requires("templates:write")
def template_instantiate(name: str) -> Response:
    def create() -> Release:
        data = FromTemplateIn(
            key=request.form.get("key", "").strip(),
            title=request.form.get("title", ""),
            earliest_start=form_date("earliest_start"),
            due=form_date("due"),
        )
        return lifecycle.create_release_from_template(
            sessions(), name, data, actor=current_user(), now=now()
        )

    return act(
        create,
        "ui.release_templates",
        lambda r: f"Release {r.key} created from {name}, with a booking request for each phase.",
    )


def _phase_rows() -> list[TemplatePhaseIn]:
    form = request.form
    phases = []
    for i in range(PHASE_ROWS):
        name = form.get(f"phase-{i}-name", "").strip()
        if not name:
            continue
        after = form.get(f"phase-{i}-after", "").strip()
        phases.append(
            TemplatePhaseIn(
                name=name,
                type=form.get(f"phase-{i}-type", ""),
                duration_days=int(form.get(f"phase-{i}-days") or 0),
                gap_days=int(form.get(f"phase-{i}-gap") or 0),
                after=None
                if after == ""
                else [a for a in after.replace(",", " ").split() if a != "-"],
                required_tags=form.get(f"phase-{i}-tags", "").replace(",", " ").split(),
            )
        )
    return phases


def act(
    action: Callable[[], Any], page: str, done: Callable[[Any], str], **values: Any
) -> Response:
    """Run one service call; its result or refusal is a flash message on ``page``."""
    try:
        result = action()
    except (EnvschedError, ValidationError, ValueError) as exc:
        flash(refusal_message(exc), "error")
    else:
        flash(done(result), "success")
    return redirect(url_for(page, **values))


def refusal_message(exc: Exception) -> str:
    """A refused service call or a form that did not read, as one message."""
    if isinstance(exc, EnvschedError):
        return exc.said
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in exc.errors()
        )
    return str(exc)
