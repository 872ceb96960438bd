"""One gate per phase and kind (entry, exit), one go/no-go gate per release; bookings'
``exclusive`` flags repaired to follow their environment's capacity.

Before the unique indexes are created, duplicates are merged, each group into the row
the gate service acted on: the first still undecided (open or vetoed), else the first.
So a phase that was blocked by one undecided duplicate stays blocked, and a signature
or waiver on a duplicate is not lost silently: every removed row goes into the audit
log (action ``merge_duplicate``, the row as ``before``, the kept gate's id in ``after``)
and is reported as a warning. The criteria of the group are kept, joined.

``booking.exclusive`` (what PostgreSQL's double-booking guard looks at) may have been
left behind by capacity changed through an import. It is set to "capacity is 1" again,
except on live bookings of a capacity-1 environment that overlap another live booking
there: the guard would refuse them, so they stay as they are (reported as a warning, and
as an overbooked clash) until someone moves one.

Downgrade drops the indexes; merged rows stay merged (the audit log has them), and the
repaired flags stay repaired.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00
"""

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GO_NO_GO_ROWS = "phase_id IS NULL"
PASSED = ("signed", "waived")
TEXT_LENGTH = 2000
ACTOR = "migration 0005"
log = logging.getLogger("alembic.runtime.migration")

gate = sa.table(
    "gate",
    *(
        sa.column(name)
        for name in (
            "id",
            "release_id",
            "phase_id",
            "kind",
            "criteria",
            "signoff_role",
            "state",
            "signed_by",
            "signed_at",
            "reason",
        )
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


booking = sa.table(
    "booking",
    sa.column("id"),
    sa.column("environment_id"),
    sa.column("start"),
    sa.column("end"),
    sa.column("status"),
    sa.column("exclusive", sa.Boolean()),
)
environment = sa.table("environment", sa.column("id"), sa.column("capacity"))
LIVE = ("tentative", "confirmed", "in_use")


def upgrade() -> None:
    _merge_duplicates()
    _repair_exclusive_flags()
    op.create_index("uq_gate_phase_kind", "gate", ["phase_id", "kind"], unique=True)
    op.create_index(
        "uq_gate_release_go_no_go",
        "gate",
        ["release_id"],
        unique=True,
        sqlite_where=sa.text(GO_NO_GO_ROWS),
        postgresql_where=sa.text(GO_NO_GO_ROWS),
    )


def downgrade() -> None:
    op.drop_index("uq_gate_release_go_no_go", table_name="gate")
    op.drop_index("uq_gate_phase_kind", table_name="gate")


def _merge_duplicates() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(gate).order_by(gate.c.id)).mappings().all()
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        key = (row["release_id"], row["phase_id"], row["kind"])
        groups.setdefault(key, []).append(dict(row))
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC, as the models store it
    for duplicates in (group for group in groups.values() if len(group) > 1):
        _merge(bind, duplicates, now)


def _merge(bind: sa.Connection, duplicates: list[dict[str, Any]], now: dt.datetime) -> None:
    undecided = [g for g in duplicates if g["state"] not in PASSED]
    kept = (undecided or duplicates)[0]
    removed = [g for g in duplicates if g["id"] != kept["id"]]
    criteria = list(dict.fromkeys(g["criteria"] for g in [kept, *removed] if g["criteria"]))
    bind.execute(
        gate.update()
        .where(gate.c.id == kept["id"])
        .values(criteria="\n".join(criteria)[:TEXT_LENGTH])
    )
    for row in removed:
        bind.execute(
            audit_entry.insert().values(
                at=now,
                actor=ACTOR,
                entity="gate",
                entity_id=str(row["id"]),
                action="merge_duplicate",
                before=_json(row),
                after={"kept_gate_id": kept["id"]},
            )
        )
        bind.execute(gate.delete().where(gate.c.id == row["id"]))
    log.warning(
        "gate of release %s, phase %s, kind %s: kept gate %s (%s), merged %s",
        kept["release_id"],
        kept["phase_id"],
        kept["kind"],
        kept["id"],
        kept["state"],
        ", ".join(f"{g['id']} ({g['state']})" for g in removed),
    )


def _repair_exclusive_flags() -> None:
    bind = op.get_bind()
    shared = sa.select(environment.c.id).where(environment.c.capacity > 1)
    single = sa.select(environment.c.id).where(environment.c.capacity == 1)
    bind.execute(
        booking.update()
        .where(booking.c.exclusive, booking.c.environment_id.in_(shared))
        .values(exclusive=False)
    )
    other = booking.alias("other")
    overlapped = sa.exists().where(
        other.c.environment_id == booking.c.environment_id,
        other.c.id != booking.c.id,
        other.c.status.in_(LIVE),
        other.c.start < booking.c.end,
        booking.c.start < other.c.end,
    )
    stuck = sa.and_(booking.c.status.in_(LIVE), overlapped)
    bind.execute(
        booking.update()
        .where(sa.not_(booking.c.exclusive), booking.c.environment_id.in_(single), sa.not_(stuck))
        .values(exclusive=True)
    )
    left = (
        bind.execute(
            sa.select(booking.c.id)
            .where(sa.not_(booking.c.exclusive), booking.c.environment_id.in_(single), stuck)
            .order_by(booking.c.id)
        )
        .scalars()
        .all()
    )
    if left:
        log.warning(
            "bookings %s overlap on capacity-1 environments: left non-exclusive until one moves",
            ", ".join(map(str, left)),
        )


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}
