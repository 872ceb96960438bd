"""What the working timeline draws, as plain JSON-ready data: lanes and items.

Pure functions from query rows (``web.queries``) to the shapes ``timeline.js`` hands
to vis-timeline: one lane (a vis *group*) per environment, one item per booking, and a
shaded background item per maintenance window or freeze on each lane it blocks. No
database and no request here, so the queries behind them can change (paging, windowing)
without touching the drawing, and tests assert on the data, not on HTML.

Labels are words people use: a booking is its phase (or the first line of its note),
its tooltip adds the release, environment, days and status; never "booking 23".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from markupsafe import escape

from envsched.booking import has_past_days
from envsched.days import days_length_text
from envsched.health import HealthOut, state_text
from envsched.inventory import natural_key
from envsched.models import Environment
from web.queries import BlockedRow, BookingRow

Item = dict[str, Any]
STATUS_WORDS = {
    "tentative": "tentative (proposed by the planner)",
    "confirmed": "confirmed",
    "in_use": "in use",
    "released": "handed back",
    "cancelled": "cancelled",
}
# The rules a move or a booking can break, as the refusal names them to people: the
# rulebook's (envsched.booking.rulebook) and the environment's own (availability).
RULE_WORDS = {
    "eligibility": "the phase cannot use this environment",
    "earliest_start": "too early for the phase",
    "order": "phase order",
    "one_per_phase": "one booking per phase",
    "quota": "team quota",
    "capacity": "the environment is full",
    "changeover": "changeover days between releases",
    "maintenance": "maintenance window",
    "freeze": "change freeze",
    "retired": "the environment is retired",
    "tags": "tags",
    "type": "environment type",
    "environments": "allowed environments",
}


def natural_order(environments: Iterable[Environment]) -> list[Environment]:
    """Environments as lanes are read: ``SIT-2`` before ``SIT-10``."""
    return sorted(environments, key=lambda env: natural_key(env.name))


def lanes(
    environments: Sequence[Environment], down: Mapping[str, HealthOut] | None = None
) -> list[Item]:
    """One lane per environment, in the order given (``order`` keeps it in vis); one
    that ``down`` names (its health check finds it down) carries a "down" badge."""
    down = down or {}
    return [_lane(env, index, down.get(env.name)) for index, env in enumerate(environments)]


def _lane(env: Environment, index: int, down: HealthOut | None) -> Item:
    lane: Item = {
        "id": env.name,
        "content": str(escape(env.name)),
        "order": index,
        "title": str(escape(_lane_title(env, down))),
    }
    if down is not None:
        lane["content"] += ' <span class="lane-down">down</span>'
        lane["className"] = "health-down"
    return lane


def _lane_title(env: Environment, down: HealthOut | None = None) -> str:
    tags = f", tags {', '.join(env.tags)}" if env.tags else ""
    said = f"{env.name}: {env.type.name}, room for {env.capacity} at a time{tags}"
    if down is not None:
        said += f"; health check: {state_text(down.state, down.since, down.detail)}"
    return said


def booking_items(
    rows: Sequence[BookingRow],
    clash_ids: Collection[int],
    *,
    movable: bool,
    today: dt.date,
    page: str = "/bookings/{id}",
    release: str | None = None,
) -> list[Item]:
    """One item per booking. ``movable``: the viewer may move bookings; even then one in
    use, or one whose first day is past, stays put (the move service refuses it). ``page``:
    a booking's page, ``{id}`` standing for its id. ``release``: the one the reader
    chose; other bookings are marked ``other-release`` (drawn faded)."""
    return [
        booking_item(
            row,
            row.id in clash_ids,
            movable=movable and not has_past_days(row.status, row.start, today),
            page=page.replace("{id}", str(row.id)),
            other=release is not None and row.release != release,
        )
        for row in rows
    ]


def booking_item(
    row: BookingRow, clash: bool, *, movable: bool, page: str, other: bool = False
) -> Item:
    kind = "clash" if clash else ("tentative" if row.status == "tentative" else "booked")
    title = booking_title(row, clash) + ("\nnot the release shown" if other else "")
    return {
        "id": row.id,
        "group": row.environment,
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        "content": _content(row, page),
        "label": row.serves,
        "title": str(escape(title)).replace("\n", "<br>"),
        "className": f"booking {kind}"
        + (" movable" if movable else "")
        + (" other-release" if other else ""),
        "editable": movable,
    }


def _content(row: BookingRow, page: str) -> str:
    """A link to the booking's page (a keyboard reaches each bar), holding the full label
    and a short one that ``timeline.js`` shows when the bar is too narrow; the link is
    named by the full label either way (the short one is hidden from screen readers)."""
    return (
        f'<a class="bar-link" href="{escape(page)}" draggable="false" '
        f'aria-label="{escape(row.serves)}">'
        f'<span class="label-full">{escape(row.serves)}</span>'
        f'<span class="label-short" aria-hidden="true">{escape(short_label(row))}</span>'
        f"</a>"
    )


def short_label(row: BookingRow) -> str:
    """What fits a bar of a few days: the release's key (``R7`` of ``R7-UAT``: on a lane,
    or a timeline filtered to one type, the type part would read the same on every bar),
    or the label's first word."""
    if row.release:
        return row.release
    first = row.serves.split()[0] if row.serves.split() else row.serves
    return first[:8]


def booking_title(row: BookingRow, clash: bool) -> str:
    """The tooltip: the booking in words, one fact a line."""
    lines = [
        row.serves + (f", release {row.release}" if row.release else ""),
        f"{row.environment}: {days_length_text(row.start, row.end)}",
        STATUS_WORDS.get(row.status, row.status)
        + (f", asked for by {row.requester}" if row.requester else ""),
    ]
    if clash:
        lines.append("in a clash: open it to see with what")
    if row.forced_reason:
        lines.append(f"kept against a rule: {row.forced_reason}")
    return "\n".join(lines)


def blocked_items(rows: Sequence[BlockedRow]) -> list[Item]:
    """A shaded background per maintenance window or freeze, on the lane it blocks."""
    return [
        {
            "id": f"{row.kind}:{row.environment}:{row.start.isoformat()}:{index}",
            "group": row.environment,
            "start": row.start.isoformat(),
            "end": row.end.isoformat(),
            "type": "background",
            "className": f"blocked {row.kind}",
            "content": str(escape(_blocked_label(row))),
            "title": str(escape(_blocked_title(row))),
        }
        for index, row in enumerate(rows)
    ]


def _blocked_label(row: BlockedRow) -> str:
    return f"Freeze: {row.label}" if row.kind == "freeze" else f"Maintenance: {row.label}"


def _blocked_title(row: BlockedRow) -> str:
    why = f" ({row.reason})" if row.reason and row.reason != row.label else ""
    return (
        f"{_blocked_label(row)}{why}; {row.environment}: "
        f"{days_length_text(row.start, row.end)}; no booking on these days"
    )
