"""Who started a planning round, and what made it run: "Re-plan now by Erin", "window
2027-03 moved by Rita", not the trigger's bare name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_run") as batch:
        batch.add_column(sa.Column("started_by_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("cause", sa.String(length=2000), nullable=False, server_default="")
        )
        batch.create_foreign_key(
            "fk_plan_run_started_by_id_app_user",
            "app_user",
            ["started_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_run") as batch:
        batch.drop_constraint("fk_plan_run_started_by_id_app_user", type_="foreignkey")
        batch.drop_column("cause")
        batch.drop_column("started_by_id")
