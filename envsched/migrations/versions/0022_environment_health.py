"""Environment health: an optional health URL per environment, where its probes stand
(``environment_health``), and its history of ups and downs (``health_change``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "state IN ('unknown', 'up', 'down')"
HTTP_STATUS = "status_code IS NULL OR status_code >= 100"


def upgrade() -> None:
    op.create_table(
        "environment_health",
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=2000), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("told", sa.JSON(), nullable=False),
        sa.CheckConstraint(STATES, name=op.f("ck_environment_health_state")),
        sa.CheckConstraint(HTTP_STATUS, name=op.f("ck_environment_health_status_code_http")),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environment.id"],
            name=op.f("fk_environment_health_environment_id_environment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("environment_id", name=op.f("pk_environment_health")),
    )
    op.create_table(
        "health_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=2000), nullable=False),
        sa.CheckConstraint(STATES, name=op.f("ck_health_change_state")),
        sa.CheckConstraint(HTTP_STATUS, name=op.f("ck_health_change_status_code_http")),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environment.id"],
            name=op.f("fk_health_change_environment_id_environment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_change")),
    )
    op.create_index(
        "ix_health_change_environment_at", "health_change", ["environment_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_health_change_environment_at", table_name="health_change")
    op.drop_table("health_change")
    op.drop_table("environment_health")
