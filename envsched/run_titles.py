"""A planning round's title, as people know it: by what it was and when, never by its
number. It sits below planning and notify alike, so a round's mail and its pages name it
the same way."""

from __future__ import annotations

from envsched.models import PlanRun, PlanTrigger


def run_title(run: PlanRun) -> str:
    """A round by what it was and when, never by its number: "Nightly re-plan of 3 Dec
    2026, 02:00", "Dry run of 3 Dec 2026, 18:33" (UTC, as pages give times)."""
    kind = (
        "Dry run"
        if run.dry_run
        else "Nightly re-plan"
        if run.trigger == PlanTrigger.SCHEDULED
        else "Re-plan"
    )
    at = run.started_at
    return f"{kind} of {at.day} {at:%b %Y, %H:%M}"
