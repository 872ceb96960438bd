"""The team quota rule: a team may hold ``days_per_month`` environment-days of a type in
each calendar month (``TeamQuota``); a booking that takes its team past that needs an
environment manager's approval, with the quota named.

A booking counts for the team of its *owner*: its request's requester, else who booked
it directly. Its environment-days in a month are its days inside that month; live and
handed-back bookings count (a handed-back one for the days it held), cancelled ones do
not. ``check_quota`` is called by every path that writes a booking (approve, bulk
approve, offer freed days, direct booking, move, a planning round's accept, a plan
written back, a bookings table imported), so the rule is written once here.

A booking that already holds days (a move) needs only the days it adds: in a month where
it keeps as many days as it had, or fewer, it takes nothing more and breaks nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from envsched.booking.rulebook.rules import RuleBreak, RuleBroken
from envsched.models import (
    LIVE_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    EnvironmentType,
    Team,
    TeamQuota,
    User,
)
from envsched.models.limits import within_calendar

COUNTED = (*LIVE_STATUSES, BookingStatus.RELEASED)
NEEDS_REASON = "an environment manager approves it past the quota with a reason"


@dataclass(frozen=True)
class Month:
    """A calendar month: days ``[first, end)``."""

    first: dt.date

    @property
    def end(self) -> dt.date:
        days = calendar.monthrange(self.first.year, self.first.month)[1]
        return self.first + dt.timedelta(days=days)

    @property
    def name(self) -> str:
        return f"{self.first:%B %Y}"

    def days_of(self, start: dt.date, end: dt.date) -> int:
        """How many of the days ``[start, end)`` fall in this month."""
        return max(0, (min(end, self.end) - max(start, self.first)).days)


def month_of(day: dt.date) -> Month:
    return Month(day.replace(day=1))


def parse_month(text: str) -> Month:
    """``YYYY-MM`` as a month of the calendar the app keeps; ``ValueError`` says why not."""
    try:
        first = dt.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise ValueError(f"{text[:20]!r} is not a month (YYYY-MM)") from None
    return Month(within_calendar(first))


def months(start: dt.date, end: dt.date) -> Iterator[Month]:
    """The months the days ``[start, end)`` touch, in order."""
    month = month_of(start)
    while month.first < end:
        yield month
        month = Month(month.end)


@dataclass(frozen=True)
class Usage:
    """What a team has used of its quota of a type in a month."""

    team: str
    type: str
    month: Month
    used: int
    quota: int

    @property
    def over(self) -> bool:
        return self.used > self.quota


@dataclass(frozen=True)
class Holding:
    """The days ``[start, end)`` a booking being moved holds now, on an environment of
    type ``type_id``: what it already counts for."""

    type_id: int
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, booking: Booking) -> Holding:
        return cls(booking.environment.type_id, booking.start, booking.end)

    def days_in(self, month: Month, type_id: int) -> int:
        return month.days_of(self.start, self.end) if type_id == self.type_id else 0


def owner_id(session: Session, booking: Booking) -> int | None:
    """Whose booking it is: its request's requester, else who booked it."""
    request = session.get(BookingRequest, booking.request_id) if booking.request_id else None
    return request.requester_id if request is not None else booking.created_by_id


def owned_by(who: Any) -> ColumnElement[bool]:
    """``owner_id``'s rule in SQL: ``who`` (a user id, or a column of one) requested the
    booking, or booked it directly. The query must outer-join the booking's request.
    My work, the dashboard's "of mine" and the team quotas all select by it."""
    return or_(
        col(BookingRequest.requester_id) == who,
        and_(col(Booking.request_id).is_(None), col(Booking.created_by_id) == who),
    )


def used_days(
    session: Session, team_id: int, type_id: int, month: Month, *, booking_id: int | None = None
) -> int:
    """The environment-days of ``type_id`` the team's bookings hold in ``month`` (but
    ``booking_id``'s own)."""
    rows = session.exec(
        select(col(Booking.start), col(Booking.end))
        .join(Environment, col(Booking.environment_id) == Environment.id)
        .outerjoin(BookingRequest, col(Booking.request_id) == BookingRequest.id)
        .join(User, owned_by(User.id))
        .where(
            User.team_id == team_id,
            Environment.type_id == type_id,
            col(Booking.status).in_(COUNTED),
            col(Booking.start) < month.end,
            col(Booking.end) > month.first,
            col(Booking.id) != (booking_id or 0),
        )
    ).all()
    return sum(month.days_of(start, end) for start, end in rows)


def quota_breaks(
    session: Session,
    env: Environment,
    start: dt.date,
    end: dt.date,
    owner: int | None,
    *,
    booking_id: int | None = None,
    holding: Holding | None = None,
    asking: str = "this request",
) -> list[RuleBreak]:
    """A break for each month in which holding ``env`` on ``[start, end)`` takes the
    owner's team past its quota of ``env``'s type (booking ``booking_id``, moved from
    ``holding``, counts only for the days it adds)."""
    found = _team_quota(session, owner, env.type_id)
    if found is None:
        return []
    team, quota, type_name = found
    assert team.id is not None
    breaks = []
    for month in months(start, end):
        kept = holding.days_in(month, env.type_id) if holding else 0
        needs = month.days_of(start, end) - kept
        if needs <= 0:
            continue  # no more days than it holds already
        used = used_days(session, team.id, env.type_id, month, booking_id=booking_id) + kept
        if used + needs > quota:
            more = " more" if kept else ""
            breaks.append(
                RuleBreak(
                    "quota",
                    f"Team {team.name} has used {used} of {quota} {type_name} days in "
                    f"{month.name}; {asking} needs {needs}{more}",
                    "quota",
                    days=(max(start, month.first), min(end, month.end)),
                )
            )
    return breaks


def check_quota(
    session: Session,
    env: Environment,
    start: dt.date,
    end: dt.date,
    owner: int | None,
    *,
    approved: bool = False,
    booking_id: int | None = None,
    holding: Holding | None = None,
    asking: str = "this request",
) -> list[RuleBreak]:
    """Raise ``RuleBroken`` (rule ``quota``) if the booking takes its team past a quota,
    unless an environment manager ``approved`` it; return what it goes past. The refusal
    names the quota and what would let it through."""
    breaks = quota_breaks(
        session, env, start, end, owner, booking_id=booking_id, holding=holding, asking=asking
    )
    if breaks and not approved:
        *before, last = breaks
        raise RuleBroken([*before, replace(last, message=f"{last.message}: {NEEDS_REASON}")])
    return breaks


def _team_quota(session: Session, owner: int | None, type_id: int) -> tuple[Team, int, str] | None:
    if owner is None:
        return None
    row = session.exec(
        select(Team, TeamQuota.days_per_month, EnvironmentType.name)
        .join(User, col(User.team_id) == Team.id)
        .join(TeamQuota, col(TeamQuota.team_id) == Team.id)
        .join(EnvironmentType, col(TeamQuota.environment_type_id) == EnvironmentType.id)
        .where(User.id == owner, TeamQuota.environment_type_id == type_id)
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None
