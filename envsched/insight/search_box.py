"""Finding things by name or key for the search box in the page header: releases (key,
title), phases (key, name), environments (name) and live bookings (their phase's or their
environment's name; one for no phase by what it serves: its note, its request's why).
Exact matches come first, then names that start with the text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import Session, col, select

from envsched.booking import state_words
from envsched.days import days_text
from envsched.errors import InvalidInput
from envsched.models import LIVE_STATUSES, Booking, BookingRequest, Environment, Phase, Release
from envsched.serves import serves

KINDS = ("release", "phase", "environment", "booking")
SHORTEST, LONGEST = 2, 100
PER_KIND = 8


@dataclass(frozen=True)
class Hit:
    """One thing found: ``kind``, ``key`` (what its page is found by: a release's key, the
    key of a phase's release, an environment's name, a booking's id), and words."""

    kind: str
    key: str
    label: str
    detail: str


def search(
    session: Session,
    text: str,
    *,
    today: dt.date,
    kinds: Iterable[str] = KINDS,
    limit: int = PER_KIND,
) -> list[Hit]:
    """What matches ``text`` among ``kinds``, up to ``limit`` of each, best first (a
    booking's state as of ``today``)."""
    wanted = checked_text(text)
    finders: dict[str, Finder] = {**FINDERS, "booking": partial(_bookings, today=today)}
    found: list[Hit] = []
    for kind in kinds:
        found += finders[kind](session, wanted, limit)
    return found


def checked_text(text: str) -> str:
    wanted = " ".join(text.split())
    if len(wanted) < SHORTEST:
        raise InvalidInput("q", f"type at least {SHORTEST} characters of a name or key")
    if len(wanted) > LONGEST:
        raise InvalidInput("q", f"at most {LONGEST} characters, please")
    return wanted


def _matching(text: str, *columns: object) -> ColumnElement[bool]:
    return or_(*(col(c).icontains(text, autoescape=True) for c in columns))


def _best_first(text: str, name: Any) -> list[Any]:
    """Exact match, then starts with ``text``, then the rest; by name within each."""
    lowered, wanted = func.lower(col(name)), text.lower()
    return [
        case((lowered == wanted, 0), (lowered.startswith(wanted, autoescape=True), 1), else_=2),
        col(name),
    ]


def _releases(session: Session, text: str, limit: int) -> list[Hit]:
    found = session.exec(
        select(Release)
        .where(_matching(text, Release.key, Release.title))
        .order_by(*_best_first(text, Release.key))
        .limit(limit)
    ).all()
    return [
        Hit("release", r.key, r.key, f"{r.title} · {r.status.value.replace('_', ' ')}")
        for r in found
    ]


def _phases(session: Session, text: str, limit: int) -> list[Hit]:
    found = session.exec(
        select(Phase)
        .where(_matching(text, Phase.key, Phase.name))
        .order_by(*_best_first(text, Phase.key))
        .limit(limit)
    ).all()
    return [
        Hit(
            "phase",
            p.release.key,
            p.key,
            f"{p.name or 'a phase'} of {p.release.key}, {p.duration_days} days of {p.type.name}",
        )
        for p in found
    ]


def _environments(session: Session, text: str, limit: int) -> list[Hit]:
    found = session.exec(
        select(Environment)
        .where(_matching(text, Environment.name))
        .order_by(*_best_first(text, Environment.name))
        .limit(limit)
    ).all()
    return [
        Hit("environment", e.name, e.name, f"{e.type.name}, {e.status.value.replace('_', ' ')}")
        for e in found
    ]


def _bookings(session: Session, text: str, limit: int, *, today: dt.date) -> list[Hit]:
    query = (
        select(Booking)
        .join(Environment)
        .outerjoin(Phase, col(Booking.phase_id) == Phase.id)
        .outerjoin(BookingRequest, col(Booking.request_id) == BookingRequest.id)
        .where(
            col(Booking.status).in_(LIVE_STATUSES),
            or_(
                _matching(text, Phase.key, Environment.name),
                and_(  # one for no phase is known by what it serves
                    col(Booking.phase_id).is_(None),
                    _matching(text, Booking.note, BookingRequest.justification),
                ),
            ),
        )
        .order_by(col(Booking.start), col(Booking.id))
        .limit(limit)
    )
    return [_booking_hit(b, today) for b in session.exec(query).all()]


def _booking_hit(booking: Booking, today: dt.date) -> Hit:
    return Hit(
        "booking",
        str(booking.id),
        f"{serves(booking)} on {booking.environment.name}, {days_text(booking.start, booking.end)}",
        state_words(booking.status, booking.end, today),
    )


Finder = Callable[[Session, str, int], list[Hit]]
FINDERS: dict[str, Finder] = {
    "release": _releases,
    "phase": _phases,
    "environment": _environments,
}

__all__ = ["KINDS", "Hit", "checked_text", "search"]
