"""The demo's past year: releases made from templates and taken through the whole flow.

Each release of ``lifecycle.past_releases`` is timed from its window: its testing starts
``slack_days`` (default 6) before it must to end by the cut-off, and it is asked for
``lead_days`` (default 21) before that. Then, every step a service call by the person
whose job it is:

1. the release manager (rita) makes it from its template in its window, which asks for
   a booking per phase; the environment manager (eric) approves each to its earliest slot;
2. it enters test the day before its first booking; for each booking the test manager
   (``tester``) signs the phase's entry gate the day before, eric starts the booking,
   and on its last day the exit gate is signed and the environment handed back;
3. once the last phase is done it is ready and its change (``change``) is linked;
4. its ``outcome`` decides the go-live (``reason`` says why, where one is needed):

   * ``on time``: go/no-go signed the day before, deployed on the go-live;
   * ``late``: go/no-go vetoed the day before, signed ``late_days`` later, deployed then;
   * ``backed out``: deployed on the go-live; the next morning the incident
     (``incident``) is linked and the deployment backed out;
   * ``without test sign-off``: the exit gate of phase ``waived`` is waived, not signed;
   * ``without operational sign-off``: the go/no-go is waived, not signed;
   * ``cancelled``: three days into its first phase the release is cancelled, which gives
     back its bookings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from envsched import booking, lifecycle
from envsched import booking as giveback
from envsched.db import read_transaction
from envsched.demo.timeline import DAY, Demo, Step, at
from envsched.lifecycle import GateRef, GateView
from envsched.lifecycle.shapes import BackOutIn, DeploymentIn, FromTemplateIn, LinkIn
from envsched.models import (
    Booking,
    BookingRequest,
    GateKind,
    LinkKind,
    Phase,
    Release,
    ReleaseStatus,
    User,
)

Data = dict[str, Any]
SLACK_DAYS, LEAD_DAYS = 6, 21
APPROVED_AFTER = dt.timedelta(days=2)
RELEASE_MANAGER, ENVIRONMENT_MANAGER = "rita", "eric"
OWNER = "Release Management"
LINK_SYSTEM = "ServiceNow"
LINK_URL = "https://servicenow.bank.example/{kind}/{key}"
CANCELLED_AFTER = dt.timedelta(days=3)


def schedule_past_release(demo: Demo, spec: Data) -> None:
    """Put the release's first steps on the timeline; they put on the rest."""
    window = demo.window(spec["window"])
    start = window.cutoff - dt.timedelta(
        days=template_days(demo, spec["template"]) + spec.get("slack_days", SLACK_DAYS)
    )
    lead = dt.timedelta(days=spec.get("lead_days", LEAD_DAYS))
    asked = at(start - lead, 10)
    past = PastRelease(demo, spec, window.go_live)
    demo.timeline.at(asked, lambda now: past.create(start, now))
    demo.timeline.at(asked + min(APPROVED_AFTER, lead / 8), past.book)


def template_days(demo: Demo, name: str) -> int:
    """Days a release of template ``name`` tests, from its first day to its last."""
    first = dt.date(2000, 1, 1)
    with read_transaction(demo.sessions) as session:
        phases = lifecycle.get_template(session, name).phases
        days = lifecycle.phase_days(phases, first, None)
        return max(
            (start - first).days + phase.duration_days
            for (start, _), phase in zip(days, phases, strict=True)
        )


