"""What-if scenarios: make, change, run in the background, compare, promote, export.

A what-if is addressed by its id. Changes are validated by the what-if services
(``change_from_dict``, then applied to the scenario they would change), so a 400 names
the bad field, e.g. ``add_environment.capacity`` or ``changes[1].days``.
"""

from __future__ import annotations

from typing import Any

from envsched import planning
from envsched.models import SolveKind, WhatIf
from envsched.planning import (
    ChangeIn,
    ComparisonOut,
    PromotionOut,
    WhatIfIn,
    WhatIfOut,
    WhatIfRunIn,
    change_data,
    changed_scenario_document,
    snapshot_of,
)
from web.api.routing import JSON, Route, actor
from web.background import queue_of, run_whatif_queued
from web.context import now, sessions

TIMESTAMPS = ("created_at", "started_at", "promoted_at")
PLAIN = ("id", "name", "description", "created_by", "progress", "error", "changes", "promoted_by")


def whatif_summary(row: WhatIf) -> JSON:
    data: dict[str, Any] = {name: getattr(row, name) for name in PLAIN}
    data.update(
        {
            name: (value.isoformat() if (value := getattr(row, name)) else None)
            for name in TIMESTAMPS
        }
    )
    summary = row.comparison["rows"] if row.comparison else None
    snapshot = snapshot_of(row)
    return {
        **data,
        "status": row.status.value,
        "described": planning.describe_changes(row),
        "summary": summary,
        "copy_taken_at": snapshot.taken_at.isoformat(),
        "left_out": list(snapshot.left_out),
        "queue": queue_of(SolveKind.WHATIF, row.id),
    }


def list_whatifs() -> list[JSON]:
    return [whatif_summary(row) for row in planning.list_whatifs(sessions(), now=now())]


def create_whatif(body: WhatIfIn) -> JSON:
    row = planning.create_whatif(
        sessions(),
        body.name,
        actor=actor(),
        now=now(),
        description=body.description,
        start=body.start,
        horizon_days=body.horizon_days,
    )
    return whatif_summary(row)


def get_whatif(whatif_id: int) -> JSON:
    return whatif_summary(planning.get_whatif(sessions(), whatif_id, now=now()))


def add_change(whatif_id: int, body: Any) -> JSON:
    row = planning.add_change(sessions(), whatif_id, change_data(body), actor=actor())
    return whatif_summary(row)


def remove_change(whatif_id: int, index: int) -> JSON:
    return whatif_summary(planning.remove_change(sessions(), whatif_id, index, actor=actor()))


def run_whatif(whatif_id: int, body: WhatIfRunIn) -> JSON:
    run_whatif_queued(whatif_id, body.time_limit)
    return get_whatif(whatif_id)


def comparison(whatif_id: int) -> JSON:
    return planning.compare(sessions(), whatif_id)


def promote(whatif_id: int) -> JSON:
    bookings = planning.promote_whatif(sessions(), whatif_id, actor=actor(), now=now())
    row = planning.get_whatif(sessions(), whatif_id)
    return {"what_if": row.name, "bookings": [b.id for b in bookings]}


def scenario_file(whatif_id: int) -> JSON:
    """The changed scenario as an ``envsched-scenario/1`` document, named after the what-if."""
    row = planning.get_whatif(sessions(), whatif_id)
    return changed_scenario_document(row)


ROUTES = [
    Route(
        "GET",
        "/what-ifs",
        list_whatifs,
        "whatif:read",
        "List what-if scenarios by name",
        list[WhatIfOut],
    ),
    Route(
        "POST",
        "/what-ifs",
        create_whatif,
        "whatif:write",
        "Make a what-if from the stored state now",
        WhatIfOut,
        201,
        body=WhatIfIn,
        errors=(400,),
        example={"name": "more-uat", "description": "one more UAT"},
    ),
    Route(
        "GET",
        "/what-ifs/<int:whatif_id>",
        get_whatif,
        "whatif:read",
        "A what-if: its changes, status and run progress",
        WhatIfOut,
        errors=(404,),
    ),
    Route(
        "POST",
        "/what-ifs/<int:whatif_id>/changes",
        add_change,
        "whatif:write",
        "Add a change (its kind and that kind's fields); refused with the bad field named",
        WhatIfOut,
        201,
        body=ChangeIn,
        errors=(404, 409),
        example={"kind": "add_environment", "id": "UAT-9", "type": "UAT", "tags": ["mainframe"]},
    ),
    Route(
        "DELETE",
        "/what-ifs/<int:whatif_id>/changes/<int:index>",
        remove_change,
        "whatif:write",
        "Remove the change at index (from 0)",
        WhatIfOut,
        errors=(400, 404, 409),
    ),
    Route(
        "POST",
        "/what-ifs/<int:whatif_id>/run",
        run_whatif,
        "whatif:write",
        "Plan baseline and what-if in the background; poll the what-if for progress",
        WhatIfOut,
        202,
        body=WhatIfRunIn,
        errors=(404, 409),
        example={"time_limit": 2},
    ),
    Route(
        "GET",
        "/what-ifs/<int:whatif_id>/comparison",
        comparison,
        "whatif:read",
        "Baseline and what-if side by side, with both plans",
        ComparisonOut,
        errors=(404, 409),
    ),
    Route(
        "POST",
        "/what-ifs/<int:whatif_id>/promote",
        promote,
        "whatif:promote",
        "Make the what-if's plan the plan: its placements become tentative bookings",
        PromotionOut,
        errors=(404, 409),
    ),
    Route(
        "GET",
        "/what-ifs/<int:whatif_id>/scenario",
        scenario_file,
        "whatif:read",
        "The changed scenario as an envsched-scenario/1 file",
        dict[str, Any],
        errors=(400, 404),
    ),
]
