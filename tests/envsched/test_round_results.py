"""A plan run's flags and diff are typed records stored as JSON: rows written by older
rounds (before a field existed, or with a key since dropped) still load, and read back
as they were written."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from envsched.db import SessionFactory
from envsched.models import PlanRun, PlanRunStatus, PlanTrigger
from envsched.models.round_results import MovedProposal, PlacedProposal, RoundDiff
from envsched.planning.rounds.apply import acceptable, last_accept, open_proposals
from tests.envsched.factories import NOW

# as a round wrote it before ``pinned``, ``left_out``, ``why`` and ``accepts`` existed,
# with a key no round writes any more (``note``)
OLD_FLAGS: dict[str, Any] = {
    "clashes": [
        {
            "kind": "overbooked",
            "message": "two bookings",
            "start": "2027-01-21",
            "end": "2027-01-22",
            "environment": "UAT-1",
            "release": None,
            "phase": None,
            "booking_ids": [1, 2],
        }
    ],
    "shortfalls": [],
    "late": [{"release": "R2", "late_days": 3, "reason": "", "due": None}],
    "remedies": ["slip R2 by 3 days"],
}
OLD_DIFF: dict[str, Any] = {
    "moved": [
        {
            "booking": 7,
            "phase": "R1-UAT",
            "release": "R1",
            "from": {"environment": "UAT-1", "start": "2027-01-14", "end": "2027-01-19"},
            "to": {"environment": "UAT-2", "start": "2027-01-14", "end": "2027-01-19"},
            "applied": False,
            "note": "kept",
        }
    ],
    "placed": [
        {
            "environment": "UAT-1",
            "start": "2027-02-01",
            "end": "2027-02-05",
            "phase": "R2-UAT",
            "release": "R2",
            "applied": True,
        }
    ],
    "unplaced": [],
}
RAW = sa.table("plan_run", sa.column("id"), sa.column("flags", sa.JSON), sa.column("diff", sa.JSON))


def stored_raw(sessions: SessionFactory, flags: dict[str, Any], diff: dict[str, Any]) -> int:
    """A finished run whose flags and diff are written as plain JSON, past the models."""
    with sessions.begin() as session:
        run = PlanRun(
            trigger=PlanTrigger.SCHEDULED,
            status=PlanRunStatus.DONE,
            started_at=NOW,
            finished_at=NOW,
        )
        session.add(run)
        session.flush()
        session.execute(sa.update(RAW).where(RAW.c.id == run.id).values(flags=flags, diff=diff))
        return run.id or 0


def read_run(sessions: SessionFactory, run_id: int) -> PlanRun:
    with sessions() as session:
        return session.get_one(PlanRun, run_id)


def test_a_run_written_in_the_old_shape_reads_back_typed(sessions: SessionFactory) -> None:
    run = read_run(sessions, stored_raw(sessions, OLD_FLAGS, OLD_DIFF))
    assert run.flags is not None and run.diff is not None
    assert [c.booking_ids for c in run.flags.clashes] == [[1, 2]]
    assert run.flags.pinned == [] and run.flags.left_out == []
    [moved] = run.diff.moved
    assert isinstance(moved, MovedProposal) and moved.before.environment == "UAT-1"
    assert moved.why == "" and run.diff.gain == "" and last_accept(run) is None
    assert isinstance(run.diff.placed[0], PlacedProposal)
    assert open_proposals(run) == 1 and acceptable(run)


def test_a_run_in_the_old_shape_keeps_every_key_it_was_written_with(
    sessions: SessionFactory,
) -> None:
    run = read_run(sessions, stored_raw(sessions, OLD_FLAGS, OLD_DIFF))
    assert run.diff is not None and run.diff.stored()["moved"][0]["note"] == "kept"
    assert run.diff.stored()["placed"] == OLD_DIFF["placed"]  # no "refused" while none


def test_a_run_still_running_has_no_flags_and_no_diff(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        run = PlanRun(trigger=PlanTrigger.API, started_at=NOW)
        session.add(run)
    stored = read_run(sessions, run.id or 0)
    assert (stored.flags, stored.diff) == (None, None)
    assert open_proposals(stored) == 0 and not acceptable(stored)
    with sessions() as session:
        raw = session.execute(sa.select(RAW.c.flags, RAW.c.diff).where(RAW.c.id == run.id))
        assert tuple(raw.one()) == ({}, {})


def test_a_diff_without_the_fields_a_proposal_needs_is_refused() -> None:
    with pytest.raises(ValidationError, match="booking"):
        RoundDiff.model_validate({"moved": [{"phase": "R1-UAT", "release": "R1"}]})
