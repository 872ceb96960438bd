"""What differs between a what-if's two plans: moved, added and dropped phases."""

from __future__ import annotations

import datetime as dt

from envsched.planning.whatif.differences import Place, plan_differences


def assignment(phase: str, environment: str, start: str, end: str) -> dict[str, str]:
    return {
        "phase": phase,
        "release": phase.split("-")[0],
        "environment": environment,
        "start": start,
        "end": end,
    }


BASELINE = {
    "assignments": [
        assignment("R1-SIT", "SIT-1", "2027-01-04", "2027-01-14"),  # stays
        assignment("R1-UAT", "UAT-1", "2027-01-14", "2027-01-19"),  # another environment
        assignment("R2-SIT", "SIT-1", "2027-01-14", "2027-01-24"),  # other days
        assignment("R3-UAT", "UAT-1", "2027-02-01", "2027-02-06"),  # no place in the what-if
    ]
}
WHATIF = {
    "assignments": [
        assignment("R1-SIT", "SIT-1", "2027-01-04", "2027-01-14"),
        assignment("R1-UAT", "UAT-9", "2027-01-14", "2027-01-19"),
        assignment("R2-SIT", "SIT-1", "2027-01-18", "2027-01-28"),
        assignment("R4-UAT", "UAT-9", "2027-01-20", "2027-01-25"),  # placed only in the what-if
    ],
    "unplaced": [{"phase": "R3-UAT", "release": "R3", "reason": "UAT-1 is retired"}],
}


def test_each_phase_is_moved_added_dropped_or_unchanged_the_changes_first() -> None:
    found = plan_differences(BASELINE, WHATIF)
    assert [(d.kind, d.phase) for d in found] == [
        ("moved", "R1-UAT"),
        ("moved", "R2-SIT"),
        ("added", "R4-UAT"),
        ("dropped", "R3-UAT"),
        ("unchanged", "R1-SIT"),
    ]
    moved = found[0]
    assert moved.before == Place("UAT-1", dt.date(2027, 1, 14), dt.date(2027, 1, 19))
    assert moved.after is not None and moved.after.environment == "UAT-9"


def test_the_differences_read_as_sentences_with_days_people_read() -> None:
    words = [d.words for d in plan_differences(BASELINE, WHATIF)]
    assert words[:4] == [
        "R1-UAT moves from UAT-1, 14–18 Jan 2027 to UAT-9, 14–18 Jan 2027",
        "R2-SIT moves from SIT-1, 14–23 Jan 2027 to SIT-1, 18–27 Jan 2027",
        "R4-UAT gets a place: UAT-9, 20–24 Jan 2027",
        "R3-UAT loses its place (UAT-1, 1–5 Feb 2027): UAT-1 is retired",
    ]


def test_two_equal_plans_differ_in_nothing() -> None:
    assert {d.kind for d in plan_differences(BASELINE, BASELINE)} == {"unchanged"}
    assert plan_differences({}, {}) == []
