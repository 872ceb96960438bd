"""Run claims: who runs a what-if and for how long; when a round lock claim goes stale.

``what_if.run_owner`` and ``run_time_limit`` let a run left "running" by a process that
died be recognised and run again; ``plan_lock.stale_at`` replaces the fixed six hours
after which a SQLite round lock was taken over. A lock held while migrating was taken
by a process the upgrade stopped, so it is freed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("what_if", sa.Column("run_owner", sa.String(length=128), nullable=True))
    op.add_column("what_if", sa.Column("run_time_limit", sa.Float(), nullable=True))
    op.add_column("plan_lock", sa.Column("stale_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE plan_lock SET holder = NULL, claimed_at = NULL")


def downgrade() -> None:
    with op.batch_alter_table("plan_lock") as batch:
        batch.drop_column("stale_at")
    with op.batch_alter_table("what_if") as batch:
        batch.drop_column("run_time_limit")
        batch.drop_column("run_owner")
