"""When check-in was switched on for an environment type (``environment_type.
checkin_since``): a booking's check-in deadline counts from the latest of its first day,
its making and this moment, so switching check-in on never releases a booking that could
not have been checked in. NULL: off, or on since before it was recorded.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from envsched.migrations.rebuild import foreign_keys_off_on_sqlite

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with (
        foreign_keys_off_on_sqlite(),
        op.batch_alter_table("environment_type", schema=None) as batch_op,
    ):
        batch_op.add_column(sa.Column("checkin_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with (
        foreign_keys_off_on_sqlite(),
        op.batch_alter_table("environment_type", schema=None) as batch_op,
    ):
        batch_op.drop_column("checkin_since")
