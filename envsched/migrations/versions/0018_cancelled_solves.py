"""A plan run or what-if whose solve was cancelled says ``cancelled``, not ``failed``:
``ck_plan_run_status`` and ``ck_what_if_status`` allow the new value. Going back maps
cancelled rows to failed (what they were stored as before), then narrows the constraints.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 15:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN_RUN = ("running", "done", "failed", "refused")
WHAT_IF = ("draft", "running", "done", "failed", "promoted")


def upgrade() -> None:
    _allow("plan_run", (*PLAN_RUN, "cancelled"))
    _allow("what_if", (*WHAT_IF, "cancelled"))


def downgrade() -> None:
    _allow("plan_run", PLAN_RUN, {"cancelled": "failed"})
    _allow("what_if", WHAT_IF, {"cancelled": "failed"})


def _allow(table: str, allowed: tuple[str, ...], mapping: dict[str, str] | None = None) -> None:
    """Let ``ck_<table>_status`` allow ``allowed``, mapping stored statuses first (no row
    references either table, so SQLite's rebuild of it loses nothing)."""
    name = op.f(f"ck_{table}_status")
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_="check")
    rows = sa.table(table, sa.column("status", sa.String(24)))
    for before, after in (mapping or {}).items():
        op.execute(rows.update().where(rows.c.status == before).values(status=after))
    values = ", ".join(f"'{status}'" for status in allowed)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_check_constraint(name, f"status IN ({values})")
