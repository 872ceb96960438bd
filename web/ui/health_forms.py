"""Setting the health URL an environment is probed at, on the environment's own page
(environment managers and admins: ``health:write``). An empty URL ends the checks; a bad
one is shown again next to its field, with what is wrong."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for

from envsched import health
from envsched.errors import EnvschedError
from envsched.models.base import TEXT_LENGTH
from web.auth import current_user, requires
from web.context import now, sessions, settings
from web.ui.environments import environment_page
from web.ui.forms import Form
from web.ui.health import HEALTH_LABELS


@requires("health:write")
def health_set(name: str) -> Any:
    form = Form.posted(HEALTH_LABELS, prefix="health-")
    url = form.text("url", longest=TEXT_LENGTH)
    if not form.ok:
        return environment_page(name, health_form=form, status=400)
    try:
        row = health.set_health_url(
            sessions(), name, url, actor=current_user(), now=now(), settings=settings()
        )
    except EnvschedError as exc:
        form.absorb(exc)
        return environment_page(name, health_form=form, status=400)
    if row is None:
        flash(f"{name} has no health check now.", "success")
    else:
        flash(f"{name} is probed at {row.url} from now on.", "success")
    return redirect(url_for("ui.environment_detail", name=name, _anchor="health-h"))
