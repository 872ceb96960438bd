"""The solve queue: what waits for ``envsched worker`` and what it runs, and cancelling.

``GET /solves`` lists the open solves oldest first, queued ones with their ``place``
(1 runs next); a plan run's and a what-if's own answer carries its entry as ``queue``.
``POST /solves/<id>/cancel`` cancels a queued solve at once, and asks the worker to
stop a running one (its plan run or what-if shows cancelled, "cancelled by …", at once).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from envsched.db import read_transaction
from envsched.solves import QueueEntry, cancel, open_entries
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


class SolvePublic(BaseModel):
    job: int
    kind: str = Field(description="replan or whatif")
    target_id: int = Field(description="the plan run's or the what-if's id")
    status: str = Field(description="queued, running, done, failed or cancelled")
    place: int | None = Field(description="place in the queue, 1 runs next; None once running")
    cancel_requested: bool


def entry_json(entry: QueueEntry) -> JSON:
    return {**entry.to_dict(), "kind": entry.kind.value, "target_id": entry.target_id}


def list_solves() -> list[JSON]:
    with read_transaction(sessions()) as session:
        return [entry_json(e) for e in open_entries(session)]


def cancel_solve(job_id: int) -> JSON:
    job = cancel(sessions(), job_id, actor(), now())
    return {
        "job": job.id,
        "kind": job.kind.value,
        "target_id": job.target_id,
        "status": job.status.value,
        "place": None,
        "cancel_requested": job.cancel_requested,
    }


ROUTES = [
    Route(
        "GET",
        "/solves",
        list_solves,
        "planruns:read",
        "Solves queued or running (re-plan now, nightly rounds, what-if runs), oldest "
        "first, each queued one with its place",
        list[SolvePublic],
    ),
    Route(
        "POST",
        "/solves/<int:job_id>/cancel",
        cancel_solve,
        "planruns:run",
        "Cancel a queued solve, or stop a running one; 409 once it has ended",
        SolvePublic,
        errors=(404, 409),
    ),
]
