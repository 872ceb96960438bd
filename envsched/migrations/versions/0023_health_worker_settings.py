"""Environment health: the worker records, with each probe, the interval it probes at and
the minutes down it flags after, so pages show the worker's values, not the web's.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERVAL = "worker_interval_seconds IS NULL OR worker_interval_seconds >= 1"
DOWN_MINUTES = "worker_down_minutes IS NULL OR worker_down_minutes >= 0"


def upgrade() -> None:
    with op.batch_alter_table("environment_health", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker_interval_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker_down_minutes", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_environment_health_worker_interval_positive"), INTERVAL
        )
        batch_op.create_check_constraint(
            op.f("ck_environment_health_worker_down_minutes_not_negative"), DOWN_MINUTES
        )


def downgrade() -> None:
    with op.batch_alter_table("environment_health", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_environment_health_worker_down_minutes_not_negative"), type_="check"
        )
        batch_op.drop_constraint(
            op.f("ck_environment_health_worker_interval_positive"), type_="check"
        )
        batch_op.drop_column("worker_down_minutes")
        batch_op.drop_column("worker_interval_seconds")
