"""Deciding the approvals queue together: every eligible environment's free days for each
open request, which requests compete for the same environment-days, and approving several
at once.

Two requests *compete* when their suggested slots (each one's earliest free run) take the
same environment on overlapping days: each slot was free for one request, so approving
one may leave the other without it. ``approve_many`` approves each chosen slot in its own
transaction through ``booking.approve_request``, highest priority first, so the rulebook
and the environment's days check each as they would alone, with those approved before it
in place; a refusal names the rule it broke and leaves the others approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from envsched.booking.bookings import approve_request
from envsched.booking.free_slots import Slot
from envsched.booking.requests import eligible_slots
from envsched.booking.rulebook import RuleBroken
from envsched.db import SessionFactory, read_transaction
from envsched.errors import BookingConflict, InvalidInput, InvalidState, NotFound
from envsched.models import Booking, BookingRequest, User
from envsched.permissions import require

EVERY_ENVIRONMENT = 1000  # free slots per request: one per eligible environment, at most


def free_days(
    sessions: SessionFactory, request_ids: Iterable[int], *, today: dt.date
) -> dict[int, list[Slot]]:
    """For each request, the earliest free run of its days on each eligible environment,
    earliest first (the first is its suggested slot), read in one transaction."""
    with read_transaction(sessions) as session:
        return {
            request_id: eligible_slots(
                session,
                session.get_one(BookingRequest, request_id),
                limit=EVERY_ENVIRONMENT,
                today=today,
            )
            for request_id in request_ids
        }


def competing_groups(suggested: Mapping[int, Slot]) -> list[list[int]]:
    """Requests (by id, in the order given) whose suggested slots take the same environment
    on overlapping days, grouped: a request overlapping any member joins its group."""
    order = list(suggested)
    groups: list[list[int]] = []
    for request_id in order:
        slot = suggested[request_id]
        joined = [g for g in groups if any(_overlap(slot, suggested[o]) for o in g)]
        merged = [o for g in joined for o in g] + [request_id]
        groups = [g for g in groups if g not in joined] + [sorted(merged, key=order.index)]
    return sorted((g for g in groups if len(g) > 1), key=lambda g: order.index(g[0]))


def _overlap(a: Slot, b: Slot) -> bool:
    return a.environment_id == b.environment_id and a.start < b.end and b.start < a.end


# -- approving several at once ------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """Approve request ``request_id`` to ``environment`` from ``start``."""

    request_id: int
    environment: str
    start: dt.date


@dataclass(frozen=True)
class Refusal:
    """A choice refused: the rules it broke, by name, and the refusal in words."""

    choice: Choice
    rules: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Approved:
    choice: Choice
    booking: Booking


@dataclass(frozen=True)
class ManyDecided:
    approved: list[Approved]
    refused: list[Refusal]


def approve_many(
    sessions: SessionFactory, choices: Sequence[Choice], *, actor: User | None, now: dt.datetime
) -> ManyDecided:
    """Approve each choice, highest priority first; refuse, naming the rule, what breaks one."""
    require(actor, "requests:decide")
    if not choices:
        raise InvalidInput("approve", "choose at least one request to approve")
    approved, refused = [], []
    for choice in _by_priority(sessions, choices):
        try:
            booking = approve_request(
                sessions,
                choice.request_id,
                actor=actor,
                now=now,
                environment=choice.environment,
                start=choice.start,
            )
        except (BookingConflict, InvalidState, InvalidInput, NotFound) as exc:
            refused.append(Refusal(choice, _rules(exc), exc.message))
        else:
            approved.append(Approved(choice, booking))
    return ManyDecided(approved, refused)


def _by_priority(sessions: SessionFactory, choices: Sequence[Choice]) -> list[Choice]:
    """The choices in the queue's order: highest priority, then oldest request first."""
    with read_transaction(sessions) as session:
        rows = session.exec(
            select(BookingRequest.id)
            .where(col(BookingRequest.id).in_([c.request_id for c in choices]))
            .order_by(
                col(BookingRequest.priority).desc(),
                col(BookingRequest.created_at),
                col(BookingRequest.id),
            )
        ).all()
    rank = {request_id: n for n, request_id in enumerate(rows)}
    return sorted(choices, key=lambda c: rank.get(c.request_id, len(rank)))


def _rules(exc: Exception) -> tuple[str, ...]:
    """The rules a refusal names: the rulebook's, the environment's days', or what else."""
    if isinstance(exc, RuleBroken):
        return tuple(dict.fromkeys(b.rule for b in exc.breaks))
    if isinstance(exc, BookingConflict):
        return (exc.rule or "capacity",)  # a clash with stored bookings, unless named
    if isinstance(exc, InvalidInput):  # a start outside the request's days, no such place
        return ("request_days",) if exc.field == "start" else (exc.field,)
    return ("not_found",) if isinstance(exc, NotFound) else ("still_open",)