class PastRelease:
    """One past release's steps, each a service call at its moment."""

    def __init__(self, demo: Demo, spec: Data, go_live: dt.date) -> None:
        self.demo, self.spec, self.go_live = demo, spec, go_live
        self.key, self.sessions = spec["key"], demo.sessions
        self.rita = demo.actor(RELEASE_MANAGER)
        self.eric = demo.actor(ENVIRONMENT_MANAGER)
        self.tester = demo.actor(spec["tester"])

    def at(self, day: dt.date, hour: float, step: Step) -> None:
        self.demo.timeline.at(at(day, hour), step)

    def create(self, start: dt.date, now: dt.datetime) -> None:
        data = FromTemplateIn(
            key=self.key,
            title=self.spec["title"],
            owner=OWNER,
            priority=self.spec["priority"],
            earliest_start=start,
            window_id=self.demo.window_id(self.spec["window"]),
        )
        lifecycle.create_release_from_template(
            self.sessions, self.spec["template"], data, actor=self.rita, now=now
        )

    def book(self, now: dt.datetime) -> None:
        """Approve every request, then put the release's testing and go-live on the timeline."""
        booked = [
            (phase, booking.approve_request(self.sessions, request_id, actor=self.eric, now=now))
            for phase, request_id in self._requests()
        ]
        first = min(b.start for _, b in booked)
        self.at(first - DAY, 15, self.status(ReleaseStatus.IN_TEST, "testing starts"))
        if self.spec["outcome"] == "cancelled":
            self._cancel(booked, first + CANCELLED_AFTER)
            return
        for phase, b in booked:
            self._test(phase, b)
        done = max(b.end for _, b in booked) - DAY
        self.at(done, 12, self.status(ReleaseStatus.READY, "every phase passed its exit gate"))
        if "change" in self.spec:
            self.at(done, 13, self.link(LinkKind.CHANGE, self.spec["change"]))
        self._go_live()

    def _requests(self) -> list[tuple[str, int]]:
        """(phase key, request id) of the release's requests, in phase order."""
        with read_transaction(self.sessions) as session:
            rows = session.exec(
                select(Phase.key, BookingRequest.id)
                .join(BookingRequest, col(BookingRequest.phase_id) == Phase.id)
                .join(Release)
                .where(Release.key == self.key)
                .order_by(col(Phase.position))
            ).all()
        return [(key, request_id) for key, request_id in rows if request_id is not None]

    def _test(self, phase: str, b: Booking) -> None:
        last = b.end - DAY
        self.at(b.start - DAY, 16, self.gate(lifecycle.sign_gate, phase, GateKind.ENTRY))
        self.at(b.start, 8, self.start(b))
        if phase == f"{self.key}-{self.spec.get('waived')}":
            self.at(last, 10, self.gate(lifecycle.waive_gate, phase, GateKind.EXIT))
        else:
            self.at(last, 10, self.gate(lifecycle.sign_gate, phase, GateKind.EXIT))
        self.at(
            last,
            10.5,
            lambda now: giveback.release_early(
                self.sessions, b.id or 0, actor=self.eric, now=now, on=last
            ),
        )

    def _cancel(self, booked: list[tuple[str, Booking]], day: dt.date) -> None:
        for phase, b in booked:
            if b.start < day:
                self.at(b.start - DAY, 16, self.gate(lifecycle.sign_gate, phase, GateKind.ENTRY))
                self.at(b.start, 8, self.start(b))
        self.at(day, 11, self.status(ReleaseStatus.CANCELLED, self.spec["reason"]))

    def _go_live(self) -> None:
        outcome, eve = self.spec["outcome"], self.go_live - DAY
        day = self.go_live
        if outcome == "late":
            day = self.go_live + dt.timedelta(days=self.spec["late_days"])
            self.at(eve, 15, self.gate(lifecycle.veto_gate, None, GateKind.GO_NO_GO))
            self.at(day - DAY, 15, self.gate(lifecycle.sign_gate, None, GateKind.GO_NO_GO))
        elif outcome == "without operational sign-off":
            self.at(eve, 18, self.gate(lifecycle.waive_gate, None, GateKind.GO_NO_GO))
        else:
            self.at(eve, 15, self.gate(lifecycle.sign_gate, None, GateKind.GO_NO_GO))
        self.at(day, 22, self.deploy(day))
        if outcome == "backed out":
            self.at(day + DAY, 6.5, self.link(LinkKind.INCIDENT, self.spec["incident"]))
            self.at(
                day + DAY,
                7,
                lambda now: lifecycle.back_out(
                    self.sessions,
                    self.key,
                    BackOutIn(reason=self.spec["reason"]),
                    actor=self.rita,
                    now=now,
                ),
            )

    # -- steps ------------------------------------------------------------------------------

    def status(self, status: ReleaseStatus, reason: str) -> Step:
        return lambda now: lifecycle.transition_release(
            self.sessions, self.key, status, actor=self.rita, now=now, reason=reason
        )

    def gate(self, decide: Callable[..., GateView], phase: str | None, kind: GateKind) -> Step:
        """Sign, veto or waive a gate: test gates are the tester's to sign, the rest rita's."""
        signs = decide is lifecycle.sign_gate and kind != GateKind.GO_NO_GO
        actor = self.tester if signs else self.rita
        why = {} if decide is lifecycle.sign_gate else {"reason": self.spec["reason"]}
        return lambda now: decide(
            self.sessions, GateRef(self.key, phase, kind), actor=actor, now=now, **why
        )

    def start(self, b: Booking) -> Step:
        return lambda now: booking.start_booking(self.sessions, b.id or 0, actor=self.eric, now=now)

    def deploy(self, day: dt.date) -> Step:
        data = DeploymentIn(deployed_on=day, backout_plan=self.spec["backout_plan"])
        return lambda now: lifecycle.record_deployment(
            self.sessions, self.key, data, actor=self.rita, now=now
        )

    def link(self, kind: LinkKind, key: str) -> Step:
        return link_step(self.demo, self.key, kind, key, self.rita)


def link_step(demo: Demo, release: str, kind: LinkKind, key: str, actor: User | None) -> Step:
    """Link ``release`` to an incident or change in the bank's ServiceNow."""
    data = LinkIn(
        kind=kind, system=LINK_SYSTEM, key=key, url=LINK_URL.format(kind=kind.value, key=key)
    )
    return lambda now: lifecycle.add_link(demo.sessions, release, data, actor=actor, now=now)
