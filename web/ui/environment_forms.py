"""Adding and changing environments, retiring and reactivating them, environment types.

Environment managers (``environments:write``) keep the inventory here. A form is read
whole before anything is stored, so every bad field is named at once; the inventory
service then refuses what the rules do not allow (a name in use, an unknown type, a
capacity cut below what is booked), and that refusal lands next to its field too.
"""

from __future__ import annotations

from typing import Any

import pydantic
from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from envsched import inventory
from envsched.booking import find_clashes
from envsched.db import read_transaction
from envsched.errors import BookingConflict, EnvschedError
from envsched.inventory import EnvironmentIn, EnvironmentPatch
from envsched.models import Environment, EnvironmentStatus
from envsched.models.base import NAME_LENGTH, TEXT_LENGTH
from envsched.models.limits import MAX_DAYS
from web.auth import current_user, requires
from web.context import now, sessions, settings, today
from web.queries import type_names
from web.ui.forms import Form, clash_lines

LABELS = {
    "name": "Name",
    "type": "Type",
    "capacity": "Capacity",
    "changeover_days": "Changeover days",
    "status": "Status",
    "tags": "Tags",
    "owner": "Owner",
    "description": "Description",
    "components": "Deployed components",
}
TYPE_LABELS = {"name": "Name", "description": "Description"}
NEW_DEFAULTS = {
    "capacity": "1",
    "changeover_days": "0",
    "status": EnvironmentStatus.AVAILABLE.value,
}


@requires("environments:write")
def environment_new() -> Any:
    if request.method == "GET":
        return _form_page(Form(LABELS, {**NEW_DEFAULTS, "type": request.args.get("type", "")}))
    form = Form.posted(LABELS)
    data = _read(form, EnvironmentIn)
    if data is not None:
        try:
            env = inventory.create_environment(sessions(), data, actor=current_user(), now=now())
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            flash(f"Environment {env.name} is added.", "success")
            return redirect(url_for("ui.environment_detail", name=env.name))
    return _form_page(form, status=400)


@requires("environments:write")
def environment_edit(name: str) -> Any:
    current = _values_of(name)
    if request.method == "GET":
        return _form_page(Form(LABELS, current), editing=name)
    form = Form.posted(LABELS)
    data = _read(form, EnvironmentPatch)
    if data is not None:
        try:
            env = inventory.update_environment(
                sessions(), name, data, actor=current_user(), now=now()
            )
        except BookingConflict as exc:
            form.fail("capacity", f"{exc.said}: {'; '.join(clash_lines(exc))}")
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            flash(f"Environment {env.name} is saved.", "success")
            _warn_of_stranded_bookings(env.name)
            return redirect(url_for("ui.environment_detail", name=env.name))
    return _form_page(form, editing=name, status=400)


@requires("environments:write")
def environment_status(name: str) -> Any:
    """Retire an environment or put it back into service (the detail page's buttons)."""
    wanted = request.form.get("status", "")
    try:
        data = EnvironmentPatch(status=EnvironmentStatus(wanted))
        env = inventory.update_environment(sessions(), name, data, actor=current_user(), now=now())
    except ValueError:
        flash(
            f"Status: {wanted!r} is not one of {', '.join(s.value for s in EnvironmentStatus)}.",
            "error",
        )
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        flash(f"{env.name} is {env.status.value}.", "success")
        _warn_of_stranded_bookings(env.name)
    return redirect(url_for("ui.environment_detail", name=name))


def _warn_of_stranded_bookings(name: str) -> None:
    """Live bookings from today on an environment that is no longer available clash."""
    stranded = [
        c
        for c in find_clashes(sessions())
        if c.kind == "unavailable" and c.environment == name and c.end > today()
    ]
    if stranded:
        flash(
            f"{len(stranded)} live booking{'s' if len(stranded) != 1 else ''} on {name} "
            f"now clash: move or cancel them (they are marked below).",
            "error",
        )


