"""Check-in and team quotas (issue 16): ``environment_type.checkin_required`` (off for
every existing type), ``booking.checked_in_at``, the ``team`` table, ``app_user.team_id``
and ``team_quota`` (environment-days of a type per calendar month, per team).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from envsched.migrations.rebuild import foreign_keys_off_on_sqlite

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("environment_type", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "checkin_required", sa.Boolean(), nullable=False, server_default=sa.false()
                )
            )
        with op.batch_alter_table("booking", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True)
            )
        op.create_table(
            "team",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
            sa.UniqueConstraint("name", name=op.f("uq_team_name")),
        )
        with op.batch_alter_table("app_user", schema=None) as batch_op:
            batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f("fk_app_user_team_id_team"), "team", ["team_id"], ["id"], ondelete="SET NULL"
            )
        op.create_table(
            "team_quota",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("team_id", sa.Integer(), nullable=False),
            sa.Column("environment_type_id", sa.Integer(), nullable=False),
            sa.Column("days_per_month", sa.Integer(), nullable=False),
            sa.CheckConstraint("days_per_month >= 0", name=op.f("ck_team_quota_days_not_negative")),
            sa.ForeignKeyConstraint(
                ["team_id"],
                ["team.id"],
                ondelete="CASCADE",
                name=op.f("fk_team_quota_team_id_team"),
            ),
            sa.ForeignKeyConstraint(
                ["environment_type_id"],
                ["environment_type.id"],
                ondelete="CASCADE",
                name=op.f("fk_team_quota_environment_type_id_environment_type"),
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_team_quota")),
            sa.UniqueConstraint(
                "team_id",
                "environment_type_id",
                name=op.f("uq_team_quota_team_id_environment_type_id"),
            ),
        )
        op.create_index("ix_team_quota_team_id", "team_quota", ["team_id"])


def downgrade() -> None:
    with foreign_keys_off_on_sqlite():
        op.drop_table("team_quota")
        with op.batch_alter_table("app_user", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("fk_app_user_team_id_team"), type_="foreignkey")
            batch_op.drop_column("team_id")
        op.drop_table("team")
        with op.batch_alter_table("booking", schema=None) as batch_op:
            batch_op.drop_column("checked_in_at")
        with op.batch_alter_table("environment_type", schema=None) as batch_op:
            batch_op.drop_column("checkin_required")
