"""The search behind the header's box: releases, phases, environments and bookings found
by name or key, each linked to its page. Only the kinds the person may read are searched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for

from envsched.db import read_transaction
from envsched.errors import InvalidInput
from envsched.insight import KINDS, PER_KIND, Hit, search
from envsched.permissions import can
from web.auth import current_user, requires
from web.context import sessions, today

# kind -> (the permission that reads it, the heading of its results)
READS = {
    "release": ("releases:read", "Releases"),
    "phase": ("releases:read", "Phases"),
    "environment": ("environments:read", "Environments"),
    "booking": ("bookings:read", "Bookings"),
}


# one kind's results on a page of their own ("all phases found"), at most this many
ALL_OF_A_KIND = 200


@requires("search:read")
def search_page() -> Any:
    text = request.args.get("q", "")
    if not text.strip():
        return render_template("search.html", text="", found=None, error="")
    kinds = [k for k in KINDS if can(current_user(), READS[k][0])]
    only = request.args.get("kind", "")
    kinds = [only] if only in kinds else kinds
    shown = ALL_OF_A_KIND if len(kinds) == 1 else PER_KIND
    try:
        with read_transaction(sessions()) as session:
            # one more than shown: whether to say "more"
            hits = search(session, text, today=today(), kinds=kinds, limit=shown + 1)
    except InvalidInput as exc:
        return render_template("search.html", text=text, found=None, error=exc.problem), 400
    found = [_of_kind(k, [h for h in hits if h.kind == k], shown) for k in kinds]
    return render_template(
        "search.html",
        text=text,
        found=found,
        error="",
        href=href,
        count=sum(len(f.hits) for f in found),
        more=any(f.more for f in found),
        only=only if len(kinds) == 1 else "",
    )


@dataclass(frozen=True)
class Found:
    """One kind's results: ``more`` when more match than the page shows."""

    kind: str
    heading: str
    hits: list[Hit]
    more: bool


def _of_kind(kind: str, hits: list[Hit], shown: int) -> Found:
    return Found(kind, READS[kind][1], hits[:shown], len(hits) > shown)


def href(hit: Hit) -> str:
    """The page of what was found (a phase: its release's page)."""
    if hit.kind == "environment":
        return url_for("ui.environment_detail", name=hit.key)
    if hit.kind == "booking":
        return url_for("ui.booking_detail", booking_id=int(hit.key))
    return url_for("ui.release_detail", key=hit.key)
