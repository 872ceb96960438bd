"""A round's refused proposal, as the requests of its phase hear of it.

A proposal is refused when it is accepted (``settle``): outside the days every open
request of its phase asked for (rule ``request_days``), or past another rule of the
rulebook (the environment's days, the phase's rules, a team quota). The request stays
open for an approver either way. Its requester is told so in the app (event
``request.round_refused``), in the same transaction as the refusal is recorded, and once
per request and days found: a later accept or round that finds the same days again (on
any environment: a round may swap two alike) tells nobody again; one that finds other
days does (the days are the notification's ``topic``). The request's page says the
latest round's refusal from the run's record (``latest_refusal``), never recomputing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched.days import day_text, days_text
from envsched.errors import BookingConflict
from envsched.models import (
    OPEN_REQUEST_STATUSES,
    BookingRequest,
    Phase,
    PlanRun,
    PlanRunStatus,
    User,
)
from envsched.models.round_results import MovedProposal, Place, Proposal, RoundDiff
from envsched.notify import deliver, told
from envsched.planning.rounds.proposals import Refused
from envsched.run_titles import run_title

REFUSED_EVENT = "request.round_refused"
REQUEST = "booking_request"  # what a notification is about, as the audit log names it


@dataclass(frozen=True)
class Finding:
    """What a round found for a phase and could not book: where, and why not."""

    run: PlanRun
    phase: str
    environment: str
    start: dt.date
    end: dt.date
    reason: str

    @property
    def days(self) -> str:
        """``12–20 Mar 2027``: what tells one finding from another (not the environment:
        the next round may put the phase on another alike, on the same days)."""
        return days_text(self.start, self.end)

    @property
    def topic(self) -> str:
        """The days as a key (``notification.topic``): ``days 2027-03-12/2027-03-21``."""
        return f"days {self.start.isoformat()}/{self.end.isoformat()}"

    @property
    def where(self) -> str:
        return f"{self.environment}, {self.days}"

    def found(self, request: BookingRequest, *, it: str, asked: str = "asked for") -> str:
        """``the nightly re-plan of 3 Dec 2026, 02:00 found room for R1-UAT only on UAT-2,
        12–20 Mar 2027, past the days asked for (ending by 10 Mar 2027)``; ``it`` names the
        phase, ``asked`` says whose days ("you asked for")."""
        title = run_title(self.run)
        said = f"the {title[:1].lower()}{title[1:]} found room for {it}"
        outside = _outside_words(request, self.start, self.end, asked)
        if outside:
            return f"{said} only on {self.where}, {outside}"
        return f"{said} on {self.where}, but could not book it: {self.reason}"


def finding(run: PlanRun, proposal: Proposal, reason: str) -> Finding:
    place = proposal.to if isinstance(proposal, MovedProposal) else proposal.place
    return Finding(run, proposal.phase, place.environment, *_days(place), reason)


# -- telling the requesters ---------------------------------------------------------------


def tell_requesters(
    session: Session, run: PlanRun, refused: list[Refused], *, actor: User | None, now: dt.datetime
) -> None:
    """Tell each open request of a refused proposal's phase that it stays open, once per
    request and days found. Only a rule's refusal concerns a request: one that says the
    round is out of date ("changed since the round; plan again") does not."""
    for one in refused:
        if not isinstance(one.error, BookingConflict) or one.error.rule is None:
            continue
        found = finding(run, one.chosen.proposal, one.error.message)
        for request in _open_requests(session, found.phase):
            if request.requester_id != (actor.id if actor else None):  # they know
                _tell(session, request, found, now)


def _tell(session: Session, request: BookingRequest, found: Finding, now: dt.datetime) -> None:
    text = (
        f"Your request for {found.phase} stays open for an approver: "
        f"{found.found(request, it='it', asked='you asked for')}."
    )
    about = {"event": REFUSED_EVENT, "entity": REQUEST, "entity_id": str(request.id)}
    if not told(session, request.requester_id, **about, topic=found.topic):
        deliver(session, request.requester_id, **about, text=text, now=now, topic=found.topic)


def _open_requests(session: Session, phase: str) -> list[BookingRequest]:
    return list(
        session.exec(
            select(BookingRequest)
            .join(Phase, col(Phase.id) == col(BookingRequest.phase_id))
            .where(Phase.key == phase, col(BookingRequest.status).in_(OPEN_REQUEST_STATUSES))
            .order_by(col(BookingRequest.id))
        ).all()
    )


# -- the request's page -------------------------------------------------------------------


def latest_refusal(session: Session, request: BookingRequest) -> str | None:
    """What the latest round refused for the open ``request``'s phase, in a sentence, as
    that round recorded it; None when it refused nothing for it."""
    if request.phase is None or request.status not in OPEN_REQUEST_STATUSES:
        return None
    run = session.exec(
        select(PlanRun)
        .where(PlanRun.status == PlanRunStatus.DONE, col(PlanRun.dry_run).is_(False))
        .order_by(col(PlanRun.id).desc())
    ).first()
    proposal = _refused_for(run.diff, request.phase.key) if run else None
    if run is None or proposal is None or proposal.refused is None:
        return None
    said = finding(run, proposal, proposal.refused).found(request, it=proposal.phase)
    return f"{said[:1].upper()}{said[1:]}; the request stays open for an approver."


def _refused_for(diff: RoundDiff | None, phase: str) -> Proposal | None:
    proposals: list[Proposal] = [*diff.moved, *diff.placed] if diff else []
    return next((p for p in proposals if p.phase == phase and p.refused and not p.applied), None)


# -- words --------------------------------------------------------------------------------


def _outside_words(request: BookingRequest, start: dt.date, end: dt.date, asked: str) -> str:
    """How ``[start, end)`` misses the days ``request`` asked for ("" when it does not),
    said with the words its page uses for them ("exactly from", "ending by")."""
    first = day_text(request.earliest_start)
    if request.fixed and start != request.earliest_start:
        return f"not on the days {asked} (exactly from {first})"
    if start < request.earliest_start:
        return f"before the days {asked} (from {first})"
    if request.latest_end is not None and end > request.latest_end:
        return f"past the days {asked} (ending by {day_text(request.latest_end)})"
    return ""


def _days(place: Place) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(place.start), dt.date.fromisoformat(place.end)
