"""Teams and their quotas: users belong to (at most) one team; a quota is how many
environment-days of a type a team may hold in a calendar month (``booking.quotas``)."""

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from envsched.models.base import NAME_LENGTH
from envsched.models.limits import INT_MAX


class Team(SQLModel, table=True):
    """A team of users (``Payments``); its members' bookings count against its quotas."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=1, max_length=NAME_LENGTH, unique=True)


class TeamQuota(SQLModel, table=True):
    """``team_id`` may hold ``days_per_month`` environment-days of ``environment_type_id``
    in each calendar month; more needs an environment manager's approval."""

    __tablename__ = "team_quota"
    __table_args__ = (
        UniqueConstraint("team_id", "environment_type_id"),
        CheckConstraint("days_per_month >= 0", name="days_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True)
    environment_type_id: int = Field(foreign_key="environment_type.id", ondelete="CASCADE")
    days_per_month: int = Field(ge=0, le=INT_MAX)
