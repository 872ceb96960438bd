"""The audit log in words: each entry names the thing it is about ("R1-UAT on UAT-2
(3–7 Mar 2027)", "release PAY-4.2", "API token “ci” of erin") and says what changed
("environment: UAT-1 → UAT-2", "days: 3–7 Mar → 10–14 Mar 2027"), never a column
(``release_id: 7``, ``token_hash``).

The entries keep the rows' snapshots as they were; ids in them are turned into names
here, when the log is read (a row deleted since is named by its id's kind only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel

from envsched import notify
from envsched.days import day_text, days_text
from envsched.models import (
    AuditEntry,
    BookingRequest,
    Environment,
    EnvironmentType,
    Phase,
    Release,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseWindow,
    Stack,
    Team,
    User,
)
from envsched.serves import serves_text

# What each kind of row is called, by its table.
ENTITY_WORDS = {
    "booking": "booking",
    "booking_request": "booking request",
    "environment": "environment",
    "environment_type": "environment type",
    "maintenance_window": "maintenance window",
    "freeze": "change freeze",
    "release": "release",
    "phase": "phase",
    "gate": "gate",
    "deployment": "deployment",
    "external_link": "link",
    "release_window": "release window",
    "release_strategy": "release strategy",
    "release_template": "release template",
    "app_user": "user",
    "api_token": "API token",
    "what_if": "what-if",
    "plan_run": "plan run",
    "component": "component",
    # booking series (issue 16)
    "booking_series": "repeating booking",
    "environment_stack": "stack",  # issue 16
    "team": "team",
    "team_quota": "team quota",
}
ACTION_WORDS = {
    "create": "created",
    "update": "changed",
    "delete": "deleted",
    "demo": "loaded with the demo",
    "import": "imported",
    "book": "booked",
    "propose": "proposed",
    "move": "moved",
    "status": "status changed",
    "start": "started",
    "set_role": "role changed",
    "set_password": "password changed",
    "revoke": "revoked",
    "replan_move": "moved by a plan run",
    "replan": "placed by a plan run",
    "reactivate": "reactivated",
    "publish": "published",
    "move_window": "moved with its window",
    "assign_window": "put in a window",
    "gate_define": "gate criteria set",
    "gate_sign": "signed off",
    "gate_veto": "vetoed",
    "gate_waive": "waived",
    "back_out": "backed out",
    "in_use": "in use",
    "check_in": "checked in",
    "no_show": "released: not checked in",
    "no_show_with_stack": "released with its stack: not checked in",
    "sign_in_sso": "signed in with single sign-on",
    "sign_in_sso_refused": "refused by single sign-on",
}
# The fields a reader looks for first, in this order; the rest follow as the row has them.
FIRST = (
    "status",
    "state",
    "reason",
    "environment_id",
    "phase_id",
    "days",
    "role",
    "active",
    "forced_reason",
    "decision_reason",
)
GATE_KINDS = {"entry": "entry", "exit": "exit", "go_no_go": "go/no-go"}
# Columns people are never shown, and why a change to one still shows (in words).
SECRET_FIELDS = {"token_hash": "a new secret", "password_hash": "a new password"}
UNSHOWN_FIELDS = {"id", "created_at", "updated_at", "exclusive", "position"}
# A column holding another row's id: what to call it, and the table it points at.
REFERENCES: dict[str, tuple[str, type[SQLModel]]] = {
    "environment_id": ("environment", Environment),
    "phase_id": ("phase", Phase),
    "release_id": ("release", Release),
    "type_id": ("type", EnvironmentType),
    "environment_type_id": ("type", EnvironmentType),
    "requester_id": ("requested by", User),
    "decided_by_id": ("decided by", User),
    "created_by_id": ("made by", User),
    "user_id": ("user", User),
    "applied_by_id": ("applied by", User),
    "started_by_id": ("started by", User),
    "window_id": ("window", ReleaseWindow),
    "strategy_id": ("strategy", ReleaseStrategy),
    "template_id": ("template", ReleaseTemplate),
    "request_id": ("request", BookingRequest),
    "team_id": ("team", Team),
    "stack_id": ("stack", Stack),
}
FIELD_WORDS = {
    "duration_days": "days needed",
    "earliest_start": "earliest start",
    "latest_end": "must end by",
    "go_live": "go-live",
    "cutoff": "cut-off",
    "changeover_days": "changeover days",
    "forced_reason": "forced because",
    "decision_reason": "decision reason",
    "required_tags": "needs tags",
    "gap_days": "gap days",
    "signoff_role": "signed off by role",
    "signed_by": "signed by",
    "deployed_on": "deployed on",
    "backout_plan": "back-out plan",
    "backed_out": "backed out",
    "full_name": "full name",
    "expires_at": "expires",
    "revoked_at": "revoked",
    "last_used_at": "last used",
    "window_days": "window days",
    "freeze_days": "freeze days",
    "release_type": "release type",
    # environment health
    "health_url": "health check URL",
}


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str
    action: str
    what: str
    changes: list[str]


class Names:
    """Ids to names, looked up once each (a page of the log names the same rows often)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[type[SQLModel], Any], str | None] = {}

    def of(self, table: type[SQLModel], row_id: Any) -> str | None:
        if row_id is None:
            return None
        key = (table, row_id)
        if key not in self.cache:
            row = self.session.get(table, row_id)
            self.cache[key] = None if row is None else _row_name(self.session, row)
        return self.cache[key]

    def asked_why(self, request_id: Any) -> str | None:
        """Why request ``request_id`` asked (a booking for no phase is known by it)."""
        request = self.session.get(BookingRequest, request_id) if request_id else None
        return request.justification if request is not None else None


