"""Team quotas: environment managers set how many environment-days of a type a team may
hold each calendar month, and read what each team has used. The rule itself, checked on
every booking path, is ``rulebook.quota``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlmodel import Session, col, select

from envsched import audit
from envsched.accounts import team_named, team_of
from envsched.booking.free_slots import Slot
from envsched.booking.rulebook.quota import Month, Usage, month_of, quota_breaks, used_days
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput
from envsched.models import BookingRequest, Environment, EnvironmentType, Team, TeamQuota, User
from envsched.models.limits import INT_MAX
from envsched.permissions import require


def set_quota(
    sessions: SessionFactory,
    team: str,
    type_name: str,
    days_per_month: int | None,
    *,
    actor: User | None,
    now: dt.datetime,
) -> TeamQuota | None:
    """Give ``team`` ``days_per_month`` days of ``type_name`` a month (None: no quota)."""
    require(actor, "quotas:write")
    if days_per_month is not None and not 0 <= days_per_month <= INT_MAX:
        raise InvalidInput("days_per_month", "a quota is a whole number of days, 0 or more")
    with sessions.begin() as session:
        found_team = team_named(session, team)
        if found_team is None:
            raise InvalidInput("team", f"no team named {team!r}")
        kind = session.exec(
            select(EnvironmentType).where(EnvironmentType.name == type_name)
        ).first()
        if kind is None:
            raise InvalidInput("type", f"no environment type {type_name!r}")
        return _store(session, found_team, kind, days_per_month, actor=actor, now=now)


def _store(
    session: Session,
    team: Team,
    kind: EnvironmentType,
    days: int | None,
    *,
    actor: User | None,
    now: dt.datetime,
) -> TeamQuota | None:
    row = session.exec(
        select(TeamQuota).where(
            TeamQuota.team_id == team.id, TeamQuota.environment_type_id == kind.id
        )
    ).first()
    before = audit.snapshot(row)
    if days is None:
        if row is not None:
            session.delete(row)
            audit.record(session, actor=actor, now=now, action="delete", row=row, before=before)
        return None
    if row is None:
        assert team.id is not None and kind.id is not None
        row = TeamQuota(team_id=team.id, environment_type_id=kind.id, days_per_month=days)
        session.add(row)
    row.days_per_month = days
    audit.record(session, actor=actor, now=now, action="update", row=row, before=before)
    return row


def quota_usage(sessions: SessionFactory, month: Month, *, team: str | None = None) -> list[Usage]:
    """Every quota (or ``team``'s) with what its team used in ``month``, by team and type."""
    with read_transaction(sessions) as session:
        query = (
            select(Team, EnvironmentType, TeamQuota.days_per_month)
            .join(TeamQuota, col(TeamQuota.team_id) == Team.id)
            .join(EnvironmentType, col(TeamQuota.environment_type_id) == EnvironmentType.id)
            .order_by(col(Team.name), col(EnvironmentType.name))
        )
        if team is not None:
            query = query.where(Team.name == team)
        return [
            Usage(t.name, k.name, month, used_days(session, t.id or 0, k.id or 0, month), days)
            for t, k, days in session.exec(query).all()
        ]


def my_team_usage(
    sessions: SessionFactory, user: User | None, today: dt.date
) -> tuple[str | None, list[Usage]]:
    """The user's team (None: in none) and its quotas' use this month."""
    with read_transaction(sessions) as session:
        team = team_of(session, user)
    if team is None:
        return None, []
    return team.name, quota_usage(sessions, month_of(today), team=team.name)


def quota_notes(sessions: SessionFactory, suggested: Mapping[int, Slot]) -> dict[int, str]:
    """For each request whose suggested slot would take its team past a quota, the quota
    in words (what the approval would be refused for)."""
    notes = {}
    with read_transaction(sessions) as session:
        for request_id, slot in suggested.items():
            request = session.get_one(BookingRequest, request_id)
            env = session.get_one(Environment, slot.environment_id)
            over = quota_breaks(session, env, slot.start, slot.end, request.requester_id)
            if over:
                notes[request_id] = "; ".join(b.message for b in over)
    return notes
