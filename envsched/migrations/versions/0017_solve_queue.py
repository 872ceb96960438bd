"""The solve queue: re-plan now, nightly rounds and what-if runs wait in ``solve_job``
for ``envsched worker`` instead of running on threads of the web processes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "solve_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("queued_by_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('replan', 'whatif')", name=op.f("ck_solve_job_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_solve_job_status"),
        ),
        sa.ForeignKeyConstraint(
            ["queued_by_id"],
            ["app_user.id"],
            name=op.f("fk_solve_job_queued_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solve_job")),
    )
    op.create_index("ix_solve_job_status", "solve_job", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_solve_job_status", table_name="solve_job")
    op.drop_table("solve_job")
