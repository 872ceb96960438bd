"""The demo bank's release lifecycle: the file's ``lifecycle``, replayed through the
services in time order, so every row obeys the rules a user's would.

The story, as of the anchor week:

* a year back the release manager wrote a monthly release train (go-live on the same
  day each month, code cut-off three days before) and published its windows, and three
  phase templates (major, minor, emergency fix);
* a year of past releases made from those templates went through entry and exit gates,
  go/no-go and deployment month by month — on time, late, backed out, deployed without a
  test or an operational sign-off, or cancelled once testing had begun
  (``envsched.demo.history``); so the KPIs have twelve months to count;
* in January the plan was republished for the coming year and this quarter's releases
  put into windows; their gates stand signed, vetoed, waived or open, PAY-2.1 went live
  late, OBA-11.3 was cancelled and PAY-2.4 was made from a template
  (``envsched.demo.quarter``).

Each step is a service call at its own past ``now``, by the demo user whose role does it
(an admin, if that user was kept with another role), so status history, sign-offs,
deployments and the audit log carry those times and names. Dates in the file are as of
its anchor and shift with the rest of the demo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import SQLModel, col, func, select

from envsched import lifecycle
from envsched.db import SessionFactory, read_transaction
from envsched.demo.history import RELEASE_MANAGER, schedule_past_release
from envsched.demo.quarter import schedule_quarter
from envsched.demo.timeline import DAY, Demo, Step, Timeline, at
from envsched.lifecycle.shapes import StrategyIn, TemplateIn, WindowIn
from envsched.models import (
    Deployment,
    ExternalLink,
    Gate,
    GateState,
    ReleaseStatusChange,
    ReleaseTemplate,
    ReleaseWindow,
    Role,
    User,
)

Data = dict[str, Any]


def load_lifecycle(
    sessions: SessionFactory, now: dt.datetime, shift: dt.timedelta, data: Data
) -> dict[str, int]:
    """Replay the lifecycle of the demo ``data`` (its bank already loaded); counts per kind."""
    story = data["lifecycle"]
    monday = dt.date.fromisoformat(data["anchor"]) + shift
    demo = Demo(
        sessions, shift, monday, _actors(sessions, data), Timeline(until=min(now, at(monday, 0)))
    )
    _schedule_setup(demo, story)
    demo.timeline.run()  # the strategy's first year of windows exists from here on
    _schedule_one_offs(demo, story)
    for spec in story["past_releases"]:
        schedule_past_release(demo, spec)
    schedule_quarter(demo, data)
    demo.timeline.run()
    return _counts(sessions, story)


def _actors(sessions: SessionFactory, data: Data) -> dict[str, User]:
    """The demo users who still have their demo role (or are admins)."""
    roles = {u["name"]: Role(u["role"]) for u in data["users"]}
    with read_transaction(sessions) as session:
        users = session.exec(select(User).where(col(User.name).in_(roles))).all()
    return {u.name: u for u in users if u.active and u.role in (roles[u.name], Role.ADMIN)}


def _schedule_setup(demo: Demo, story: Data) -> None:
    """A year back: the strategy written and published, the templates written."""
    setup, rita = demo.day(story["setup"]), demo.actor(RELEASE_MANAGER)
    strategy = StrategyIn.model_validate(
        {**story["strategy"], "anchor": demo.day(story["strategy"]["anchor"])}
    )
    demo.timeline.at(
        at(setup, 10),
        lambda now: lifecycle.create_strategy(demo.sessions, strategy, actor=rita, now=now),
    )
    demo.timeline.at(
        at(setup, 10.5),
        lambda now: lifecycle.publish_plan(demo.sessions, strategy.name, actor=rita, now=now),
    )
    for n, spec in enumerate(story["templates"]):
        demo.timeline.at(at(setup + 2 * DAY, 10 + n), _template(demo, spec))


def _template(demo: Demo, spec: Data) -> Step:
    template = TemplateIn.model_validate(spec)
    return lambda now: lifecycle.create_template(
        demo.sessions, template, actor=demo.actor(RELEASE_MANAGER), now=now
    )


def _schedule_one_offs(demo: Demo, story: Data) -> None:
    """Windows added by hand for one go-live (an emergency fix between windows)."""
    for spec in story["one_off_windows"]:
        window = WindowIn(
            name=spec["name"],
            start=demo.day(spec["start"]),
            cutoff=demo.day(spec["cutoff"]),
            go_live=demo.day(spec["go_live"]),
        )
        demo.one_offs[window.name] = window
        demo.timeline.at(at(demo.day(spec["added"]), 9), _add_window(demo, window))


def _add_window(demo: Demo, window: WindowIn) -> Step:
    return lambda now: lifecycle.add_window(
        demo.sessions, window, actor=demo.actor(RELEASE_MANAGER), now=now
    )


def _counts(sessions: SessionFactory, story: Data) -> dict[str, int]:
    with read_transaction(sessions) as session:

        def count(model: type[SQLModel], *where: Any) -> int:
            return int(session.exec(select(func.count()).select_from(model).where(*where)).one())

        return {
            "release windows": count(ReleaseWindow),
            "release templates": count(ReleaseTemplate),
            "past releases": len(story["past_releases"]),
            "releases from templates": len(story["past_releases"]) + len(story["from_templates"]),
            "gate decisions": count(Gate, Gate.state != GateState.OPEN),
            "deployments": count(Deployment),
            "incident and change links": count(ExternalLink),
            "status changes": count(ReleaseStatusChange),
        }
