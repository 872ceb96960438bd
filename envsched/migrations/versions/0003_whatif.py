"""What-if scenarios: one row per saved, named scenario with its changes, plans and comparison.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "what_if",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("baseline_plan", sa.JSON(), nullable=True),
        sa.Column("result_plan", sa.JSON(), nullable=True),
        sa.Column("comparison", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promoted_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'running', 'done', 'failed', 'promoted')",
            name=op.f("ck_what_if_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_what_if")),
        sa.UniqueConstraint("name", name=op.f("uq_what_if_name")),
    )


def downgrade() -> None:
    op.drop_table("what_if")
