"""Explanations: why a phase is unplaced, why a release is late, in a planner's words."""

from __future__ import annotations

from solver.explain import MAX_CHARS, explain_late, explain_unplaced, weeks
from solver.greedy import dispatch, fcfs_order, greedy_plan
from solver.options import Options
from solver.plan import Assignment
from solver.scenario import Scenario
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
    make_phase,
    make_release,
    make_scenario,
)


def greedy_assignments(scenario: Scenario) -> list[Assignment]:
    assignments, _unplaced = dispatch(scenario, fcfs_order(scenario))
    return assignments


def unplaced_reasons(scenario: Scenario) -> dict[str, str]:
    _assignments, unplaced = dispatch(scenario, fcfs_order(scenario))
    return {u.phase: u.reason for u in unplaced}


# -- unplaced phases ----------------------------------------------------------------------


def test_unplaced_names_the_missing_environment_type():
    scenario = make_scenario(releases=[make_release("R1", [("PERF", 3)])])
    assert explain_unplaced(scenario, "R1-PERF", []) == "no environment of type PERF"


def test_unplaced_names_the_tags_no_environment_carries():
    phases = (make_phase("R1-SIT", requires_tags=["mainframe", "pci"]),)
    scenario = make_scenario(
        [make_environment(tags=["mainframe"])], [make_release("R1", phase_objects=phases)]
    )
    text = explain_unplaced(scenario, "R1-SIT", [])
    assert "carries tags" in text and "mainframe" in text and "pci" in text


def test_unplaced_names_the_environment_list_when_none_listed_fits():
    phases = (make_phase("R1-SIT", environments=["UAT-1"]),)
    envs = [make_environment(), make_environment("UAT-1", "UAT")]
    scenario = make_scenario(envs, [make_release("R1", phase_objects=phases)])
    assert "in the list UAT-1" in explain_unplaced(scenario, "R1-SIT", [])


def test_unplaced_names_the_unplaced_predecessor():
    scenario = make_scenario(
        [make_environment(), make_environment("UAT-1", "UAT")],
        [make_release("R1", [("PERF", 3), ("UAT", 2)])],
    )
    assert explain_unplaced(scenario, "R1-UAT", []) == "predecessor R1-PERF is unplaced"


def test_unplaced_on_a_full_environment_names_its_releases_and_weeks():
    # 2027-01-04 is the Monday of ISO week 1; R1 and R2 fill weeks 1 to 4
    releases = [
        make_release("R1", [("SIT", 14)]),
        make_release("R2", [("SIT", 14)]),
        make_release("R3", [("SIT", 5)]),
    ]
    scenario = make_scenario(releases=releases, horizon_days=30)
    reason = unplaced_reasons(scenario)["R3-SIT"]
    assert "SIT-1 busy with R1, R2" in reason and "weeks 1–4" in reason


def test_unplaced_on_a_blocked_environment_names_the_window_reason():
    scenario = make_scenario([make_environment(unavailable=[(3, 60, "decommissioning")])])
    reason = unplaced_reasons(scenario)["R1-SIT"]
    assert "SIT-1" in reason and "unavailable 'decommissioning'" in reason


def test_unplaced_in_a_freeze_says_frozen_and_names_the_freeze():
    scenario = make_scenario(freezes=[make_freeze(2, 60, reason="year-end")])
    reason = unplaced_reasons(scenario)["R1-SIT"]
    assert "frozen" in reason and "year-end" in reason


def test_unplaced_reason_stays_short_with_many_environments():
    envs = [make_environment(f"SIT-{i}", unavailable=[(i, 60, f"patch {i}")]) for i in range(40)]
    scenario = make_scenario(envs, [make_release("R1", [("SIT", 45)])])
    reason = unplaced_reasons(scenario)["R1-SIT"]
    assert len(reason) <= MAX_CHARS + 20 and "more" in reason


