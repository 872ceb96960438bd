"""Stacks (issue 16): environments booked together. ``environment_stack`` and its
``stack_member`` rows (one stack per environment), ``stack_booking`` tying the member
bookings of one stack booking (``stack_booking_part``), and ``phase.stacks``: the stacks
a phase needing a whole stack may use (null: it needs one environment).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 18:37:03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import envsched.models.base
from envsched.migrations.rebuild import foreign_keys_off_on_sqlite

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with foreign_keys_off_on_sqlite():
        op.create_table(
            "environment_stack",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("description", sa.String(length=2000), nullable=False),
            sa.Column("id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_environment_stack")),
            sa.UniqueConstraint("name", name=op.f("uq_environment_stack_name")),
        )
        op.create_table(
            "stack_member",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("stack_id", sa.Integer(), nullable=False),
            sa.Column("environment_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["environment_id"],
                ["environment.id"],
                name=op.f("fk_stack_member_environment_id_environment"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["stack_id"],
                ["environment_stack.id"],
                name=op.f("fk_stack_member_stack_id_environment_stack"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_stack_member")),
            sa.UniqueConstraint("environment_id", name=op.f("uq_stack_member_environment_id")),
        )
        with op.batch_alter_table("stack_member", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_stack_member_stack_id"), ["stack_id"], unique=False
            )

        op.create_table(
            "stack_booking",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("stack_id", sa.Integer(), nullable=False),
            sa.Column("phase_id", sa.Integer(), nullable=True),
            sa.Column("start", sa.Date(), nullable=False),
            sa.Column("end", sa.Date(), nullable=False),
            sa.Column("note", sa.String(length=2000), nullable=False),
            sa.Column(
                "created_at", envsched.models.base.UTCDateTime(timezone=True), nullable=False
            ),
            sa.Column("created_by_id", sa.Integer(), nullable=True),
            sa.CheckConstraint('start < "end"', name=op.f("ck_stack_booking_start_before_end")),
            sa.ForeignKeyConstraint(
                ["created_by_id"],
                ["app_user.id"],
                name=op.f("fk_stack_booking_created_by_id_app_user"),
            ),
            sa.ForeignKeyConstraint(
                ["phase_id"], ["phase.id"], name=op.f("fk_stack_booking_phase_id_phase")
            ),
            sa.ForeignKeyConstraint(
                ["stack_id"],
                ["environment_stack.id"],
                name=op.f("fk_stack_booking_stack_id_environment_stack"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_stack_booking")),
        )
        with op.batch_alter_table("stack_booking", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_stack_booking_phase_id"), ["phase_id"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_stack_booking_stack_id"), ["stack_id"], unique=False
            )

        op.create_table(
            "stack_booking_part",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("stack_booking_id", sa.Integer(), nullable=False),
            sa.Column("booking_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["booking_id"],
                ["booking.id"],
                name=op.f("fk_stack_booking_part_booking_id_booking"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["stack_booking_id"],
                ["stack_booking.id"],
                name=op.f("fk_stack_booking_part_stack_booking_id_stack_booking"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_stack_booking_part")),
            sa.UniqueConstraint("booking_id", name=op.f("uq_stack_booking_part_booking_id")),
        )
        with op.batch_alter_table("stack_booking_part", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_stack_booking_part_stack_booking_id"),
                ["stack_booking_id"],
                unique=False,
            )
        with op.batch_alter_table("phase", schema=None) as batch_op:
            batch_op.add_column(sa.Column("stacks", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("phase", schema=None) as batch_op:
            batch_op.drop_column("stacks")
        with op.batch_alter_table("stack_booking_part", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_stack_booking_part_stack_booking_id"))

        op.drop_table("stack_booking_part")
        with op.batch_alter_table("stack_booking", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_stack_booking_stack_id"))
            batch_op.drop_index(batch_op.f("ix_stack_booking_phase_id"))

        op.drop_table("stack_booking")
        with op.batch_alter_table("stack_member", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_stack_member_stack_id"))

        op.drop_table("stack_member")
        op.drop_table("environment_stack")
