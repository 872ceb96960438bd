"""The release status flow as rules, and the one place a release's status changes.

    draft → planned → in_test → ready → deployed → backed_out
    (and back a step: planned → draft, in_test → planned, ready → in_test;
     cancelled from anything not yet deployed; a backed-out release may be planned again)

``step`` is used by every way a status changes (the lifecycle verbs, a release update,
an import), so each change is checked against the flow and against the gates it needs
(``gate_rules``: ready and deployed wait for their sign-offs), audited, kept in the status
history, and — for ``cancelled`` — gives back what the release holds
(``release_cancel``). ``record_status`` also writes a release's *first* status, whichever
way the release was made.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from envsched import audit
from envsched.errors import InvalidState
from envsched.lifecycle.cancel import Withdrawn, withdraw_release
from envsched.lifecycle.gate_rules import check_status
from envsched.models import Release, ReleaseStatus, ReleaseStatusChange, User

S = ReleaseStatus
NEXT: dict[ReleaseStatus, tuple[ReleaseStatus, ...]] = {
    S.DRAFT: (S.PLANNED, S.CANCELLED),
    S.PLANNED: (S.IN_TEST, S.DRAFT, S.CANCELLED),
    S.IN_TEST: (S.READY, S.PLANNED, S.CANCELLED),
    S.READY: (S.DEPLOYED, S.IN_TEST, S.CANCELLED),
    S.DEPLOYED: (S.BACKED_OUT,),
    S.BACKED_OUT: (S.PLANNED, S.CANCELLED),
    S.CANCELLED: (),
}
# Reached only with their record: a deployment, a back-out.
BY_RECORD = {S.DEPLOYED: "record a deployment", S.BACKED_OUT: "back out its deployment"}


class InvalidTransition(InvalidState):
    """The release's status does not lead to the requested one."""

    code = "invalid_transition"

    def __init__(
        self, key: str, current: ReleaseStatus, requested: ReleaseStatus, hint: str = ""
    ) -> None:
        allowed = ", ".join(s.value for s in NEXT[current]) or "none"
        super().__init__(
            f"release {key} is {current.value} and cannot become {requested.value}"
            f"{hint} (from {current.value}: {allowed})",
            fields={"status": f"{current.value} → {requested.value} is not allowed"},
        )
        self.current, self.requested = current, requested


def check_plain_step(release: Release, status: ReleaseStatus) -> None:
    """Refuse a status that only its record may set (a deployment, a back-out)."""
    if status in BY_RECORD:
        raise InvalidTransition(release.key, release.status, status, f": {BY_RECORD[status]}")


def step(
    session: Session,
    release: Release,
    status: ReleaseStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str,
) -> Withdrawn:
    """Move ``release`` one step along the flow, inside the caller's transaction; what a
    cancellation gave back (nothing for any other step)."""
    if status not in NEXT[release.status]:
        raise InvalidTransition(release.key, release.status, status)
    check_status(session, release, status)
    before, previous = audit.snapshot(release), release.status
    release.status = status
    audit.record(session, actor=actor, now=now, action="status", row=release, before=before)
    record_status(session, release, previous, actor=actor, now=now, reason=reason)
    if status == S.CANCELLED:
        return withdraw_release(session, release, actor=actor, now=now, reason=reason)
    return Withdrawn()


def record_status(
    session: Session,
    release: Release,
    previous: ReleaseStatus | None,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> None:
    """Add one step of history (inside the caller's transaction; the row has an id).
    ``previous`` None: the release's first status."""
    session.flush()
    assert release.id is not None
    session.add(
        ReleaseStatusChange(
            release_id=release.id,
            from_status=previous,
            to_status=release.status,
            at=now,
            by=actor_name(actor),
            reason=reason,
        )
    )


def actor_name(actor: User | None) -> str:
    return actor.name if actor else audit.SYSTEM_ACTOR
