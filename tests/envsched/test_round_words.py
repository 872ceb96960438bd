"""A round's words: how much of its plan is in place, said from what its proposals record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from envsched.models import PlanRun, PlanRunStatus, PlanTrigger
from envsched.models.round_results import PlacedProposal, RoundDiff
from envsched.planning import applied_words
from envsched.planning.rounds.words import auto_apply_words

AT = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
APPLIED_AT = dt.datetime(2026, 12, 3, 2, 10, tzinfo=dt.UTC)


def run_of(*states: str, status: PlanRunStatus = PlanRunStatus.DONE, **fields: Any) -> PlanRun:
    """A run whose proposals are each ``applied``, ``refused``, ``open``, ``dropped`` or
    ``refused dropped``."""
    proposals = [
        PlacedProposal(
            environment="UAT-1",
            start="2027-03-01",
            end="2027-03-06",
            phase=f"R{n}-UAT",
            release=f"R{n}",
            applied=state == "applied",
            refused="the environment is fully booked" if "refused" in state else None,
            dropped=True if state.endswith("dropped") else None,
        )
        for n, state in enumerate(states)
    ]
    fields.setdefault("trigger", PlanTrigger.SCHEDULED)
    return PlanRun(
        status=status,
        started_at=AT,
        diff=RoundDiff(placed=proposals),
        **fields,
    )


@pytest.mark.parametrize(
    ("states", "said"),
    [
        (["applied"] * 70 + ["refused"], "70 of 71 applied, 1 refused"),
        (["applied", "open", "open"], "1 of 3 applied"),
        (["refused", "refused"], "none of 2 applied, 2 refused"),
        (["open", "open"], "none yet"),
        (["applied"] * 70 + ["refused dropped"], "70 of 71 applied, 1 dropped"),
        (["applied", "refused", "dropped"], "1 of 3 applied, 1 refused, 1 dropped"),
        (["dropped"], "none of 1 applied, 1 dropped"),
        ([], "nothing to apply"),
    ],
)
def test_a_run_says_how_many_of_its_proposals_applied(states: list[str], said: str) -> None:
    assert applied_words(run_of(*states)) == said


def test_a_run_whose_proposals_all_applied_says_when() -> None:
    every = run_of(*["applied"] * 71, applied=True, applied_at=APPLIED_AT)
    assert applied_words(every) == "all 71 applied, 3 Dec 2026, 02:10 UTC"
    assert applied_words(run_of("applied", applied_at=APPLIED_AT)) == (
        "applied, 3 Dec 2026, 02:10 UTC"
    )


def test_a_dry_run_or_a_run_without_a_plan_has_nothing_to_apply() -> None:
    assert applied_words(run_of("open", dry_run=True)) == "nothing to apply (a dry run)"
    assert applied_words(run_of(status=PlanRunStatus.FAILED)) == "—"


@pytest.mark.parametrize(
    ("trigger", "cause", "said"),
    [
        (PlanTrigger.MANUAL, "", "auto-apply of a re-plan started at a terminal"),
        (PlanTrigger.SCHEDULED, "", "auto-apply of the nightly round"),
        (
            PlanTrigger.API,
            "window 2027-03 moved",
            "auto-apply of the round after window 2027-03 moved",
        ),
    ],
)
def test_an_accept_nobody_made_is_the_runs_own_auto_apply(
    trigger: PlanTrigger, cause: str, said: str
) -> None:
    """Named as the run's "Started by" names it, never as another round."""
    assert auto_apply_words(run_of(trigger=trigger, cause=cause)) == said
