"""The search behind the header's box: releases, phases, environments and bookings found
by name or key, each linked to its page. Only the kinds the person may read are searched."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from envsched.db import read_transaction
from envsched.errors import InvalidInput
from envsched.insight import KINDS, Hit, search
from envsched.permissions import can
from web.auth import current_user, requires
from web.context import sessions

# kind -> (the permission that reads it, the heading of its results)
READS = {
    "release": ("releases:read", "Releases"),
    "phase": ("releases:read", "Phases"),
    "environment": ("environments:read", "Environments"),
    "booking": ("bookings:read", "Bookings"),
}


@requires("search:read")
def search_page() -> Any:
    text = request.args.get("q", "")
    if not text.strip():
        return render_template("search.html", text="", found=None, error="")
    kinds = [k for k in KINDS if can(current_user(), READS[k][0])]
    try:
        with read_transaction(sessions()) as session:
            hits = search(session, text, kinds=kinds)
    except InvalidInput as exc:
        return render_template("search.html", text=text, found=None, error=exc.problem), 400
    found = [(READS[k][1], [h for h in hits if h.kind == k]) for k in kinds]
    return render_template(
        "search.html", text=text, found=found, error="", href=href, count=len(hits)
    )


def href(hit: Hit) -> str:
    """The page of what was found (a phase: its release's page)."""
    if hit.kind == "environment":
        return url_for("ui.environment_detail", name=hit.key)
    if hit.kind == "booking":
        return url_for("ui.booking_detail", booking_id=int(hit.key))
    return url_for("ui.release_detail", key=hit.key)
