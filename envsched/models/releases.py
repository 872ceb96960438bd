"""Releases and their test phases: what needs environments, in which order, by when."""

import enum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, Relationship, SQLModel

from envsched.models.base import NAME_LENGTH, TEXT_LENGTH, enum_type, json_list
from envsched.models.environments import EnvironmentType
from envsched.models.limits import INT_MAX, MAX_DAYS, NAME_PATTERN, Day, Tag


class ReleaseType(enum.StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    EMERGENCY = "emergency"


class ReleaseStatus(enum.StrEnum):
    """draft → planned → in_test → ready → deployed, or backed_out / cancelled
    (``envsched.lifecycle.status`` holds the allowed steps)."""

    DRAFT = "draft"
    PLANNED = "planned"
    IN_TEST = "in_test"
    READY = "ready"
    DEPLOYED = "deployed"
    BACKED_OUT = "backed_out"
    CANCELLED = "cancelled"


# Releases still to be tested and deployed: what the planner schedules and reports count.
OPEN_RELEASE_STATUSES = (ReleaseStatus.PLANNED, ReleaseStatus.IN_TEST, ReleaseStatus.READY)


class ReleaseBase(SQLModel):
    key: str = Field(
        min_length=1, max_length=NAME_LENGTH, unique=True, schema_extra={"pattern": NAME_PATTERN}
    )
    title: str = Field(default="", max_length=TEXT_LENGTH)
    type: ReleaseType = Field(default=ReleaseType.MINOR, sa_type=enum_type(ReleaseType, "type"))
    priority: int = Field(default=1, ge=1, le=INT_MAX)
    earliest_start: Day | None = None
    due: Day | None = None
    status: ReleaseStatus = Field(
        default=ReleaseStatus.PLANNED, sa_type=enum_type(ReleaseStatus, "status")
    )
    owner: str = Field(default="", max_length=NAME_LENGTH)


class Release(ReleaseBase, table=True):
    """A release such as ``R1`` "Payments 4.2"; ``key`` is how everything refers to it."""

    __table_args__ = (
        CheckConstraint("priority >= 1", name="priority_at_least_one"),
        CheckConstraint(
            "earliest_start IS NULL OR due IS NULL OR earliest_start < due",
            name="earliest_start_before_due",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # the release window it goes live in (envsched.models.lifecycle.ReleaseWindow)
    window_id: int | None = Field(
        default=None, foreign_key="release_window.id", ondelete="SET NULL", index=True
    )

    phases: list["Phase"] = Relationship(
        back_populates="release",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Phase.position"},
    )


class PhaseBase(SQLModel):
    key: str = Field(
        min_length=1, max_length=NAME_LENGTH, unique=True, schema_extra={"pattern": NAME_PATTERN}
    )
    name: str = Field(default="", max_length=NAME_LENGTH)
    duration_days: int = Field(ge=1, le=MAX_DAYS)
    gap_days: int = Field(default=0, ge=0, le=MAX_DAYS)
    after: list[str] | None = Field(default=None, sa_type=json_list(nullable=True))
    required_tags: list[Tag] = Field(default_factory=list, sa_type=json_list())
    environments: list[str] | None = Field(default=None, sa_type=json_list(nullable=True))
    earliest_start: Day | None = None
    # the stacks a phase needing a whole stack may use (None: it needs one environment)
    stacks: list[str] | None = Field(default=None, sa_type=json_list(nullable=True))


class Phase(PhaseBase, table=True):
    """One test phase of a release (``R1-SIT``), needing one environment of ``type``.

    ``position`` orders the phases of a release (not unique: services renumber them
    densely, and a unique constraint would trip over its own renumbering). ``after``
    is None when the phase follows the one before it, or the keys of the phases it
    waits for (``[]``: none).
    ``environments`` is None for "any eligible", or the names it is limited to.
    """

    __table_args__ = (
        CheckConstraint("duration_days > 0", name="duration_positive"),
        CheckConstraint("gap_days >= 0", name="gap_not_negative"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE", index=True)
    type_id: int = Field(foreign_key="environment_type.id", index=True)
    position: int = 0

    release: Release = Relationship(back_populates="phases")
    type: EnvironmentType = Relationship()
