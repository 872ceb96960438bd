"""Teams and their quotas: admins add teams and put users in them; environment managers
set a team's monthly environment-days of a type and read each team's use of them."""

from __future__ import annotations

from envsched import accounts, booking
from envsched.accounts import TeamIn, TeamOut, UserTeamIn
from envsched.booking import Month, QuotaIn, QuotaOut, QuotaQuery, Usage, month_of, parse_month
from web.api.routing import JSON, Route, actor
from web.context import now, sessions


def list_teams() -> list[JSON]:
    return [
        TeamOut(name=name, members=members).model_dump(mode="json")
        for name, members in accounts.team_members(sessions()).items()
    ]


def create_team(body: TeamIn) -> JSON:
    team = accounts.create_team(sessions(), body.name, actor=actor(), now=now())
    return TeamOut(name=team.name, members=[]).model_dump(mode="json")


def set_user_team(name: str, body: UserTeamIn) -> JSON:
    accounts.set_team(sessions(), name, body.team, actor=actor(), now=now())
    return {"team": body.team}


def list_quotas(query: QuotaQuery) -> list[JSON]:
    month = _month(query.month)
    return [_usage(u) for u in booking.quota_usage(sessions(), month)]


def set_quota(body: QuotaIn) -> list[JSON]:
    booking.set_quota(
        sessions(), body.team, body.type, body.days_per_month, actor=actor(), now=now()
    )
    return [
        _usage(u) for u in booking.quota_usage(sessions(), month_of(now().date()), team=body.team)
    ]


def _month(text: str | None) -> Month:
    return month_of(now().date()) if text is None else parse_month(text)


def _usage(row: Usage) -> JSON:
    return QuotaOut(
        team=row.team,
        type=row.type,
        month=f"{row.month.first:%Y-%m}",
        used=row.used,
        quota=row.quota,
        over=row.over,
    ).model_dump(mode="json")


ROUTES = [
    Route("GET", "/teams", list_teams, "quotas:read", "Teams and their members", list[TeamOut]),
    Route(
        "POST",
        "/teams",
        create_team,
        "teams:admin",
        "Add a team; a taken name is a 400 naming the field",
        TeamOut,
        201,
        body=TeamIn,
        errors=(400,),
        example={"name": "Cards"},
    ),
    Route(
        "PUT",
        "/users/<name>/team",
        set_user_team,
        "teams:admin",
        "Put a user in a team (null: in none); their bookings count against its quotas",
        UserTeamIn,
        body=UserTeamIn,
        errors=(400, 404),
        example={"team": "Payments"},
    ),
    Route(
        "GET",
        "/quotas",
        list_quotas,
        "quotas:read",
        "Every team quota with the environment-days the team holds in a month",
        list[QuotaOut],
        query=QuotaQuery,
        errors=(400,),
    ),
    Route(
        "PUT",
        "/quotas",
        set_quota,
        "quotas:write",
        "Set (or, with null days, remove) a team's monthly environment-days of a type; "
        "answers with the team's quotas and their use this month",
        list[QuotaOut],
        body=QuotaIn,
        errors=(400,),
        example={"team": "Payments", "type": "UAT", "days_per_month": 20},
    ),
]
