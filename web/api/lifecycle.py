"""The release strategy, its windows and the release templates; with ``release_flow``'s
status, deployment and link routes, the lifecycle part of ``/api/v1``.

Strategies are addressed by name, windows by id, templates by name. Release managers
write; everyone signed in reads.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from sqlmodel import col, select

from envsched import lifecycle
from envsched.db import read_transaction
from envsched.lifecycle.shapes import (
    FromTemplateIn,
    MovedWindowOut,
    ReleaseOut,
    StrategyIn,
    StrategyOut,
    TemplateIn,
    TemplateOut,
    WindowIn,
    WindowMoveIn,
    WindowOut,
)
from envsched.models import ReleaseStrategy, ReleaseTemplate
from envsched.models.limits import Day, Input
from web.api import lifecycle_present as show
from web.api import release_flow
from web.api.routing import JSON, Route, actor
from web.context import now, sessions, settings

PLAN_DAYS = 366


class WindowQuery(Input):
    start: Day | None = Field(
        default=None, description="windows going live on or after this day (default today)"
    )
    end: Day | None = Field(
        default=None, description="... and before this day (default a year after start)"
    )


# -- strategies and windows -----------------------------------------------------------------


def list_release_strategies() -> list[JSON]:
    with read_transaction(sessions()) as session:
        rows = session.exec(select(ReleaseStrategy).order_by(col(ReleaseStrategy.name))).all()
        return [show.strategy(row) for row in rows]


def create_release_strategy(body: StrategyIn) -> JSON:
    return show.strategy(lifecycle.create_strategy(sessions(), body, actor=actor(), now=now()))


def publish_release_plan(strategy: str) -> list[JSON]:
    rows = lifecycle.publish_plan(sessions(), strategy, actor=actor(), now=now())
    with read_transaction(sessions()) as session:
        return [show.window(session, lifecycle.get_window(session, row.id or 0)) for row in rows]


def list_release_windows(query: WindowQuery) -> list[JSON]:
    start = query.start or now().date()
    end = query.end or start + dt.timedelta(days=PLAN_DAYS)
    with read_transaction(sessions()) as session:
        return [show.window(session, row) for row in lifecycle.windows_between(session, start, end)]


def get_release_window(release_window_id: int) -> JSON:
    with read_transaction(sessions()) as session:
        return show.window(session, lifecycle.get_window(session, release_window_id))


def add_release_window(body: WindowIn) -> JSON:
    row = lifecycle.add_window(sessions(), body, actor=actor(), now=now())
    return get_release_window(row.id or 0)


def move_release_window(release_window_id: int, body: WindowMoveIn) -> JSON:
    moved = lifecycle.move_window(
        sessions(),
        release_window_id,
        body.go_live,
        actor=actor(),
        now=now(),
        replan_now=body.replan,
        settings=settings(),
    )
    return {
        "window": get_release_window(release_window_id),
        "releases": moved.releases,
        "plan_run": moved.run.id if moved.run else None,
    }


# -- templates --------------------------------------------------------------------------------


def list_release_templates() -> list[JSON]:
    with read_transaction(sessions()) as session:
        rows = session.exec(select(ReleaseTemplate).order_by(col(ReleaseTemplate.name))).all()
        return [show.template(row) for row in rows]


def get_release_template(template: str) -> JSON:
    with read_transaction(sessions()) as session:
        return show.template(lifecycle.get_template(session, template))


def create_release_template(body: TemplateIn) -> JSON:
    lifecycle.create_template(sessions(), body, actor=actor(), now=now())
    return get_release_template(body.name)


def replace_release_template(template: str, body: TemplateIn) -> JSON:
    lifecycle.update_template(sessions(), template, body, actor=actor(), now=now())
    return get_release_template(body.name)


def delete_release_template(template: str) -> None:
    lifecycle.delete_template(sessions(), template, actor=actor(), now=now())


def release_from_template(template: str, body: FromTemplateIn) -> JSON:
    row = lifecycle.create_release_from_template(
        sessions(), template, body, actor=actor(), now=now()
    )
    return release_flow.release_detail(row.key)


MAJOR_EXAMPLE = {
    "name": "major",
    "release_type": "major",
    "phases": [
        {"name": "SIT", "type": "SIT", "duration_days": 10},
        {"name": "UAT", "type": "UAT", "duration_days": 10, "required_tags": ["mainframe"]},
        {"name": "UAT-2", "type": "UAT", "duration_days": 5, "after": ["SIT"]},
    ],
}

WINDOW_ROUTES = [
    Route(
        "GET",
        "/release-strategies",
        list_release_strategies,
        "windows:read",
        "The release strategies (cadences)",
        list[StrategyOut],
    ),
    Route(
        "POST",
        "/release-strategies",
        create_release_strategy,
        "windows:write",
        "Add a release strategy: quarterly, monthly, biweekly or explicit dates",
        StrategyOut,
        201,
        body=StrategyIn,
        errors=(400,),
        example={
            "name": "monthly",
            "cadence": "monthly",
            "anchor": "2027-01-29",
            "window_days": 21,
            "freeze_days": 5,
        },
    ),
    Route(
        "POST",
        "/release-strategies/<strategy>/publish",
        publish_release_plan,
        "windows:write",
        "(Re)generate the strategy's windows twelve months ahead: the published plan",
        list[WindowOut],
        errors=(404,),
    ),
    Route(
        "GET",
        "/release-windows",
        list_release_windows,
        "windows:read",
        "Release windows going live in a period (default: the next twelve months)",
        list[WindowOut],
        query=WindowQuery,
        errors=(400,),
    ),
    Route(
        "POST",
        "/release-windows",
        add_release_window,
        "windows:write",
        "Add a one-off release window",
        WindowOut,
        201,
        body=WindowIn,
        errors=(400,),
        example={
            "name": "hotfix",
            "start": "2027-02-01",
            "cutoff": "2027-02-10",
            "go_live": "2027-02-12",
        },
    ),
    Route(
        "GET",
        "/release-windows/<int:release_window_id>",
        get_release_window,
        "windows:read",
        "One release window and the releases in it",
        WindowOut,
        errors=(404,),
    ),
    Route(
        "POST",
        "/release-windows/<int:release_window_id>/move",
        move_release_window,
        "windows:write",
        "Move a window; its releases' dates move alike, and a planning "
        "round proposes the booking changes",
        MovedWindowOut,
        body=WindowMoveIn,
        errors=(400, 404),
        example={"go_live": "2027-03-12", "replan": False},
    ),
]

TEMPLATE_ROUTES = [
    Route(
        "GET",
        "/release-templates",
        list_release_templates,
        "templates:read",
        "Release types' phase templates",
        list[TemplateOut],
    ),
    Route(
        "POST",
        "/release-templates",
        create_release_template,
        "templates:write",
        "Add a release template",
        TemplateOut,
        201,
        body=TemplateIn,
        errors=(400,),
        example=MAJOR_EXAMPLE,
    ),
    Route(
        "GET",
        "/release-templates/<template>",
        get_release_template,
        "templates:read",
        "One release template",
        TemplateOut,
        errors=(404,),
    ),
    Route(
        "PUT",
        "/release-templates/<template>",
        replace_release_template,
        "templates:write",
        "Replace a release template whole",
        TemplateOut,
        body=TemplateIn,
        errors=(400, 404),
        example=MAJOR_EXAMPLE,
    ),
    Route(
        "DELETE",
        "/release-templates/<template>",
        delete_release_template,
        "templates:write",
        "Remove a release template (releases made from it stay)",
        None,
        204,
        errors=(404,),
    ),
    Route(
        "POST",
        "/release-templates/<template>/releases",
        release_from_template,
        "templates:write",
        "Create a release from a template: its phases and a booking request for each",
        ReleaseOut,
        201,
        body=FromTemplateIn,
        errors=(400, 404),
        example={"key": "R20", "title": "Ledger 2.1", "earliest_start": "2027-02-01"},
    ),
]

ROUTES = [*WINDOW_ROUTES, *TEMPLATE_ROUTES, *release_flow.ROUTES]