def _row_name(session: Session, row: SQLModel) -> str:
    if isinstance(row, Phase | Release):
        return row.key
    if isinstance(row, BookingRequest):
        # what it asks for, as its mails say it: a request's number means nothing to people
        return f"the request for {notify.asked_words(session, row)}"
    if isinstance(row, User):
        return row.full_name or row.name
    return str(getattr(row, "name", "") or getattr(row, "id", ""))


def audit_lines(session: Session, entries: list[AuditEntry]) -> list[AuditLine]:
    names = Names(session)
    return [audit_line(names, e) for e in entries]


def audit_line(names: Names, entry: AuditEntry) -> AuditLine:
    snapshot = entry.after or entry.before or {}
    return AuditLine(
        entry.at,
        entry.actor,
        action_words(entry.action),
        what_words(names, entry.entity, snapshot),
        change_words(names, entry.before, entry.after),
    )


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action, action.replace("_", " "))


def entity_words(entity: str) -> str:
    return ENTITY_WORDS.get(entity, entity.replace("_", " "))


# -- the thing an entry is about ----------------------------------------------------------


def what_words(names: Names, entity: str, row: dict[str, Any]) -> str:
    """``booking R1-UAT on UAT-2 (3–7 Mar 2027)``, ``release PAY-4.2`` …; a name that
    says its kind is said alone (``a booking on UAT-7 (…)``)."""
    kind, named = entity_words(entity), _named(names, entity, row)
    return named if named.startswith(f"a {kind} ") else f"{kind} {named}".strip()