# -- reading the form ---------------------------------------------------------------------


def _read(form: Form, model: type[EnvironmentIn] | type[EnvironmentPatch]) -> Any:
    """The form as ``model``, or None with every problem noted on ``form``."""
    values = {
        "name": form.text("name", required="give the environment a name"),
        "type": form.text("type", required="choose a type"),
        "capacity": form.whole("capacity", low=1),
        "changeover_days": form.whole("changeover_days", low=0, high=MAX_DAYS),
        "status": form.text("status") or EnvironmentStatus.AVAILABLE,
        "tags": form.words("tags"),
        "owner": form.text("owner"),
        "description": form.text("description"),
        "components": _components(form),
    }
    if not form.ok:
        return None
    try:
        return model.model_validate(values)
    except pydantic.ValidationError as exc:
        form.absorb(exc)
        return None


def _components(form: Form) -> dict[str, str]:
    """One component a line: its name, then its version after the last space."""
    found: dict[str, str] = {}
    for number, line in enumerate(form.text("components").splitlines(), start=1):
        name, _, version = line.strip().rpartition(" ")
        name, version = (name.strip(), version) if name else (version, "")
        if not name:
            continue
        if name in found:
            form.fail("components", f"line {number}: {name} is listed twice")
        elif max(len(name), len(version)) > NAME_LENGTH:
            form.fail(
                "components",
                f"line {number}: names and versions have at most {NAME_LENGTH} characters",
            )
        found[name] = version
    return found


def _values_of(name: str) -> dict[str, str]:
    """The stored environment as the form shows it; 404 when there is none."""
    with read_transaction(sessions()) as session:
        env = session.exec(select(Environment).where(Environment.name == name)).first()
        if env is None:
            abort(404, f"No environment named {name!r}.")
        return {
            "name": env.name,
            "type": env.type.name,
            "capacity": str(env.capacity),
            "changeover_days": str(env.changeover_days),
            "status": env.status.value,
            "tags": ", ".join(env.tags),
            "owner": env.owner,
            "description": env.description,
            "components": "\n".join(f"{c.name} {c.version}".strip() for c in env.components),
        }


def _form_page(form: Form, editing: str | None = None, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        types = type_names(session)
    return render_template(
        "environment_form.html",
        form=form,
        editing=editing,
        types=types,
        statuses=[s.value for s in EnvironmentStatus],
    ), status


# -- environment types --------------------------------------------------------------------


@requires("environments:read")
def environment_types() -> Any:
    return _types_page(Form(TYPE_LABELS, prefix="type-"))


@requires("environments:write")
def type_create() -> Any:
    form = Form.posted(TYPE_LABELS, prefix="type-")
    name = form.text("name", required="give the type a name", longest=NAME_LENGTH)
    description = form.text("description", longest=TEXT_LENGTH)
    if form.ok:
        try:
            inventory.create_environment_type(
                sessions(), name, actor=current_user(), now=now(), description=description
            )
        except EnvschedError as exc:
            form.absorb(exc)
        else:
            flash(f"Environment type {name} is added.", "success")
            return redirect(url_for("ui.environment_types"))
    return _types_page(form, status=400)


@requires("environments:write")
def type_checkin(name: str) -> Any:
    required = request.form.get("checkin_required") == "on"
    try:
        inventory.set_checkin_required(sessions(), name, required, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(f"{name}: {exc.said}", "error")
    else:
        said = "must now be checked in" if required else "no longer need a check-in"
        flash(f"{name} bookings {said}.", "success")
    return redirect(url_for("ui.environment_types"))


def _types_page(form: Form, status: int = 200) -> Any:
    rows = inventory.environment_types(sessions())
    checked = inventory.checkin_types(sessions())
    return render_template(
        "environment_types.html",
        rows=rows,
        form=form,
        checked=checked,
        checkin_hours=settings().checkin_hours,
    ), status
