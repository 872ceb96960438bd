"""Releases (by key, ``R1``) and their test phases (by key, ``R1-UAT``)."""

from __future__ import annotations

from envsched import lifecycle
from envsched.db import read_transaction
from envsched.lifecycle.shapes import (
    PhaseIn,
    PhaseOut,
    PhasePatch,
    ReleaseIn,
    ReleaseOut,
    ReleasePatch,
)
from web.api import present, queries
from web.api.routing import JSON, Route, actor
from web.api.schemas import Page, ReleaseQuery
from web.context import now, sessions


def list_releases(query: ReleaseQuery) -> JSON:
    with read_transaction(sessions()) as session:
        return queries.page(session, queries.releases(query), query, present.release)


def get_release(key: str) -> JSON:
    with read_transaction(sessions()) as session:
        return present.release(lifecycle.get_release(session, key))


def create_release(body: ReleaseIn) -> JSON:
    row = lifecycle.create_release(sessions(), body, actor=actor(), now=now())
    return get_release(row.key)


def update_release(key: str, body: ReleasePatch) -> JSON:
    lifecycle.update_release(sessions(), key, body, actor=actor(), now=now())
    return get_release(key)


def list_phases(key: str) -> list[JSON]:
    with read_transaction(sessions()) as session:
        return [present.phase(p) for p in lifecycle.get_release(session, key).phases]


def get_phase(key: str) -> JSON:
    with read_transaction(sessions()) as session:
        return present.phase(lifecycle.get_phase(session, key))


def add_phase(key: str, body: PhaseIn) -> JSON:
    row = lifecycle.add_phase(sessions(), key, body, actor=actor(), now=now())
    return get_phase(row.key)


def update_phase(key: str, body: PhasePatch) -> JSON:
    lifecycle.update_phase(sessions(), key, body, actor=actor(), now=now())
    return get_phase(key)


ROUTES = [
    Route(
        "GET",
        "/releases",
        list_releases,
        "releases:read",
        "List releases with their phases, filtered by status and type",
        Page[ReleaseOut],
        query=ReleaseQuery,
        errors=(400,),
    ),
    Route(
        "POST",
        "/releases",
        create_release,
        "releases:write",
        "Add a release",
        ReleaseOut,
        201,
        body=ReleaseIn,
        errors=(400,),
        example={
            "key": "R9",
            "title": "Ledger 2.0",
            "priority": 2,
            "earliest_start": "2027-02-01",
            "due": "2027-06-30",
        },
    ),
    Route(
        "GET",
        "/releases/<key>",
        get_release,
        "releases:read",
        "One release with its phases in order",
        ReleaseOut,
        errors=(404,),
    ),
    Route(
        "PATCH",
        "/releases/<key>",
        update_release,
        "releases:write",
        "Change the fields given; a new status takes the release flow's step (409 off "
        "the flow, or to ready while an exit gate is open or vetoed; cancelled withdraws "
        "the release's open requests and live bookings)",
        ReleaseOut,
        body=ReleasePatch,
        errors=(400, 404, 409),
        example={"priority": 3, "due": "2027-05-31"},
    ),
    Route(
        "GET",
        "/releases/<key>/phases",
        list_phases,
        "releases:read",
        "The phases of a release, in order",
        list[PhaseOut],
        errors=(404,),
    ),
    Route(
        "POST",
        "/releases/<key>/phases",
        add_phase,
        "releases:write",
        "Add a phase (default: last)",
        PhaseOut,
        201,
        body=PhaseIn,
        errors=(400, 404),
        example={"key": "R1-PERF", "type": "UAT", "duration_days": 3},
    ),
    Route("GET", "/phases/<key>", get_phase, "releases:read", "One phase", PhaseOut, errors=(404,)),
    Route(
        "PATCH",
        "/phases/<key>",
        update_phase,
        "releases:write",
        "Change the fields given of a phase",
        PhaseOut,
        body=PhasePatch,
        errors=(400, 404),
        example={"duration_days": 6, "gap_days": 1},
    ),
]
