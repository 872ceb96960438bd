"""The release practice around the bookings: strategy, windows, templates, gates, deployments.

* A ``ReleaseStrategy`` is a cadence (quarterly, monthly, bi-weekly, or explicit dates);
  it generates ``ReleaseWindow`` rows twelve months ahead — the published plan.
  A release sits in at most one window (``release.window_id``).
* A ``ReleaseTemplate`` is a release type's phase recipe: ordered ``TemplatePhase`` rows
  that ``create_release_from_template`` turns into phases and booking requests. ``after``
  names other phases *of the template* (None: the phase before; ``[]``: none).
* A ``Gate`` is an entry or exit check on a phase (or a release's go/no-go when
  ``phase_id`` is NULL), signed off by one role, vetoed with a reason, or waived.
* ``Deployment`` records a go-live (and its back-out); ``ExternalLink`` points at an
  incident or change in another system; ``ReleaseStatusChange`` is the status history.

People are kept by name (``signed_by``, ``by``), as the audit log does, so history still
reads after a user is removed.
"""

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint, text
from sqlmodel import Field, Relationship, SQLModel

from envsched.models.base import (
    NAME_LENGTH,
    TEXT_LENGTH,
    enum_type,
    json_list,
    utc_datetime_field,
)
from envsched.models.environments import EnvironmentType
from envsched.models.releases import ReleaseStatus, ReleaseType
from envsched.models.users import Role

URL_LENGTH = 2000


# -- strategy and windows -----------------------------------------------------------------


class CadenceKind(enum.StrEnum):
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    BIWEEKLY = "biweekly"
    DATES = "dates"  # an explicit list of go-live dates


class ReleaseStrategy(SQLModel, table=True):
    """How often releases go live: the cadence the windows are generated from.

    ``anchor`` is the first go-live; later ones follow the cadence from it (or are
    ``dates``). Each window opens ``window_days`` before its go-live and freezes
    (code cut-off) ``freeze_days`` before it.
    """

    __tablename__ = "release_strategy"
    __table_args__ = (
        CheckConstraint("window_days >= 1", name="window_days_positive"),
        CheckConstraint("freeze_days >= 0", name="freeze_days_not_negative"),
        CheckConstraint("freeze_days < window_days", name="freeze_inside_window"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=1, max_length=NAME_LENGTH, unique=True)
    cadence: CadenceKind = Field(sa_type=enum_type(CadenceKind, "cadence"))
    anchor: dt.date
    dates: list[str] = Field(default_factory=list, sa_type=json_list())  # ISO, for DATES
    window_days: int = Field(default=14, ge=1)
    freeze_days: int = Field(default=3, ge=0)
    created_at: dt.datetime = utc_datetime_field()
    published_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)


class ReleaseWindow(SQLModel, table=True):
    """A slot releases go live in: open from ``start``, frozen (code cut-off) from
    ``cutoff``, live on ``go_live``. ``strategy_id`` is NULL for a window added by hand."""

    __tablename__ = "release_window"
    __table_args__ = (
        CheckConstraint("start <= cutoff", name="start_not_after_cutoff"),
        CheckConstraint("cutoff <= go_live", name="cutoff_not_after_go_live"),
        CheckConstraint("start < go_live", name="start_before_go_live"),
        UniqueConstraint("strategy_id", "go_live"),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int | None = Field(
        default=None, foreign_key="release_strategy.id", ondelete="CASCADE", index=True
    )
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    start: dt.date
    cutoff: dt.date  # the freeze: nothing new goes in from this day
    go_live: dt.date = Field(index=True)

    strategy: ReleaseStrategy | None = Relationship()


# -- release types and their phase templates ----------------------------------------------


class ReleaseTemplate(SQLModel, table=True):
    """A release type's recipe (``major``: SIT, then UAT alongside PERF, then STAGING)."""

    __tablename__ = "release_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=1, max_length=NAME_LENGTH, unique=True)
    release_type: ReleaseType = Field(
        default=ReleaseType.MINOR, sa_type=enum_type(ReleaseType, "release_type")
    )
    description: str = Field(default="", max_length=TEXT_LENGTH)

    phases: list["TemplatePhase"] = Relationship(
        back_populates="template",
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "order_by": "TemplatePhase.position",
        },
    )


