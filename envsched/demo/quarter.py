"""This quarter in the demo: the plan republished, the releases put into windows, how far
their testing got, and the decisions of the last weeks.

Every step happens before the anchor week's Monday:

* at the January planning (``planning``) the release manager (rita) republishes the
  strategy for the coming twelve months, puts each release of ``windows`` into its
  window (its due date becomes the window's cut-off) and writes the gate ``criteria``;
* each release the file has in test (or beyond) entered test the day before its first
  booking, or on the Friday before this week if none has started; each phase whose
  booking has started had its entry gate signed by a test manager the day before, and
  each whose booking is over its exit gate signed on its last day — unless ``gates``
  says how that gate was decided instead (vetoed, waived, with the reason);
* ``deployments``: the release became ready once its last booking ended, rita signed
  its go/no-go the day before and recorded the deployment with its back-out plan;
* ``cancellations``, ``links`` and ``from_templates`` (a release made from a template in
  a window ahead, asking for its bookings) happen on their days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from envsched import lifecycle
from envsched.db import read_transaction
from envsched.demo.history import OWNER, RELEASE_MANAGER, link_step
from envsched.demo.timeline import DAY, Demo, Step, at
from envsched.lifecycle import GateRef, GateView
from envsched.lifecycle.shapes import DeploymentIn, FromTemplateIn
from envsched.models import (
    Booking,
    BookingStatus,
    GateKind,
    GateState,
    LinkKind,
    Phase,
    Release,
    ReleaseStatus,
    User,
)

Data = dict[str, Any]
TESTERS = ("tom", "tara")
TESTED = (ReleaseStatus.IN_TEST, ReleaseStatus.READY, ReleaseStatus.DEPLOYED)
DECIDE: dict[GateState, Callable[..., GateView]] = {
    GateState.SIGNED: lifecycle.sign_gate,
    GateState.VETOED: lifecycle.veto_gate,
    GateState.WAIVED: lifecycle.waive_gate,
}


def schedule_quarter(demo: Demo, data: Data) -> None:
    story = data["lifecycle"]
    _schedule_planning(demo, story)
    decided = {(g["release"], g.get("phase"), GateKind(g["kind"])) for g in story["gates"]}
    for n, release in enumerate(data["releases"]):
        if ReleaseStatus(release["status"]) in TESTED:
            _schedule_testing(demo, release["key"], TESTERS[n % len(TESTERS)], decided)
    for gate in story["gates"]:
        demo.timeline.at(at(demo.day(gate["on"]), 15), _decision(demo, gate))
    for deployment in story["deployments"]:
        _schedule_deployment(demo, deployment)
    for cancelled in story["cancellations"]:
        demo.timeline.at(
            at(demo.day(cancelled["on"]), 11),
            _status(demo, cancelled["release"], ReleaseStatus.CANCELLED, cancelled["reason"]),
        )
    for link in story["links"]:
        demo.timeline.at(
            at(demo.day(link["on"]), 11),
            link_step(
                demo,
                link["release"],
                LinkKind(link["kind"]),
                link["key"],
                demo.actor(RELEASE_MANAGER),
            ),
        )
    for made in story["from_templates"]:
        demo.timeline.at(at(demo.day(made["on"]), 10), _from_template(demo, made))


def _schedule_planning(demo: Demo, story: Data) -> None:
    planning, rita = demo.day(story["planning"]), demo.actor(RELEASE_MANAGER)
    strategy = story["strategy"]["name"]
    demo.timeline.at(
        at(planning, 9),
        lambda now: lifecycle.publish_plan(demo.sessions, strategy, actor=rita, now=now),
    )
    for key, month in story["windows"].items():
        demo.timeline.at(at(planning, 9.5), _assign(demo, key, month))
    for c in story["criteria"]:
        demo.timeline.at(at(planning, 10), _criteria(demo, c))


def _schedule_testing(
    demo: Demo, key: str, tester: str, decided: set[tuple[str, str | None, GateKind]]
) -> None:
    booked = phase_days(demo, key)
    first = min([start for start, _ in booked.values()] + [demo.monday - 2 * DAY])
    demo.timeline.at(
        at(first - DAY, 14), _status(demo, key, ReleaseStatus.IN_TEST, "testing starts")
    )
    signer = demo.actor(tester)
    for phase, (start, end) in booked.items():
        if start <= demo.monday and (key, phase, GateKind.ENTRY) not in decided:
            demo.timeline.at(
                at(start - DAY, 16), _sign(demo, GateRef(key, phase, GateKind.ENTRY), signer)
            )
        if end <= demo.monday and (key, phase, GateKind.EXIT) not in decided:
            demo.timeline.at(
                at(end - DAY, 17), _sign(demo, GateRef(key, phase, GateKind.EXIT), signer)
            )


def phase_days(demo: Demo, key: str) -> dict[str, tuple[dt.date, dt.date]]:
    """Each booked phase of release ``key``: its first booked day and the end of its last."""
    with read_transaction(demo.sessions) as session:
        rows = session.exec(
            select(col(Phase.key), col(Booking.start), col(Booking.end))
            .join(Booking)
            .join(Release)
            .where(Release.key == key, Booking.status != BookingStatus.CANCELLED)
            .order_by(col(Phase.position))
        ).all()
    days: dict[str, tuple[dt.date, dt.date]] = {}
    for phase, start, end in rows:
        first, last = days.get(phase, (start, end))
        days[phase] = (min(first, start), max(last, end))
    return days


def _schedule_deployment(demo: Demo, spec: Data) -> None:
    key, day, rita = spec["release"], demo.day(spec["on"]), demo.actor(RELEASE_MANAGER)
    done = max(end for _, end in phase_days(demo, key).values()) - DAY
    demo.timeline.at(
        at(done, 17.5), _status(demo, key, ReleaseStatus.READY, "every phase passed its exit gate")
    )
    demo.timeline.at(at(day - DAY, 16), _sign(demo, GateRef(key, None, GateKind.GO_NO_GO), rita))
    data = DeploymentIn(
        deployed_on=day, backout_plan=spec["backout_plan"], notes=spec.get("notes", "")
    )
    demo.timeline.at(
        at(day, 21),
        lambda now: lifecycle.record_deployment(
            demo.sessions, key, data, actor=demo.actor(spec["by"]), now=now
        ),
    )


def _assign(demo: Demo, key: str, month: str) -> Step:
    return lambda now: lifecycle.assign_release(
        demo.sessions, key, demo.window_id(month), actor=demo.actor(RELEASE_MANAGER), now=now
    )


def _criteria(demo: Demo, spec: Data) -> Step:
    ref = GateRef(spec["release"], spec.get("phase"), GateKind(spec["kind"]))
    return lambda now: lifecycle.define_gate(
        demo.sessions, ref, actor=demo.actor(RELEASE_MANAGER), now=now, criteria=spec["criteria"]
    )


def _decision(demo: Demo, spec: Data) -> Step:
    ref = GateRef(spec["release"], spec.get("phase"), GateKind(spec["kind"]))
    decide, actor = DECIDE[GateState(spec["state"])], demo.actor(spec["by"])
    why = {"reason": spec["reason"]} if "reason" in spec else {}
    return lambda now: decide(demo.sessions, ref, actor=actor, now=now, **why)


def _sign(demo: Demo, ref: GateRef, actor: User | None) -> Step:
    return lambda now: lifecycle.sign_gate(demo.sessions, ref, actor=actor, now=now)


def _status(demo: Demo, key: str, status: ReleaseStatus, reason: str) -> Step:
    return lambda now: lifecycle.transition_release(
        demo.sessions, key, status, actor=demo.actor(RELEASE_MANAGER), now=now, reason=reason
    )


def _from_template(demo: Demo, spec: Data) -> Step:
    def make(now: dt.datetime) -> object:
        data = FromTemplateIn(
            key=spec["key"],
            title=spec["title"],
            priority=spec["priority"],
            owner=spec.get("owner", OWNER),
            window_id=demo.window_id(spec["window"]),
        )
        return lifecycle.create_release_from_template(
            demo.sessions, spec["template"], data, actor=demo.actor(RELEASE_MANAGER), now=now
        )

    return make
