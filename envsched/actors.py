"""What acted, when it was not a person's own doing, as people name it.

The audit log records it as an entry's actor (``audit.record(by=...)``) and a
notification says it ("booked from the waitlist"), so it is named once, here.
"""

from __future__ import annotations

from envsched.models import User

SYSTEM_ACTOR = "system"  # no person, and nothing named: a script at a terminal
NIGHTLY_ROUND = "the nightly round"
WAITLIST = "the waitlist"


def plan_actor(accepted_by: User | None) -> str:
    """What acts when a plan is applied: a plan a person accepted, or the nightly round
    (which accepts its own plan when set to)."""
    return f"a plan {accepted_by.name} accepted" if accepted_by else NIGHTLY_ROUND
