"""Editing a phase from its release's page (release managers and admins: ``releases:
write``, as ``PATCH /api/v1/phases/<key>``): its name, days, gap, the tags it needs, the
environments it is limited to, and the stacks it needs a whole one of (issue 16).

The stacks offered are those with a member that serves the phase, by the rule booking a
stack applies (``inventory.serving_member``); the service checks the same rule again
(``lifecycle.update_phase``), and a refusal is shown next to the field it names.
"""

from __future__ import annotations

from typing import Any

import pydantic
from flask import abort, flash, redirect, render_template, url_for
from sqlmodel import Session

from envsched import inventory, lifecycle
from envsched.db import read_transaction
from envsched.errors import EnvschedError, NotFound
from envsched.lifecycle.shapes import PhasePatch
from envsched.models import Phase
from envsched.models.base import NAME_LENGTH
from envsched.models.limits import MAX_DAYS
from web.auth import current_user, requires
from web.context import now, sessions
from web.ui.forms import Form

LABELS = {
    "name": "Name",
    "duration_days": "Days it takes",
    "gap_days": "Days to wait after the phase before",
    "required_tags": "Tags it needs",
    "environments": "Only these environments",
    "stacks": "Stacks it may run on, one whole stack at a time",
}


@requires("releases:write")
def phase_edit(key: str, phase: str) -> Any:
    with read_transaction(sessions()) as session:
        found = _phase(session, key, phase)
        values = {
            "name": found.name,
            "duration_days": str(found.duration_days),
            "gap_days": str(found.gap_days),
            "required_tags": ", ".join(found.required_tags),
            "environments": ", ".join(found.environments or []),
            "stacks": ", ".join(found.stacks or []),
        }
    return _page(key, phase, Form(LABELS, values))


@requires("releases:write")
def phase_save(key: str, phase: str) -> Any:
    form = Form.posted(LABELS)
    name = form.text("name", longest=NAME_LENGTH)
    days = form.whole("duration_days", low=1, high=MAX_DAYS)
    gap = form.whole("gap_days", low=0, high=MAX_DAYS)
    if not form.ok:
        return _page(key, phase, form, 400)
    try:
        patch = PhasePatch(
            name=name,
            duration_days=days,
            gap_days=gap,
            required_tags=form.words("required_tags"),
            environments=form.words("environments") or None,
            stacks=form.words("stacks") or None,
        )
        lifecycle.update_phase(sessions(), phase, patch, actor=current_user(), now=now())
    except NotFound:
        abort(404)
    except (pydantic.ValidationError, EnvschedError) as exc:
        form.absorb(exc)
        return _page(key, phase, form, 400)
    flash(f"{phase} is saved.", "success")
    return redirect(url_for("ui.release_detail", key=key))


def _phase(session: Session, key: str, phase: str) -> Phase:
    """The phase of release ``key``; 404 for another release's or none."""
    try:
        found = lifecycle.get_phase(session, phase)
    except NotFound:
        abort(404)
    if found.release.key != key:
        abort(404)
    return found


def _page(key: str, phase: str, form: Form, status: int = 200) -> Any:
    with read_transaction(sessions()) as session:
        found = _phase(session, key, phase)
        offered = _stacks(session, found, form.words("stacks"))
        facts = {"key": found.key, "type": found.type.name, "release": key}
    return render_template("phase_edit.html", form=form, phase=facts, stacks=offered), status


def _stacks(session: Session, phase: Phase, chosen: list[str]) -> list[tuple[str, str, bool]]:
    """(name, members, serves) of each stack with a member serving the phase, and of
    each one chosen that does not (so it can be unticked)."""
    offered = []
    for stack in inventory.stacks(session):
        members = inventory.stack_members(session, inventory.stack_named(session, stack.name))
        serves = inventory.serving_member(members, phase) is not None
        if serves or stack.name in chosen:
            offered.append((stack.name, ", ".join(stack.members), serves))
    return offered