class TemplatePhase(SQLModel, table=True):
    """One phase of a template; ``name`` becomes the phase key's suffix (``R7-UAT``)."""

    __tablename__ = "template_phase"
    __table_args__ = (
        CheckConstraint("duration_days > 0", name="duration_positive"),
        CheckConstraint("gap_days >= 0", name="gap_not_negative"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        UniqueConstraint("template_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="release_template.id", ondelete="CASCADE", index=True)
    position: int = 0
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    type_id: int = Field(foreign_key="environment_type.id")
    duration_days: int = Field(ge=1)
    gap_days: int = Field(default=0, ge=0)
    after: list[str] | None = Field(default=None, sa_type=json_list(nullable=True))
    required_tags: list[str] = Field(default_factory=list, sa_type=json_list())

    template: ReleaseTemplate = Relationship(back_populates="phases")
    type: EnvironmentType = Relationship()


# -- gates --------------------------------------------------------------------------------


class GateKind(enum.StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
    GO_NO_GO = "go_no_go"  # the release's own gate: phase_id is NULL


class GateState(enum.StrEnum):
    OPEN = "open"
    SIGNED = "signed"
    VETOED = "vetoed"
    WAIVED = "waived"


# One gate per phase and kind, and one go/no-go per release (migration 0005). Unique
# *indexes*: SQLite adds them without rebuilding the table, and the go/no-go one is
# partial, because a UNIQUE over (release_id, phase_id, kind) would let NULL phases repeat.
GATE_PER_PHASE_KIND = "uq_gate_phase_kind"
GO_NO_GO_PER_RELEASE = "uq_gate_release_go_no_go"
GO_NO_GO_ROWS = "phase_id IS NULL"


class Gate(SQLModel, table=True):
    """Criteria a phase (or the release, for go/no-go) must meet, and who says they are."""

    __tablename__ = "gate"
    __table_args__ = (
        CheckConstraint("(kind = 'go_no_go') = (phase_id IS NULL)", name="go_no_go_has_no_phase"),
        CheckConstraint("state = 'open' OR signed_at IS NOT NULL", name="decided_has_time"),
        Index(GATE_PER_PHASE_KIND, "phase_id", "kind", unique=True),
        Index(
            GO_NO_GO_PER_RELEASE,
            "release_id",
            unique=True,
            sqlite_where=text(GO_NO_GO_ROWS),
            postgresql_where=text(GO_NO_GO_ROWS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE", index=True)
    phase_id: int | None = Field(
        default=None, foreign_key="phase.id", ondelete="CASCADE", index=True
    )
    kind: GateKind = Field(sa_type=enum_type(GateKind, "kind"))
    criteria: str = Field(default="", max_length=TEXT_LENGTH)
    signoff_role: Role = Field(sa_type=enum_type(Role, "signoff_role"))
    state: GateState = Field(default=GateState.OPEN, sa_type=enum_type(GateState, "state"))
    signed_by: str | None = Field(default=None, max_length=NAME_LENGTH)
    signed_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    reason: str = Field(default="", max_length=TEXT_LENGTH)


# -- deployments, links, status history ---------------------------------------------------


class Deployment(SQLModel, table=True):
    """A go-live of a release, with the plan to undo it and whether it was undone."""

    __tablename__ = "deployment"
    __table_args__ = (
        CheckConstraint("backed_out = (backed_out_at IS NOT NULL)", name="backed_out_has_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE", index=True)
    deployed_on: dt.date
    backout_plan: str = Field(default="", sa_type=Text)
    backed_out: bool = False
    backed_out_at: dt.datetime | None = utc_datetime_field(nullable=True, default=None)
    notes: str = Field(default="", sa_type=Text)
    recorded_by: str = Field(default="system", max_length=NAME_LENGTH)
    recorded_at: dt.datetime = utc_datetime_field()


class LinkKind(enum.StrEnum):
    INCIDENT = "incident"
    CHANGE = "change"


class ExternalLink(SQLModel, table=True):
    """A release's incident or change in another system (``ServiceNow`` ``CHG0012345``)."""

    __tablename__ = "external_link"
    __table_args__ = (UniqueConstraint("release_id", "system", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE", index=True)
    kind: LinkKind = Field(sa_type=enum_type(LinkKind, "kind"))
    system: str = Field(min_length=1, max_length=NAME_LENGTH)
    key: str = Field(min_length=1, max_length=NAME_LENGTH)
    url: str = Field(default="", max_length=URL_LENGTH)
    created_by: str = Field(default="system", max_length=NAME_LENGTH)
    created_at: dt.datetime = utc_datetime_field()


class ReleaseStatusChange(SQLModel, table=True):
    """One step of a release's status flow; ``from_status`` is NULL for its first status."""

    __tablename__ = "release_status_change"

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE", index=True)
    from_status: ReleaseStatus | None = Field(
        default=None, sa_type=enum_type(ReleaseStatus, "from_status"), nullable=True
    )
    to_status: ReleaseStatus = Field(sa_type=enum_type(ReleaseStatus, "to_status"))
    at: dt.datetime = utc_datetime_field(index=True)
    by: str = Field(default="system", max_length=NAME_LENGTH)
    reason: str = Field(default="", max_length=TEXT_LENGTH)
