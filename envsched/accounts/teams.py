"""Teams: users belong to at most one; a team's quotas (``booking.quotas``) count its
members' bookings. Admins add teams and set who belongs to which (``teams:admin``)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from envsched import audit
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, NotFound
from envsched.models import Team, User
from envsched.models.base import NAME_LENGTH
from envsched.permissions import require


def team_names(sessions: SessionFactory) -> list[str]:
    with read_transaction(sessions) as session:
        return list(session.exec(select(Team.name).order_by(col(Team.name))).all())


def team_members(sessions: SessionFactory) -> dict[str, list[str]]:
    """Each team's members by name (a team without members too), teams by name."""
    with read_transaction(sessions) as session:
        found: dict[str, list[str]] = {n: [] for n in session.exec(select(Team.name)).all()}
        rows = session.exec(
            select(Team.name, User.name).join(User, col(User.team_id) == Team.id)
        ).all()
    for team, user in rows:
        found[team].append(user)
    return {team: sorted(found[team]) for team in sorted(found)}


def create_team(
    sessions: SessionFactory, name: str, *, actor: User | None, now: dt.datetime
) -> Team:
    require(actor, "teams:admin")
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise InvalidInput("team", f"a team's name is 1 to {NAME_LENGTH} characters")
    with sessions.begin() as session:
        if team_named(session, name) is not None:
            raise InvalidInput("team", f"there is already a team {name!r}")
        team = Team(name=name)
        session.add(team)
        audit.record(session, actor=actor, now=now, action="create", row=team)
    return team


def set_team(
    sessions: SessionFactory,
    user_name: str,
    team: str | None,
    *,
    actor: User | None,
    now: dt.datetime,
) -> User:
    """Put ``user_name`` in ``team`` (None: in no team)."""
    require(actor, "teams:admin")
    with sessions.begin() as session:
        user = session.exec(select(User).where(User.name == user_name)).first()
        if user is None:
            raise NotFound("user", user_name)
        found = _known_team(session, team) if team else None
        before = {"name": user.name, "team_id": user.team_id}
        user.team_id = found.id if found else None
        after = {"name": user.name, "team_id": user.team_id}  # never the password hash
        audit.record(
            session, actor=actor, now=now, action="update", row=user, before=before, after=after
        )
    return user


def team_of(session: Session, user: User | None) -> Team | None:
    if user is None or user.id is None:
        return None
    team_id = session.exec(select(User.team_id).where(User.id == user.id)).first()
    return session.get(Team, team_id) if team_id else None


def team_named(session: Session, name: str) -> Team | None:
    return session.exec(select(Team).where(Team.name == name)).first()


def _known_team(session: Session, name: str) -> Team:
    found = team_named(session, name)
    if found is None:
        raise InvalidInput("team", f"no team named {name!r}")
    return found
