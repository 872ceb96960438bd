"""Booking series (issue 16): ``booking_series`` says how a booking repeats, and
``series_occurrence`` holds each planned run, booked (its booking) or refused (the rule).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("repeat", sa.String(length=24), nullable=False),
        sa.Column("every", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("length_days", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("times", sa.Integer(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("note", AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("every >= 1", name=op.f("ck_booking_series_every_positive")),
        sa.CheckConstraint("length_days >= 1", name=op.f("ck_booking_series_length_positive")),
        sa.CheckConstraint(
            "until IS NOT NULL OR times IS NOT NULL", name=op.f("ck_booking_series_until_or_times")
        ),
        sa.CheckConstraint("repeat IN ('weekly', 'days')", name=op.f("ck_booking_series_repeat")),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environment.id"],
            name=op.f("fk_booking_series_environment_id_environment"),
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["phase.id"], name=op.f("fk_booking_series_phase_id_phase")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_booking_series_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_series")),
    )
    op.create_index(
        op.f("ix_booking_series_environment_id"), "booking_series", ["environment_id"], unique=False
    )
    op.create_table(
        "series_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("rule", AutoString(length=24), nullable=False),
        sa.Column("reason", AutoString(length=2000), nullable=False),
        sa.CheckConstraint('start < "end"', name=op.f("ck_series_occurrence_start_before_end")),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["booking_series.id"],
            name=op.f("fk_series_occurrence_series_id_booking_series"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_series_occurrence_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_occurrence")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_series_occurrence_booking_id")),
        sa.UniqueConstraint(
            "series_id", "start", name=op.f("uq_series_occurrence_series_id_start")
        ),
    )
    op.create_index(
        op.f("ix_series_occurrence_series_id"), "series_occurrence", ["series_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_series_occurrence_series_id"), table_name="series_occurrence")
    op.drop_table("series_occurrence")
    op.drop_index(op.f("ix_booking_series_environment_id"), table_name="booking_series")
    op.drop_table("booking_series")
