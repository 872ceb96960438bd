"""Cancelling a queued or running solve from its plan run's or what-if's page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from envsched.errors import EnvschedError
from envsched.models import SolveJob, SolveKind
from envsched.solves import cancel
from web.auth import current_user, requires
from web.context import now, sessions


@requires("planruns:run")
def solve_cancel(job_id: int) -> Any:
    try:
        job = cancel(sessions(), job_id, current_user(), now())
    except EnvschedError as exc:
        flash(exc.said, "error")
        return redirect(url_for("ui.planrun_list"))
    flash(f"The solve was {job.error}.", "success")
    return _back(job)


def _back(job: SolveJob) -> Response:
    if job.kind == SolveKind.WHATIF:
        return redirect(url_for("ui.whatif_detail", whatif_id=job.target_id))
    return redirect(url_for("ui.planrun_detail", run_id=job.target_id))
