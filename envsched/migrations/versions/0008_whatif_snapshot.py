"""What-if snapshot: which copy of the live state a what-if plans, and the demand its
scenario cannot hold (open requests for no phase, live bookings outside the scenario).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("what_if", sa.Column("snapshot", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("what_if") as batch:
        batch.drop_column("snapshot")
