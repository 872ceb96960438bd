"""One live booking per phase, and forced bookings.

A partial unique index on ``booking.phase_id`` over live bookings (tentative, confirmed,
in use) makes a second live booking of a phase impossible on SQLite and PostgreSQL
alike. A database that already holds such pairs keeps the booking that holds most
(in use, then confirmed, then pinned, then the earliest) and cancels the others, each
with an audit entry. ``booking.forced_reason`` records why an environment manager
placed a booking that breaks a rule (empty: it was not forced).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:20:00
"""

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "migration 0007"
LIVE_ROWS = "phase_id IS NOT NULL AND status IN ('tentative', 'confirmed', 'in_use')"
STRENGTH = {"in_use": 0, "confirmed": 1, "tentative": 2}
log = logging.getLogger("alembic.runtime.migration")

booking = sa.table(
    "booking",
    *(
        sa.column(name)
        for name in ("id", "phase_id", "environment_id", "start", "end", "status", "pinned", "note")
    ),
)
audit_entry = sa.table(
    "audit_entry",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor"),
    sa.column("entity"),
    sa.column("entity_id"),
    sa.column("action"),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
)


def upgrade() -> None:
    op.add_column(
        "booking",
        sa.Column("forced_reason", sa.String(length=2000), nullable=False, server_default=""),
    )
    _cancel_second_bookings()
    op.create_index(
        "uq_booking_live_phase",
        "booking",
        ["phase_id"],
        unique=True,
        sqlite_where=sa.text(LIVE_ROWS),
        postgresql_where=sa.text(LIVE_ROWS),
    )


def downgrade() -> None:
    op.drop_index("uq_booking_live_phase", table_name="booking")
    with op.batch_alter_table("booking") as batch:
        batch.drop_column("forced_reason")


def _cancel_second_bookings() -> None:
    bind = op.get_bind()
    rows = (
        bind.execute(sa.select(booking).where(sa.text(LIVE_ROWS)).order_by(booking.c.id))
        .mappings()
        .all()
    )
    by_phase: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_phase.setdefault(row["phase_id"], []).append(dict(row))
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC, as the models store it
    for held in (group for group in by_phase.values() if len(group) > 1):
        _keep_one(bind, held, now)


def _keep_one(bind: sa.Connection, held: list[dict[str, Any]], now: dt.datetime) -> None:
    held.sort(key=lambda b: (STRENGTH[b["status"]], not b["pinned"], b["start"], b["id"]))
    kept, *others = held
    for row in others:
        bind.execute(booking.update().where(booking.c.id == row["id"]).values(status="cancelled"))
        bind.execute(
            audit_entry.insert().values(
                at=now,
                actor=ACTOR,
                entity="booking",
                entity_id=str(row["id"]),
                action="cancel",
                before={"status": row["status"]},
                after={"status": "cancelled", "kept_booking_id": kept["id"]},
            )
        )
    log.warning(
        "phase %s had %d live bookings: kept booking %s, cancelled %s",
        kept["phase_id"],
        len(held),
        kept["id"],
        ", ".join(str(b["id"]) for b in others),
    )
