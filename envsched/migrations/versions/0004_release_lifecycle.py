"""Release lifecycle: strategies and their windows, release templates, gates, deployments,
external links, the status history; release.window_id; the new release status flow.

The release status CHECK constraint is dropped, the stored statuses are mapped, and the
new constraint is created: in that order, so no row is ever outside the constraint.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from envsched.migrations.rebuild import foreign_keys_off_on_sqlite

# ruff: noqa: E501  (table definitions read best one column per line)

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The release status flow replaces planned/in_progress/released/cancelled.
OLD_STATUSES = ("planned", "in_progress", "released", "cancelled")
NEW_STATUSES = ("draft", "planned", "in_test", "ready", "deployed", "backed_out", "cancelled")
STATUS_UP = {"in_progress": "in_test", "released": "deployed"}
# Going back, every new status lands on the old one nearest in meaning.
STATUS_DOWN = {
    "draft": "planned",
    "in_test": "in_progress",
    "ready": "in_progress",
    "deployed": "released",
    "backed_out": "released",
}


def upgrade() -> None:
    op.create_table(
        "release_strategy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("cadence", sa.String(length=24), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("dates", sa.JSON(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("freeze_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "freeze_days < window_days", name=op.f("ck_release_strategy_freeze_inside_window")
        ),
        sa.CheckConstraint(
            "freeze_days >= 0", name=op.f("ck_release_strategy_freeze_days_not_negative")
        ),
        sa.CheckConstraint(
            "window_days >= 1", name=op.f("ck_release_strategy_window_days_positive")
        ),
        sa.CheckConstraint(
            "cadence IN ('quarterly', 'monthly', 'biweekly', 'dates')",
            name=op.f("ck_release_strategy_cadence"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_strategy")),
        sa.UniqueConstraint("name", name=op.f("uq_release_strategy_name")),
    )
    op.create_table(
        "release_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("release_type", sa.String(length=24), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.CheckConstraint(
            "release_type IN ('major', 'minor', 'patch', 'emergency')",
            name=op.f("ck_release_template_release_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_template")),
        sa.UniqueConstraint("name", name=op.f("uq_release_template_name")),
    )
    op.create_table(
        "release_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("cutoff", sa.Date(), nullable=False),
        sa.Column("go_live", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "cutoff <= go_live", name=op.f("ck_release_window_cutoff_not_after_go_live")
        ),
        sa.CheckConstraint("start < go_live", name=op.f("ck_release_window_start_before_go_live")),
        sa.CheckConstraint(
            "start <= cutoff", name=op.f("ck_release_window_start_not_after_cutoff")
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["release_strategy.id"],
            name=op.f("fk_release_window_strategy_id_release_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_window")),
        sa.UniqueConstraint(
            "strategy_id", "go_live", name=op.f("uq_release_window_strategy_id_go_live")
        ),
    )
    with op.batch_alter_table("release_window", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_window_go_live"), ["go_live"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_release_window_strategy_id"), ["strategy_id"], unique=False
        )

    op.create_table(
        "template_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("gap_days", sa.Integer(), nullable=False),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("required_tags", sa.JSON(), nullable=False),
        sa.CheckConstraint("duration_days > 0", name=op.f("ck_template_phase_duration_positive")),
        sa.CheckConstraint("gap_days >= 0", name=op.f("ck_template_phase_gap_not_negative")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_template_phase_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["release_template.id"],
            name=op.f("fk_template_phase_template_id_release_template"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["environment_type.id"],
            name=op.f("fk_template_phase_type_id_environment_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_phase")),
        sa.UniqueConstraint("template_id", "name", name=op.f("uq_template_phase_template_id_name")),
    )
    with op.batch_alter_table("template_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_template_phase_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("deployed_on", sa.Date(), nullable=False),
        sa.Column("backout_plan", sa.Text(), nullable=False),
        sa.Column("backed_out", sa.Boolean(), nullable=False),
        sa.Column("backed_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "backed_out = (backed_out_at IS NOT NULL)",
            name=op.f("ck_deployment_backed_out_has_time"),
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_deployment_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployment_release_id"), ["release_id"], unique=False)

    op.create_table(
        "external_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_external_link_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("kind IN ('incident', 'change')", name=op.f("ck_external_link_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_link")),
        sa.UniqueConstraint(
            "release_id", "system", "key", name=op.f("uq_external_link_release_id_system_key")
        ),
    )
    with op.batch_alter_table("external_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_link_release_id"), ["release_id"], unique=False
        )

    op.create_table(
        "release_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_release_status_change_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "from_status IN ('draft', 'planned', 'in_test', 'ready', 'deployed', 'backed_out', 'cancelled')",
            name=op.f("ck_release_status_change_from_status"),
        ),
        sa.CheckConstraint(
            "to_status IN ('draft', 'planned', 'in_test', 'ready', 'deployed', 'backed_out', 'cancelled')",
            name=op.f("ck_release_status_change_to_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_status_change")),
    )
    with op.batch_alter_table("release_status_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_status_change_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_release_status_change_release_id"), ["release_id"], unique=False
        )

    op.create_table(
        "gate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("criteria", sa.String(length=2000), nullable=False),
        sa.Column("signoff_role", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.CheckConstraint(
            "(kind = 'go_no_go') = (phase_id IS NULL)", name=op.f("ck_gate_go_no_go_has_no_phase")
        ),
        sa.CheckConstraint(
            "state = 'open' OR signed_at IS NOT NULL", name=op.f("ck_gate_decided_has_time")
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["phase.id"], name=op.f("fk_gate_phase_id_phase"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_gate_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("kind IN ('entry', 'exit', 'go_no_go')", name=op.f("ck_gate_kind")),
        sa.CheckConstraint(
            "signoff_role IN ('admin', 'environment_manager', 'test_manager', 'release_manager', 'planner', 'viewer')",
            name=op.f("ck_gate_signoff_role"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'signed', 'vetoed', 'waived')", name=op.f("ck_gate_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate")),
    )
    with op.batch_alter_table("gate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gate_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gate_release_id"), ["release_id"], unique=False)

    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("release", schema=None) as batch_op:
            batch_op.add_column(sa.Column("window_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f("ix_release_window_id"), ["window_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f("fk_release_window_id_release_window"),
                "release_window",
                ["window_id"],
                ["id"],
                ondelete="SET NULL",
            )
        _change_statuses(NEW_STATUSES, STATUS_UP)


def downgrade() -> None:
    with foreign_keys_off_on_sqlite():
        _change_statuses(OLD_STATUSES, STATUS_DOWN)
        with op.batch_alter_table("release", schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f("fk_release_window_id_release_window"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f("ix_release_window_id"))
            batch_op.drop_column("window_id")

    with op.batch_alter_table("gate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_release_id"))
        batch_op.drop_index(batch_op.f("ix_gate_phase_id"))

    op.drop_table("gate")
    with op.batch_alter_table("release_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_status_change_release_id"))
        batch_op.drop_index(batch_op.f("ix_release_status_change_at"))

    op.drop_table("release_status_change")
    with op.batch_alter_table("external_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_link_release_id"))

    op.drop_table("external_link")
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployment_release_id"))

    op.drop_table("deployment")
    with op.batch_alter_table("template_phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_phase_template_id"))

    op.drop_table("template_phase")
    with op.batch_alter_table("release_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_window_strategy_id"))
        batch_op.drop_index(batch_op.f("ix_release_window_go_live"))

    op.drop_table("release_window")
    op.drop_table("release_template")
    op.drop_table("release_strategy")


def _change_statuses(allowed: tuple[str, ...], mapping: dict[str, str]) -> None:
    """Map the stored release statuses and let ``ck_release_status`` allow ``allowed``."""
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_release_status"), type_="check")
    release = sa.table("release", sa.column("status", sa.String(24)))
    for before, after in mapping.items():
        op.execute(release.update().where(release.c.status == before).values(status=after))
    values = ", ".join(f"'{status}'" for status in allowed)
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_release_status"), f"status IN ({values})")
