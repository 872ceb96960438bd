"""Deliveries: notifications queued in the database, sent after the round, retried until
they succeed or expire; each logged attempt names its delivery.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("target", sa.String(length=2000), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=2000), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name=op.f("ck_delivery_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'expired')", name=op.f("ck_delivery_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_delivery_attempts_not_negative")),
        sa.CheckConstraint(
            "created_at <= expires_at", name=op.f("ck_delivery_created_before_expiry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("uid", name=op.f("uq_delivery_uid")),
    )
    op.create_index("ix_delivery_due", "delivery", ["status", "next_attempt_at"], unique=False)
    with op.batch_alter_table("notification_delivery") as batch:
        batch.add_column(sa.Column("delivery_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_notification_delivery_delivery_id_delivery"),
            "delivery",
            ["delivery_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(
            batch.f("ix_notification_delivery_delivery_id"), ["delivery_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_delivery") as batch:
        batch.drop_index(batch.f("ix_notification_delivery_delivery_id"))
        batch.drop_constraint(
            batch.f("fk_notification_delivery_delivery_id_delivery"), type_="foreignkey"
        )
        batch.drop_column("delivery_id")
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_table("delivery")
