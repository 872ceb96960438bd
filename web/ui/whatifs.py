"""What-if pages: the list, the editor (typed changes added and removed), a run with
visible progress, the comparison: what differs, marked on one chart, and promotion.

Every action is one call of the what-if services; a refused change comes back on the
editor as a message naming the field, with nothing stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from envsched import planning
from envsched.errors import EnvschedError, InvalidInput
from envsched.models import SolveKind, WhatIf, WhatIfStatus
from envsched.planning import changed_scenario_document, snapshot_of
from web.auth import current_user, requires
from web.background import queue_of, queued_of, run_whatif_queued, shown_status
from web.context import now, sessions
from web.ui.whatif_forms import FORMS, change_from_form, error_words
from web.ui.whatif_view import comparison, field_list, suggestions

DEFAULT_SECONDS = 30
MAX_SECONDS = 600
SHOWS_RESULTS = (WhatIfStatus.DONE, WhatIfStatus.PROMOTED)


@requires("whatif:read")
def whatif_list() -> Any:
    return render_template(
        "whatifs.html",
        whatifs=planning.list_whatifs(sessions(), now=now()),
        queued=queued_of(SolveKind.WHATIF),
    )


@requires("whatif:write")
def whatif_create() -> Any:
    name = request.form.get("name", "")
    try:
        row = planning.create_whatif(
            sessions(),
            name,
            actor=current_user(),
            now=now(),
            description=request.form.get("description", "").strip(),
        )
    except EnvschedError as exc:
        flash(exc.said, "error")
        return redirect(url_for("ui.whatif_list"))
    flash(f"What-if {row.name} made from the stored state; add changes, then run it.", "success")
    return redirect(url_for("ui.whatif_detail", whatif_id=row.id))


@requires("whatif:read")
def whatif_detail(whatif_id: int) -> Any:
    row = planning.get_whatif(sessions(), whatif_id, now=now())
    changed = _changed_document(row)
    results = planning.compare(sessions(), whatif_id) if row.status in SHOWS_RESULTS else None
    compared = comparison(results, row.base, changed) if results else None
    queue = queue_of(SolveKind.WHATIF, row.id)
    return render_template(
        "whatif.html",
        row=row,
        described=planning.describe_changes(row),
        queue=queue,
        shown=shown_status(row.status.value, queue),
        snapshot=snapshot_of(row),
        forms=FORMS,
        names=suggestions(changed),
        field_list=field_list,
        results=results,
        compared=compared,
        metric_words=planning.COMPARISON_WORDS,
        solver_words=planning.solver_words,
        default_seconds=DEFAULT_SECONDS,
        max_seconds=MAX_SECONDS,
        editable=row.status not in (WhatIfStatus.RUNNING, WhatIfStatus.PROMOTED),
    )


def _changed_document(row: WhatIf) -> dict[str, Any]:
    return changed_scenario_document(row)


@requires("whatif:write")
def whatif_change_add(whatif_id: int) -> Any:
    change = change_from_form(request.form)
    return _act(
        whatif_id,
        lambda: planning.add_change(sessions(), whatif_id, change, actor=current_user()),
        "change added",
    )


@requires("whatif:write")
def whatif_change_remove(whatif_id: int, index: int) -> Any:
    return _act(
        whatif_id,
        lambda: planning.remove_change(sessions(), whatif_id, index, actor=current_user()),
        f"change {index + 1} removed",
    )


@requires("whatif:write")
def whatif_run(whatif_id: int) -> Any:
    seconds = _seconds(request.form.get("time_limit", ""))
    return _act(
        whatif_id,
        lambda: run_whatif_queued(whatif_id, seconds),
        f"run queued ({seconds:g} solver seconds at most)",
    )


def _seconds(raw: str) -> float:
    """The form's time limit, kept within 1 to ``MAX_SECONDS``; empty: the default."""
    try:
        value = float(raw) if raw.strip() else DEFAULT_SECONDS
    except ValueError:
        value = DEFAULT_SECONDS
    return min(max(value, 1.0), MAX_SECONDS)


@requires("whatif:promote")
def whatif_promote(whatif_id: int) -> Any:
    return _act(
        whatif_id,
        lambda: planning.promote_whatif(sessions(), whatif_id, actor=current_user(), now=now()),
        "promoted: its plan is now tentative bookings for approval",
    )


@requires("whatif:read")
def whatif_scenario(whatif_id: int) -> Any:
    row = planning.get_whatif(sessions(), whatif_id)
    body = json.dumps(_changed_document(row), indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{row.name}.scenario.json"'},
    )


def _act(whatif_id: int, action: Callable[[], Any], done: str) -> Any:
    try:
        action()
    except InvalidInput as exc:
        flash(error_words(exc.field, exc.problem), "error")
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        flash(f"What-if: {done}.", "success")
    return redirect(url_for("ui.whatif_detail", whatif_id=whatif_id))
