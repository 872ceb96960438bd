"""The audit log: who changed what, when, and what changed, in words (the thing by its
name, never a column or an id: ``envsched.audit.words``); filtered and paged."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlmodel import col, func, select

from envsched.audit import audit_lines, entity_words
from envsched.db import read_transaction
from envsched.models import AuditEntry
from web.auth import requires
from web.context import sessions
from web.ui.params import int_arg, text_arg

PAGE_SIZE = 50


@requires("audit:read")
def audit_log() -> Any:
    filters = {
        "entity": text_arg("entity"),
        "actor": text_arg("actor"),
        "action": text_arg("action"),
        "entity_id": text_arg("entity_id"),
    }
    page = int_arg("page", 1, low=1, high=100_000)
    query = select(AuditEntry)
    for name, value in filters.items():
        if value:
            query = query.where(getattr(AuditEntry, name) == value)
    with read_transaction(sessions()) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        entries = session.exec(
            query.order_by(col(AuditEntry.id).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        entities = session.exec(
            select(AuditEntry.entity).distinct().order_by(col(AuditEntry.entity))
        ).all()
        lines = audit_lines(session, list(entries))
    return render_template(
        "audit.html",
        entries=lines,
        filters=filters,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        entities=[(e, entity_words(e)) for e in entities],
    )
