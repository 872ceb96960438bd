"""The audit log: who changed what, when, with before and after; filtered and paged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template
from sqlmodel import col, func, select

from envsched.db import read_transaction
from envsched.models import AuditEntry
from web.auth import requires
from web.context import sessions
from web.ui.params import int_arg, text_arg

PAGE_SIZE = 50


@requires("audit:read")
def audit_log() -> Any:
    filters = {"entity": text_arg("entity"), "actor": text_arg("actor"),
               "action": text_arg("action"), "entity_id": text_arg("entity_id")}
    page = int_arg("page", 1, low=1, high=100_000)
    query = select(AuditEntry)
    for name, value in filters.items():
        if value:
            query = query.where(getattr(AuditEntry, name) == value)
    with read_transaction(sessions()) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        entries = session.exec(query.order_by(col(AuditEntry.id).desc())
                               .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        entities = session.exec(select(AuditEntry.entity).distinct()
                                .order_by(col(AuditEntry.entity))).all()
    return render_template("audit.html", entries=[_row(e) for e in entries], filters=filters,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total,
                           entities=entities)


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {"at": entry.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"), "actor": entry.actor,
            "action": entry.action, "entity": entry.entity, "entity_id": entry.entity_id,
            "changes": _changes(entry.before, entry.after)}


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The fields that changed, as ``field: old → new`` (all fields of a new row)."""
    before, after = before or {}, after or {}
    keys = [k for k in after if before.get(k) != after.get(k)] if before else list(after)
    shown = [f"{k}: {before[k]} → {after.get(k)}" if k in before else f"{k}: {after.get(k)}"
             for k in keys if k not in ("created_at", "updated_at")]
    return shown or (["deleted"] if before and not after else [])