def test_unplaced_before_a_pinned_successor_says_when_it_had_to_be_done():
    envs = [make_environment(), make_environment("UAT-1", "UAT")]
    releases = [make_release("R1", [("SIT", 5), ("UAT", 3)]), make_release("R2", [("SIT", 10)])]
    scenario = make_scenario(
        envs,
        releases,
        bookings=[
            make_booking("R2-SIT", "SIT-1", 0, pinned=True),
            make_booking("R1-UAT", "UAT-1", 6, pinned=True),
        ],
    )
    reason = unplaced_reasons(scenario)["R1-SIT"]
    assert "pinned successors" in reason and "busy with R2" in reason
    plan = greedy_plan(scenario, Options(method="greedy"))
    assert plan.status == "FEASIBLE" and plan.clashes is not None
    [clash] = plan.clashes  # R1-UAT is kept all the same, its clash says why it stands alone
    assert (clash.phase, clash.rule, clash.involves) == ("R1-UAT", "order", ("R1-SIT",))
    assert clash.message.endswith(reason)


# -- late releases ------------------------------------------------------------------------


def test_late_release_that_waited_names_the_environments_and_who_held_them():
    releases = [
        make_release("R3", [("UAT", 14)], due=30),
        make_release("R7", [("SIT", 3), ("UAT", 5)], due=10),
    ]
    envs = [make_environment(), make_environment("UAT-1", "UAT")]
    scenario = make_scenario(envs, releases)
    text = explain_late(scenario, "R7", greedy_assignments(scenario))
    assert text.startswith("R7 late by 9 days")
    assert "R7-UAT waited 11 days for UAT" in text and "UAT-1" in text and "R3" in text
    assert "week" in text


def test_late_release_blocked_by_a_freeze_says_so():
    scenario = make_scenario(
        releases=[make_release("R7", [("SIT", 5)], due=5)],
        freezes=[make_freeze(0, 4, reason="year-end")],
    )
    text = explain_late(scenario, "R7", greedy_assignments(scenario))
    assert "R7-SIT could not start before the freeze 'year-end' ended" in text


def test_late_release_with_too_much_work_says_how_much_from_when():
    phases_of = [("SIT", 10), ("UAT", 10)]
    scenario = make_scenario(
        [make_environment(), make_environment("UAT-1", "UAT")],
        [make_release("R1", phases_of, earliest_start=3, due=15)],
    )
    text = explain_late(scenario, "R1", greedy_assignments(scenario))
    assert text.startswith("R1 late by 8 days")
    assert "need 20 days of work" in text and "2027-01-07" in text and "2027-01-19" in text


def test_late_release_walks_back_past_phases_that_started_on_time():
    # R7-SIT waits for R1; R7-UAT starts right after it and so is not the cause
    releases = [
        make_release("R1", [("SIT", 6)]),
        make_release("R7", [("SIT", 3), ("UAT", 3)], due=6),
    ]
    scenario = make_scenario([make_environment(), make_environment("UAT-1", "UAT")], releases)
    text = explain_late(scenario, "R7", greedy_assignments(scenario))
    assert "R7-SIT waited 6 days for SIT" in text and "R1" in text
    assert "R7-UAT" not in text


def test_greedy_plan_puts_the_explanation_on_each_late_release():
    releases = [make_release("R1", [("SIT", 6)]), make_release("R2", [("SIT", 6)], due=8)]
    plan = greedy_plan(make_scenario(releases=releases), Options(method="greedy"))
    outcome = {o.id: o for o in plan.releases}["R2"]
    assert outcome.late_days == 4 and outcome.reason.startswith("R2 late by 4 days")


def test_weeks_are_iso_weeks_of_the_real_dates():
    scenario = make_scenario()  # starts on Monday 2027-01-04, ISO week 1
    assert weeks(scenario, 0, 7) == "week 1"
    assert weeks(scenario, 5, 20) == "weeks 1–3"
