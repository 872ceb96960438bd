"""Change freezes: days on which no booking may touch environments of the given types."""

from __future__ import annotations

from sqlmodel import col, select

from envsched import inventory
from envsched.db import read_transaction
from envsched.inventory import FreezeIn, FreezeOut
from envsched.models import Freeze
from web.api import present, queries
from web.api.routing import JSON, Route, actor
from web.api.schemas import Page, Paging
from web.context import now, sessions


def list_freezes(query: Paging) -> JSON:
    with read_transaction(sessions()) as session:
        rows = select(Freeze).order_by(col(Freeze.start), col(Freeze.id))
        return queries.page(session, rows, query, present.freeze)


def add_freeze(body: FreezeIn) -> JSON:
    row = inventory.create_freeze(
        sessions(),
        body.start,
        body.end,
        actor=actor(),
        now=now(),
        types=body.types,
        name=body.name,
        reason=body.reason,
    )
    return present.freeze(row)


def remove_freeze(freeze_id: int) -> None:
    inventory.remove_freeze(sessions(), freeze_id, actor=actor(), now=now())


ROUTES = [
    Route(
        "GET",
        "/freezes",
        list_freezes,
        "environments:read",
        "List change freezes",
        Page[FreezeOut],
        query=Paging,
        errors=(400,),
    ),
    Route(
        "POST",
        "/freezes",
        add_freeze,
        "freezes:write",
        "Add a change freeze on days [start, end) for some types (none: all)",
        FreezeOut,
        201,
        body=FreezeIn,
        errors=(400,),
        example={
            "name": "year-end",
            "start": "2027-12-20",
            "end": "2028-01-04",
            "types": ["UAT"],
            "reason": "year-end close",
        },
    ),
    Route(
        "DELETE",
        "/freezes/<int:freeze_id>",
        remove_freeze,
        "freezes:write",
        "Remove a change freeze",
        None,
        204,
        errors=(404,),
    ),
]
