"""Approving several requests at once from the approvals queue, each to its suggested
slot: one POST (the ticked ``approve`` boxes: ``REQUEST|ENVIRONMENT|YYYY-MM-DD``). The
service checks each approval by the rulebook and the environment's days, approves what
fits and refuses the rest; each refusal is listed naming the rule it broke."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from flask import flash, request

from envsched.booking import Choice, Refusal, approve_many, get_request
from envsched.days import days_text
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from web.auth import current_user, requires
from web.context import now, sessions
from web.queries import RequestRow, request_row
from web.ui.approvals import back_to_queue

# The rules a refusal names, as people say them (rulebook, environment's days, the request).
RULE_WORDS = {
    "capacity": "capacity",
    "changeover": "changeover days",
    "maintenance": "maintenance window",
    "freeze": "change freeze",
    "eligibility": "eligibility",
    "earliest_start": "earliest start",
    "order": "phase order",
    "one_per_phase": "one booking per phase",
    "quota": "team quota",
    "request_days": "request's own days",
    "environment": "known environment",
    "still_open": "open request",
    "not_found": "open request",
}


@requires("requests:decide")
def approve_bulk() -> Any:
    try:
        choices = [_choice(value) for value in request.form.getlist("approve")]
    except ValueError:
        flash(
            "approve: each ticked slot names a request, an environment and a first day; "
            "reload the queue and tick them again.",
            "error",
        )
        return back_to_queue()
    rows = _rows([c.request_id for c in choices])
    try:
        decided = approve_many(sessions(), choices, actor=current_user(), now=now())
    except EnvschedError as exc:
        flash(exc.said, "error")
        return back_to_queue()
    for done in decided.approved:
        flash(f"Approved: {_slot_words(rows, done.choice)}.", "success")
    for refusal in decided.refused:
        flash(refusal_words(rows, refusal), "error")
    return back_to_queue()


def _choice(value: str) -> Choice:
    request_id, environment, day = value.split("|")
    if not environment:
        raise ValueError("no environment")
    return Choice(int(request_id), environment, dt.date.fromisoformat(day))


def _rows(request_ids: Iterable[int]) -> dict[int, RequestRow]:
    found = {}
    with read_transaction(sessions()) as session:
        for request_id in request_ids:
            try:
                found[request_id] = request_row(session, get_request(session, request_id))
            except EnvschedError:
                continue  # the service names it in its refusal
    return found


def _slot_words(rows: dict[int, RequestRow], choice: Choice) -> str:
    """``10 days of PERF for tom on PERF-3, 1–10 Mar 2027``."""
    row = rows.get(choice.request_id)
    if row is None:
        return f"a request that no longer exists, on {choice.environment}"
    end = choice.start + dt.timedelta(days=row.duration_days)
    return f"{row.words} on {choice.environment}, {days_text(choice.start, end)}"


def refusal_words(rows: dict[int, RequestRow], refusal: Refusal) -> str:
    return (
        f"Refused: {_slot_words(rows, refusal.choice)} — {rule_words(refusal.rules)}: "
        f"{refusal.message}."
    )


def rule_words(rules: Sequence[str]) -> str:
    """``the capacity rule``, ``the earliest start and phase order rules``."""
    names = [RULE_WORDS.get(rule, rule.replace("_", " ")) for rule in rules]
    joined = " and ".join(names)
    return f"the {joined} rule{'s' if len(names) > 1 else ''}"