def _named(names: Names, entity: str, row: dict[str, Any]) -> str:
    ref = _ref(names, row)
    special: dict[str, Callable[[], str]] = {
        "booking": lambda: (
            f"{ref('phase_id') or _serves(names, row)} on {ref('environment_id')}{_days(row)}"
        ),
        "booking_request": lambda: (
            f"for {ref('phase_id') or ref('environment_type_id')}{_days_needed(row)}"
        ),
        "phase": lambda: str(row.get("key", "")),
        "release": lambda: str(row.get("key", "")),
        "gate": lambda: (
            f"{ref('phase_id') or ref('release_id')} {GATE_KINDS.get(str(row.get('kind')), '')}"
        ),
        "deployment": lambda: f"of {ref('release_id')} on {_day(row.get('deployed_on'))}",
        "external_link": lambda: (
            f"{row.get('system', '')} {row.get('key', '')} of {ref('release_id')}"
        ),
        "api_token": lambda: f"“{row.get('name') or 'unnamed'}” of {ref('user_id')}",
        "maintenance_window": lambda: f"on {ref('environment_id')}{_days(row)}",
        "component": lambda: f"{row.get('name', '')} of {ref('environment_id')}",
        # booking series (issue 16)
        "booking_series": lambda: (
            f"{ref('phase_id') or _serves(names, row)} on {ref('environment_id')}"
        ),
        "team_quota": lambda: f"of {ref('team_id')} for {ref('environment_type_id')}",
    }
    if entity in special:
        return special[entity]()
    return str(row.get("name") or row.get("key") or "")


def _ref(names: Names, row: dict[str, Any]) -> Callable[[str], str | None]:
    return lambda column: names.of(REFERENCES[column][1], row.get(column))


def _serves(names: Names, row: dict[str, Any]) -> str:
    """What a booking (or a series) for no phase serves, as every page says it."""
    return serves_text(None, row.get("note"), names.asked_why(row.get("request_id")))


def _days(row: dict[str, Any]) -> str:
    start, end = row.get("start"), row.get("end")
    return f" ({_span(start, end)})" if start and end else ""


def _days_needed(row: dict[str, Any]) -> str:
    days, first = row.get("duration_days"), row.get("earliest_start")
    return f" ({days} days from {_day(first)})" if days and first else ""


# -- what changed -------------------------------------------------------------------------


def change_words(
    names: Names, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[str]:
    """``field: old → new`` for each field that changed (each field of a new row), in
    words; a deleted row says so."""
    before, after = before or {}, after or {}
    if before and not after:
        return ["deleted"]
    keys = (
        [k for k in after if before.get(k) != after.get(k)]
        if before
        else [k for k in after if after[k] not in (None, "", [])]
    )
    if "start" in keys or "end" in keys:
        keys = [k for k in keys if k not in ("start", "end")] + ["days"]
    keys.sort(key=lambda k: FIRST.index(k) if k in FIRST else len(FIRST))  # what matters first
    said = [_change(names, k, before, after) for k in keys if k not in UNSHOWN_FIELDS]
    return [line for line in said if line]


def _change(names: Names, key: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    if key in SECRET_FIELDS:
        return SECRET_FIELDS[key] if before else ""
    label, value = _label(key), _value_of(names, key)
    old: str | None = None
    if key == "days":
        new = _span(after.get("start"), after.get("end"))
        if before:
            old = _span(before.get("start"), before.get("end"))
    else:
        new = value(after.get(key))
        if key in before:
            old = value(before.get(key))
    return f"{label}: {new}" if old is None else f"{label}: {old} → {new}"


def _label(key: str) -> str:
    if key in REFERENCES:
        return REFERENCES[key][0]
    return FIELD_WORDS.get(key, key.replace("_", " "))


def _value_of(names: Names, key: str) -> Callable[[Any], str]:
    if key in REFERENCES:
        table = REFERENCES[key][1]
        return lambda v: "none" if v is None else (names.of(table, v) or "one since deleted")
    return _value


def _value(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, str):
        return (
            _day(value)
            if _is_date(value)
            else value.replace("_", " ")
            if _is_word(value)
            else value
        )
    return str(value)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return len(text) == 10 or text[10] == "T"


def _is_word(text: str) -> bool:
    """An enum value such as ``in_use``: one lower-case word joined by underscores."""
    return text.replace("_", "").isalpha() and text.islower() and " " not in text


def _day(value: Any) -> str:
    if not value:
        return "none"
    text = str(value)
    day = dt.date.fromisoformat(text[:10])
    return day_text(day) + (f" {text[11:16]} UTC" if len(text) > 10 else "")


def _span(start: Any, end: Any) -> str:
    if not start or not end:
        return "none"
    return days_text(dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end)))
