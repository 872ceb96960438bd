"""Accepting a round's proposals, all of them or one at a time, in one transaction.

``replan_proposals`` puts them in place: every proposal that still fits applies; one that
does not (a booking changed since the round, a phase booked meanwhile, a clash, its
owner's team quota) is refused with its reason and stays open, to be accepted alone later
(past a quota with a reason) or planned again. A
refusal never fails the run. The run records each accept: on every proposal ``applied``
and, while it is refused, ``refused`` (the reason); in ``diff["accepts"]`` who accepted
when, what applied and what was refused. Only the newest finished round can be
accepted: an older one is out of date; ``acceptable`` says whether a run has anything
to accept at all (pages offer the buttons by it, auto-apply runs by it).

A refused proposal stays open until it applies or an environment manager drops it
(``drop_proposal``): dropping closes it unapplied, changes no booking, and is recorded in
``diff["drops"]`` (who, when); once no proposal is open the run is ``applied``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session, col, select

from envsched.booking import booking_transaction
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidInput, InvalidState, NotFound
from envsched.models import PlanRun, PlanRunStatus, User
from envsched.models.round_results import Accept, Drop, Proposal, RefusedOne, RoundDiff
from envsched.permissions import require
from envsched.planning.rounds.proposals import Chosen, Refused, apply_proposals
from envsched.planning.rounds.refusals import tell_requesters
from envsched.planning.rounds.words import auto_apply_words, run_title

__all__ = [
    "accept_proposal",
    "accept_run",
    "acceptable",
    "drop_proposal",
    "last_accept",
    "mark_failed",
    "open_proposals",
]

Wanted = Callable[[Proposal], bool]


def accept_run(
    sessions: SessionFactory, run_id: int, *, actor: User | None, now: dt.datetime
) -> PlanRun:
    """Apply every open proposal of run ``run_id`` that still fits; the rest are refused
    one by one (``last_accept`` says which and why) and stay open."""
    require(actor, "planruns:accept")
    run, _refused = _apply(sessions, run_id, lambda _p: True, actor=actor, now=now)
    return run


def accept_proposal(
    sessions: SessionFactory,
    run_id: int,
    phase: str,
    *,
    actor: User | None,
    now: dt.datetime,
    quota_reason: str | None = None,
) -> PlanRun:
    """Apply the one proposal of run ``run_id`` for ``phase``; the rest stay proposed.
    With ``quota_reason`` it applies even past its owner's team quota (the booking's
    note keeps the quota and the reason), as an approval past the quota does.

    A refusal is recorded on the run, then raised (the error says why)."""
    require(actor, "planruns:accept")
    if quota_reason is not None and not quota_reason.strip():
        raise InvalidInput("quota_reason", "say why the proposal may go past its team's quota")
    run, refused = _apply(
        sessions,
        run_id,
        lambda p: p.phase == phase,
        actor=actor,
        now=now,
        one=phase,
        quota_reason=quota_reason.strip() if quota_reason else None,
    )
    if refused:
        raise refused[0].error
    return run


def drop_proposal(
    sessions: SessionFactory, run_id: int, phase: str, *, actor: User | None, now: dt.datetime
) -> PlanRun:
    """Close the open proposal of run ``run_id`` for ``phase`` without applying it (one
    refused for good, say): it books nothing and is open no more. The same people who
    accept proposals drop them; a run out of date may be tidied too (nothing is booked)."""
    require(actor, "planruns:accept")
    with sessions.begin() as session:
        run = session.get(PlanRun, run_id)
        if run is None:
            raise NotFound("plan run", run_id)
        if run.status != PlanRunStatus.DONE or run.dry_run:
            raise InvalidState(f"the {_named(run)} has no proposal to drop")
        diff = (run.diff or RoundDiff()).model_copy(deep=True)
        found = [p for p in _proposals(diff) if p.phase == phase and _is_open(p)]
        if not found:
            raise InvalidInput("phase", f"the {_named(run)} proposes nothing open for {phase}")
        found[0].dropped = True
        entry = Drop(at=now.isoformat(), by=_by(run, actor), phase=phase)
        run.diff = diff.model_copy(update={"drops": [*diff.drops, entry]})
        _mark_applied(run, actor, now)
    return run


def _is_open(proposal: Proposal) -> bool:
    return not proposal.applied and not proposal.dropped


def open_proposals(run: PlanRun) -> int:
    """Moved and placed proposals of ``run`` neither applied nor dropped."""
    return sum(1 for p in _proposals(run.diff) if _is_open(p))


def acceptable(run: PlanRun) -> bool:
    """A finished round, not a dry run, with a proposal still open: something to accept
    (``accept_run`` still refuses a run that is out of date)."""
    return run.status == PlanRunStatus.DONE and not run.dry_run and open_proposals(run) > 0


def last_accept(run: PlanRun) -> Accept | None:
    """The newest accept of ``run``: ``at``, ``by``, ``applied`` (phases) and ``refused``
    (``phase`` and ``reason`` each); None when nobody accepted anything yet."""
    accepts = run.diff.accepts if run.diff else []
    return accepts[-1] if accepts else None


def _proposals(diff: RoundDiff | None) -> list[Proposal]:
    return [*diff.moved, *diff.placed] if diff else []


def mark_failed(sessions: SessionFactory, run_id: int, error: str, now: dt.datetime) -> None:
    with sessions.begin() as session:
        run = session.get_one(PlanRun, run_id)
        run.status, run.error = PlanRunStatus.FAILED, error
        run.finished_at = max(now, run.started_at)


def _apply(
    sessions: SessionFactory,
    run_id: int,
    wanted: Wanted,
    *,
    actor: User | None,
    now: dt.datetime,
    one: str | None = None,
    quota_reason: str | None = None,
) -> tuple[PlanRun, list[Refused]]:
    with booking_transaction(sessions) as session:
        run = _acceptable_run(session, run_id)
        diff = (run.diff or RoundDiff()).model_copy(deep=True)
        chosen = [Chosen(p) for p in _proposals(diff) if wanted(p) and _is_open(p)]
        if one is not None and not chosen:
            raise InvalidInput("phase", f"run {run_id} proposes nothing open for {one!r}")
        refused = apply_proposals(
            session, run, chosen, actor=actor, now=now, quota_reason=quota_reason
        )
        run.diff = _recorded(diff, chosen, refused, by=_by(run, actor), now=now)
        tell_requesters(session, run, refused, actor=actor, now=now)
        _mark_applied(run, actor, now)
    return run, refused


def _recorded(
    diff: RoundDiff,
    chosen: list[Chosen],
    refused: list[Refused],
    *,
    by: str,
    now: dt.datetime,
) -> RoundDiff:
    """``diff`` with each chosen proposal marked applied or refused, and this accept logged
    (a phase has one proposal at most: it is booked, or it is not)."""
    reasons = {r.chosen.phase: r.error.message for r in refused}
    rules = {r.chosen.phase: r.error.rule for r in refused if isinstance(r.error, BookingConflict)}
    for c in chosen:
        c.proposal.applied = c.phase not in reasons
        c.proposal.refused = reasons.get(c.phase)
        c.proposal.refused_rule = rules.get(c.phase)
    entry = Accept(
        at=now.isoformat(),
        by=by,
        applied=[c.phase for c in chosen if c.phase not in reasons],
        refused=[RefusedOne(phase=phase, reason=why) for phase, why in reasons.items()],
    )
    return diff.model_copy(update={"accepts": [*diff.accepts, entry]})


def _by(run: PlanRun, actor: User | None) -> str:
    """Who accepted or dropped, as the run's record says it: the person, else the run's
    own auto-apply."""
    return actor.name if actor else auto_apply_words(run)


def _acceptable_run(session: Session, run_id: int) -> PlanRun:
    run = session.get(PlanRun, run_id)
    if run is None:
        raise NotFound("plan run", run_id)
    if run.status != PlanRunStatus.DONE or run.dry_run:
        why = "" if run.dry_run else f" (it is {run.status.value})"  # a dry run says so
        raise InvalidState(f"the {_named(run)} has no plan to accept{why}")
    newer = session.exec(
        select(PlanRun).where(
            PlanRun.status == PlanRunStatus.DONE,
            col(PlanRun.dry_run).is_(False),
            col(PlanRun.id) > run_id,
        )
    ).first()
    if newer is not None:
        raise InvalidState(f"the {_named(run)} is out of date: the {_named(newer)} is newer")
    return run


def _named(run: PlanRun) -> str:
    """A run as its page names it, mid-sentence: "re-plan of 3 Dec 2026, 02:00"."""
    title = run_title(run)
    return f"{title[:1].lower()}{title[1:]}"


def _mark_applied(run: PlanRun, actor: User | None, now: dt.datetime) -> None:
    if open_proposals(run) == 0:
        run.applied, run.applied_at = True, now
        run.applied_by_id = actor.id if actor else None
