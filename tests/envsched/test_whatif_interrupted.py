"""A what-if left "running" by a process that died runs again, and shows as failed
(interrupted) until it does, on SQLite and PostgreSQL. The stuck rows are written
straight to the database, as the crashed process left them."""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.db import SessionFactory
from envsched.errors import InvalidState
from envsched.models import WhatIfStatus
from envsched.planning.whatif.claim import MARGIN, claim, write_claimed
from envsched.planning.whatif.service import get_whatif, list_whatifs, run_whatif
from tests.envsched.factories import NOW
from tests.envsched.stuck import dead_owner, elsewhere_owner, stuck_whatif
from tests.envsched.test_whatif import TIME_LIMIT, new_whatif

pytestmark = pytest.mark.usefixtures("state")  # the what-if tests' hand-made state
PAST_LIMIT = dt.timedelta(seconds=TIME_LIMIT) + MARGIN  # how long a run may take at most


def test_a_whatif_whose_process_died_shows_failed_and_runs_again(sessions: SessionFactory) -> None:
    ident = new_whatif(sessions).id
    assert ident is not None
    owner = dead_owner()
    stuck_whatif(
        sessions,
        ident,
        owner=owner,
        started_at=NOW - dt.timedelta(seconds=2),
        time_limit=TIME_LIMIT,
    )
    assert get_whatif(sessions, ident).status == WhatIfStatus.RUNNING  # not seen from now
    shown = get_whatif(sessions, ident, now=NOW)
    assert shown.status == WhatIfStatus.FAILED
    assert shown.error == f"interrupted: the process running it ({owner}) has ended"
    done = run_whatif(sessions, ident, time_limit=TIME_LIMIT, now=NOW)
    assert (done.status, done.error, done.progress and done.progress["step"]) == (
        WhatIfStatus.DONE,
        "",
        "done",
    )


def test_a_stuck_whatif_is_claimed_again_without_being_looked_at_first(
    sessions: SessionFactory,
) -> None:
    ident = new_whatif(sessions).id
    assert ident is not None
    stuck_whatif(sessions, ident, owner=dead_owner(), started_at=NOW, time_limit=TIME_LIMIT)
    assert run_whatif(sessions, ident, time_limit=TIME_LIMIT, now=NOW).status == (WhatIfStatus.DONE)


@pytest.mark.parametrize(
    ("age", "interrupted"),
    [
        (PAST_LIMIT - dt.timedelta(seconds=1), False),  # within its limit and margin: running
        (PAST_LIMIT + dt.timedelta(seconds=1), True),  # past them: interrupted
    ],
)
def test_a_whatif_from_another_host_is_interrupted_only_past_its_limit_and_margin(
    sessions: SessionFactory, age: dt.timedelta, interrupted: bool
) -> None:
    ident = new_whatif(sessions).id
    assert ident is not None
    stuck_whatif(
        sessions, ident, owner=elsewhere_owner(), started_at=NOW - age, time_limit=TIME_LIMIT
    )
    [listed] = list_whatifs(sessions, now=NOW)
    if not interrupted:
        assert listed.status == WhatIfStatus.RUNNING
        with pytest.raises(InvalidState, match="is running"):
            run_whatif(sessions, ident, time_limit=TIME_LIMIT, now=NOW)
        return
    assert listed.status == WhatIfStatus.FAILED
    assert listed.error == "interrupted: not finished 5 minutes after its time limit of 5 s"
    assert run_whatif(sessions, ident, time_limit=TIME_LIMIT, now=NOW).status == (WhatIfStatus.DONE)


def test_a_whatif_stuck_from_before_claims_had_owners_is_interrupted_after_the_margin(
    sessions: SessionFactory,
) -> None:
    ident = new_whatif(sessions).id
    assert ident is not None
    stuck_whatif(
        sessions,
        ident,
        owner=None,
        started_at=NOW - MARGIN - dt.timedelta(seconds=1),
        time_limit=None,
    )
    assert get_whatif(sessions, ident, now=NOW).status == WhatIfStatus.FAILED


def test_a_run_taken_over_as_interrupted_can_no_longer_write(sessions: SessionFactory) -> None:
    ident = new_whatif(sessions).id
    assert ident is not None
    slow = claim(sessions, ident, time_limit=TIME_LIMIT, now=NOW - 2 * PAST_LIMIT)
    fresh = claim(sessions, ident, time_limit=TIME_LIMIT, now=NOW)  # slow looks interrupted
    assert not write_claimed(sessions, slow, status=WhatIfStatus.DONE, error="stale result")
    assert write_claimed(sessions, fresh, progress={"step": "baseline"})
    row = get_whatif(sessions, ident, now=NOW)
    assert (row.status, row.error, row.run_owner) == (WhatIfStatus.RUNNING, "", fresh.owner)
