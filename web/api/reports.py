"""Questions about the whole store: free slots, clashes, capacity per type per week."""

from __future__ import annotations

from envsched.booking import ClashOut, SlotOut, StateClash, current_clashes, find_free_slots
from envsched.db import read_transaction
from envsched.inventory import CapacityReportOut, CapacityRowOut
from envsched.planning import capacity_report
from web.api import present, queries
from web.api.routing import JSON, Route
from web.api.schemas import CapacityQuery, ClashQuery, Page, SlotQuery
from web.context import now, sessions


def free_slots(query: SlotQuery) -> list[JSON]:
    with read_transaction(sessions()) as session:
        queries.check_type(session, query.type)
        found = find_free_slots(
            session,
            query.type,
            query.days,
            query.after,
            tags=query.tags,
            environments=query.environments,
            before=query.before,
            limit=query.limit,
        )
    return [present.slot(s) for s in found]


def list_clashes(query: ClashQuery) -> JSON:
    with read_transaction(sessions()) as session:
        found = [c for c in current_clashes(session) if _matches(c, query)]
    first = (query.page - 1) * query.per_page
    return {
        "items": [present.clash(c) for c in found[first : first + query.per_page]],
        "page": query.page,
        "per_page": query.per_page,
        "total": len(found),
    }


def _matches(clash: StateClash, query: ClashQuery) -> bool:
    return (
        (query.kind is None or clash.kind == query.kind)
        and (query.environment is None or clash.environment == query.environment)
        and (query.release is None or clash.release == query.release)
    )


def capacity(query: CapacityQuery) -> JSON:
    start = query.start or now().date()
    frame = capacity_report(sessions(), start, query.weeks, query.type)
    rows = [
        CapacityRowOut.model_validate({**row, "week_start": row["week_start"].date()})
        for row in frame.to_dict("records")
    ]
    return CapacityReportOut(start=start, weeks=query.weeks, rows=rows).model_dump(mode="json")


ROUTES = [
    Route(
        "GET",
        "/slots",
        free_slots,
        "slots:read",
        "The earliest free runs of days, one per eligible environment, earliest first",
        list[SlotOut],
        query=SlotQuery,
        errors=(400,),
    ),
    Route(
        "GET",
        "/clashes",
        list_clashes,
        "clashes:read",
        "Clashes in the stored bookings: overbooked days, changeover days too few between "
        "releases, maintenance, freezes, unavailable or ineligible environments, phase "
        "order, late releases",
        Page[ClashOut],
        query=ClashQuery,
        errors=(400,),
    ),
    Route(
        "GET",
        "/capacity",
        capacity,
        "capacity:read",
        "Demand, supply and shortfall in environment-days per type per ISO week",
        CapacityReportOut,
        query=CapacityQuery,
        errors=(400,),
    ),
]
