"""Initial schema: every table, and on PostgreSQL the booking exclusion constraint.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 09:18:27.843130
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# ruff: noqa: E501  (generated table definitions read best one column per line)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'environment_manager', 'test_manager', 'release_manager', 'planner', 'viewer')",
            name=op.f("ck_app_user_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    op.create_table(
        "environment_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environment_type")),
        sa.UniqueConstraint("name", name=op.f("uq_environment_type_name")),
    )
    op.create_table(
        "freeze",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.CheckConstraint('start < "end"', name=op.f("ck_freeze_start_before_end")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freeze")),
    )
    op.create_table(
        "release",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=2000), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("earliest_start", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "earliest_start IS NULL OR due IS NULL OR earliest_start < due",
            name=op.f("ck_release_earliest_start_before_due"),
        ),
        sa.CheckConstraint("priority >= 1", name=op.f("ck_release_priority_at_least_one")),
        sa.CheckConstraint(
            "type IN ('major', 'minor', 'patch', 'emergency')", name=op.f("ck_release_type")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'released', 'cancelled')",
            name=op.f("ck_release_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release")),
        sa.UniqueConstraint("key", name=op.f("uq_release_key")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_api_token_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_audit_entry_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "environment",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("changeover_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_environment_capacity_at_least_one")),
        sa.CheckConstraint(
            "changeover_days >= 0", name=op.f("ck_environment_changeover_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["environment_type.id"],
            name=op.f("fk_environment_type_id_environment_type"),
        ),
        sa.CheckConstraint(
            "status IN ('available', 'maintenance', 'down', 'retired')",
            name=op.f("ck_environment_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environment")),
        sa.UniqueConstraint("name", name=op.f("uq_environment_name")),
    )
    with op.batch_alter_table("environment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_environment_type_id"), ["type_id"], unique=False)

    op.create_table(
        "phase",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("gap_days", sa.Integer(), nullable=False),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("required_tags", sa.JSON(), nullable=False),
        sa.Column("environments", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("earliest_start", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("duration_days > 0", name=op.f("ck_phase_duration_positive")),
        sa.CheckConstraint("gap_days >= 0", name=op.f("ck_phase_gap_not_negative")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_phase_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_phase_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"], ["environment_type.id"], name=op.f("fk_phase_type_id_environment_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase")),
        sa.UniqueConstraint("key", name=op.f("uq_phase_key")),
    )
    with op.batch_alter_table("phase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phase_release_id"), ["release_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phase_type_id"), ["type_id"], unique=False)

    op.create_table(
        "booking_request",
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("earliest_start", sa.Date(), nullable=False),
        sa.Column("latest_end", sa.Date(), nullable=True),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("required_tags", sa.JSON(), nullable=False),
        sa.Column("environments", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("justification", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("environment_type_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("decision_reason", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("duration_days > 0", name=op.f("ck_booking_request_duration_positive")),
        sa.CheckConstraint(
            "environment_type_id IS NOT NULL OR environments IS NOT NULL",
            name=op.f("ck_booking_request_type_or_environments"),
        ),
        sa.CheckConstraint(
            "latest_end IS NULL OR earliest_start < latest_end",
            name=op.f("ck_booking_request_earliest_start_before_latest_end"),
        ),
        sa.CheckConstraint("priority >= 1", name=op.f("ck_booking_request_priority_at_least_one")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_booking_request_decided_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["environment_type_id"],
            ["environment_type.id"],
            name=op.f("fk_booking_request_environment_type_id_environment_type"),
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["phase.id"], name=op.f("fk_booking_request_phase_id_phase")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["app_user.id"], name=op.f("fk_booking_request_requester_id_app_user")
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'rejected', 'waitlisted', 'cancelled')",
            name=op.f("ck_booking_request_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_request")),
    )
    with op.batch_alter_table("booking_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_request_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_booking_request_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(
            "ix_booking_request_status_priority", ["status", "priority"], unique=False
        )

    op.create_table(
        "component",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environment.id"],
            name=op.f("fk_component_environment_id_environment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component")),
        sa.UniqueConstraint(
            "environment_id", "name", name=op.f("uq_component_environment_id_name")
        ),
    )
    with op.batch_alter_table("component", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_component_environment_id"), ["environment_id"], unique=False
        )

    op.create_table(
        "maintenance_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.CheckConstraint('start < "end"', name=op.f("ck_maintenance_window_start_before_end")),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environment.id"],
            name=op.f("fk_maintenance_window_environment_id_environment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_window")),
    )
    with op.batch_alter_table("maintenance_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_window_environment_id"), ["environment_id"], unique=False
        )

    op.create_table(
        "booking",
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint('start < "end"', name=op.f("ck_booking_start_before_end")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_booking_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environment.id"],
            name=op.f("fk_booking_environment_id_environment"),
        ),
        sa.ForeignKeyConstraint(["phase_id"], ["phase.id"], name=op.f("fk_booking_phase_id_phase")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["booking_request.id"],
            name=op.f("fk_booking_request_id_booking_request"),
        ),
        sa.CheckConstraint(
            "status IN ('tentative', 'confirmed', 'in_use', 'released', 'cancelled')",
            name=op.f("ck_booking_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_environment_days", ["environment_id", "start", "end"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_request_id"), ["request_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        create_no_double_booking_constraint()


def create_no_double_booking_constraint() -> None:
    """A capacity-1 environment cannot hold two live bookings on one day, whatever writes.

    Deferrable, so a re-plan that moves several bookings in one transaction may pass
    through an intermediate overlap (``SET CONSTRAINTS ... DEFERRED``).
    """
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        "ALTER TABLE booking ADD CONSTRAINT ex_booking_no_double_booking "
        'EXCLUDE USING gist (environment_id WITH =, daterange(start, "end") WITH &&) '
        "WHERE (status IN ('tentative', 'confirmed', 'in_use') AND exclusive) "
        "DEFERRABLE INITIALLY IMMEDIATE"
    )


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_request_id"))
        batch_op.drop_index(batch_op.f("ix_booking_phase_id"))
        batch_op.drop_index("ix_booking_environment_days")

    op.drop_table("booking")
    with op.batch_alter_table("maintenance_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_window_environment_id"))

    op.drop_table("maintenance_window")
    with op.batch_alter_table("component", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_component_environment_id"))

    op.drop_table("component")
    with op.batch_alter_table("booking_request", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_request_status_priority")
        batch_op.drop_index(batch_op.f("ix_booking_request_requester_id"))
        batch_op.drop_index(batch_op.f("ix_booking_request_phase_id"))

    op.drop_table("booking_request")
    with op.batch_alter_table("phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phase_type_id"))
        batch_op.drop_index(batch_op.f("ix_phase_release_id"))

    op.drop_table("phase")
    with op.batch_alter_table("environment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_environment_type_id"))

    op.drop_table("environment")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    op.drop_table("release")
    op.drop_table("freeze")
    op.drop_table("environment_type")
    op.drop_table("app_user")
