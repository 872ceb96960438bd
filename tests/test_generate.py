"""The scenario generator, the demo scenario and the job-shop converter of the benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.jobshop_convert import (
    UnsupportedInstance,
    expand_selection,
    load_instance,
    read_fjsp,
    read_jsp,
    to_scenario,
)
from envsched.generate import HIGH_CONTENTION, LONGEST_CONTENDED_DAYS, generate_scenario
from solver import plan
from solver.greedy import greedy_plan
from solver.options import Options
from solver.plan import Plan
from solver.scenario import Scenario
from solver.scenario_file import load_scenario, parse_scenario, scenario_to_dict
from solver.validate import validate

ROOT = Path(__file__).resolve().parent.parent
GREEDY = Options(method="greedy")

# Fisher & Thompson's ft06 (optimum 55) and Hurink's rdata version of it (optimum 47),
# as in /work/shared/bench/jsp/ft06.txt and fjsp/rdata-mt06.fjs
FT06 = """6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
"""
RDATA_MT06 = """6 6 2
6 1 3 1 1 1 3 2 2 6 3 6 2 4 7 1 7 2 6 3 2 3 2 5 6 4 6
6 3 2 8 6 8 1 8 3 3 5 2 5 5 5 3 5 10 3 10 2 10 2 6 10 5 10 2 1 10 2 10 2 4 4 6 4
6 3 3 5 2 5 4 5 2 4 4 5 4 1 6 8 1 1 9 3 2 1 5 1 3 1 3 5 7 4 7 6 7
6 1 2 5 3 1 5 2 5 4 5 1 3 5 2 4 3 6 3 1 5 8 1 6 9
6 3 3 9 2 9 4 9 2 2 3 6 3 3 5 5 4 5 2 5 1 6 4 3 1 3 4 3 2 3 1 4 1
6 3 2 3 4 3 3 3 2 4 3 5 3 1 6 9 3 1 10 4 10 2 10 3 5 4 4 4 3 4 2 3 1 5 1
"""


@pytest.fixture(scope="module")
def mid_size() -> Scenario:
    return generate_scenario(120, 20, seed=7)


def assert_valid(scenario: Scenario, result: Plan) -> None:
    assert result.has_plan, result.reason
    assert validate(scenario, result) == []


# -- generator ------------------------------------------------------------------------


def test_generator_gives_the_same_scenario_for_the_same_seed() -> None:
    assert generate_scenario(40, 10, seed=3) == generate_scenario(40, 10, seed=3)
    assert generate_scenario(40, 10, seed=3) != generate_scenario(40, 10, seed=4)


def test_contention_gives_the_same_scenario_for_the_same_seed_with_longer_phases() -> None:
    usual = generate_scenario(40, 10, seed=3)
    high = generate_scenario(40, 10, seed=3, contention=HIGH_CONTENTION)
    assert high == generate_scenario(40, 10, seed=3, contention=HIGH_CONTENTION)
    assert generate_scenario(40, 10, seed=3, contention=1.0) == usual
    pairs = list(zip(usual.phases, high.phases, strict=True))
    assert all(a.id == b.id and a.duration <= b.duration for a, b in pairs)
    assert sum(b.duration for _a, b in pairs) > 1.2 * sum(a.duration for a, _b in pairs)
    assert all(b.duration <= max(a.duration, LONGEST_CONTENDED_DAYS) for a, b in pairs)


def test_contention_must_be_positive() -> None:
    with pytest.raises(ValueError, match="contention"):
        generate_scenario(10, 5, contention=0)


@pytest.mark.parametrize(("releases", "environments"), [(1, 4), (15, 5), (120, 20)])
def test_generator_makes_the_requested_numbers_of_releases_and_environments(
    releases: int, environments: int
) -> None:
    scenario = generate_scenario(releases, environments)
    assert len(scenario.releases) == releases
    assert len(scenario.environments) == environments
    assert {"SIT", "UAT", "PERF", "STAGING"} <= {env.type for env in scenario.environments}


def test_generator_refuses_an_estate_without_one_environment_of_each_main_type() -> None:
    with pytest.raises(ValueError, match="at least 4 environments"):
        generate_scenario(10, 3)


def test_generated_scenario_survives_the_round_trip_through_the_file_format(
    mid_size: Scenario,
) -> None:
    assert parse_scenario(scenario_to_dict(mid_size)) == mid_size


def test_generated_scenario_is_plannable_and_first_come_first_served_leaves_releases_late(
    mid_size: Scenario,
) -> None:
    result = greedy_plan(mid_size, GREEDY)
    assert_valid(mid_size, result)
    assert result.metrics.unplaced_phases == 0
    assert result.metrics.late_releases >= 1


def test_generated_bookings_hold_early_releases_and_a_third_are_pinned(mid_size: Scenario) -> None:
    pinned = [b for b in mid_size.bookings if b.pinned]
    assert pinned and len(pinned) < len(mid_size.bookings)
    assert len(pinned) == len(mid_size.bookings) // 3
    booked = {mid_size.phase_by_id[b.phase].release for b in mid_size.bookings}
    assert all(mid_size.release_by_id[rid].earliest_start < 42 for rid in booked)


def test_generated_bookings_are_kept_where_they_are_when_nothing_forces_a_move(
    mid_size: Scenario,
) -> None:
    result = greedy_plan(mid_size, GREEDY)
    placed = {a.phase: (a.environment, a.start) for a in result.assignments}
    for booking in mid_size.bookings:
        if booking.pinned:
            assert placed[booking.phase] == (booking.environment, booking.start)


def test_generated_majors_test_uat_and_perf_in_parallel_after_sit(mid_size: Scenario) -> None:
    majors = [rel for rel in mid_size.releases if any(ph.type == "PERF" for ph in rel.phases)]
    assert majors
    for rel in majors:
        by_type = {ph.id.rsplit("-", 1)[1]: ph for ph in rel.phases}
        assert by_type["UAT"].after == by_type["PERF"].after
        assert by_type["STG"].after == (by_type["UAT"].id, by_type["PERF"].id)


def test_generated_required_tags_are_carried_by_at_least_two_environments(
    mid_size: Scenario,
) -> None:
    tagged = [ph for ph in mid_size.phases if ph.requires_tags]
    assert tagged
    for phase in tagged:
        assert len(mid_size.eligible[phase.id]) >= 2


def test_generated_due_dates_leave_slack_over_the_release_itself(mid_size: Scenario) -> None:
    for rel in mid_size.releases:
        assert rel.due is not None
        assert rel.due >= rel.earliest_start + sum(ph.duration for ph in rel.phases[:1])


def test_generated_estate_has_patching_windows_and_a_year_end_freeze(mid_size: Scenario) -> None:
    assert all(env.unavailable for env in mid_size.environments)
    year_end = [f for f in mid_size.freezes if f.types == {"STAGING", "PERF"}]
    assert year_end and year_end[0].end == mid_size.horizon_days


def test_generated_scenario_of_the_issues_size_has_about_3500_phases() -> None:
    scenario = generate_scenario(1000, 150, seed=1)
    assert 3200 <= len(scenario.phases) <= 3900


def test_generated_scenario_is_planned_validly_by_the_cp_sat_planner() -> None:
    scenario = generate_scenario(25, 8, seed=2)
    result = plan(scenario, Options(time_limit=5, workers=2))
    assert_valid(scenario, result)
    greedy = greedy_plan(scenario, GREEDY)
    assert result.metrics.weighted_unplaced <= greedy.metrics.weighted_unplaced


# -- demo scenario ----------------------------------------------------------------------


def test_demo_scenario_loads_and_clashes_in_the_first_quarter() -> None:
    demo = load_scenario(ROOT / "data" / "demo.json")
    assert len(demo.releases) == 15
    assert any(b.pinned for b in demo.bookings) and not all(b.pinned for b in demo.bookings)
    result = greedy_plan(demo, GREEDY)
    assert_valid(demo, result)
    assert result.metrics.late_releases >= 2


def test_demo_scenario_is_resolved_better_by_the_optimiser_than_first_come_first_served() -> None:
    demo = load_scenario(ROOT / "data" / "demo.json")
    optimised = plan(demo, Options(time_limit=10, workers=2))
    assert_valid(demo, optimised)
    greedy = greedy_plan(demo, GREEDY)
    assert optimised.metrics.weighted_unplaced == greedy.metrics.weighted_unplaced == 0
    assert optimised.metrics.weighted_tardiness < greedy.metrics.weighted_tardiness


# -- job-shop converter -----------------------------------------------------------------


@pytest.fixture
def ft06(tmp_path: Path) -> Scenario:
    path = tmp_path / "ft06.txt"
    path.write_text(FT06)
    return to_scenario(read_jsp(path))


@pytest.fixture
def rdata_mt06(tmp_path: Path) -> Scenario:
    path = tmp_path / "rdata-mt06.fjs"
    path.write_text(RDATA_MT06)
    return to_scenario(read_fjsp(path))


def test_jsp_instance_becomes_one_release_per_job_and_one_environment_per_machine(
    ft06: Scenario,
) -> None:
    assert len(ft06.releases) == 6 and len(ft06.environments) == 6
    first = ft06.releases[0].phases[0]
    assert (first.id, first.environments, first.duration) == ("J1-O1", ("M3",), 1)
    assert ft06.objective == "makespan"
    assert ft06.horizon_days == sum(ph.duration for ph in ft06.phases) == 197
    assert parse_scenario(scenario_to_dict(ft06)) == ft06


def test_hurink_instance_keeps_every_eligible_machine(rdata_mt06: Scenario) -> None:
    first, _second, third, fourth = rdata_mt06.releases[0].phases[:4]
    assert (first.environments, first.duration) == (("M3",), 1)
    assert (third.environments, third.duration) == (("M2", "M3"), 6)
    assert (fourth.environments, fourth.duration) == (("M4", "M1"), 7)
    assert parse_scenario(scenario_to_dict(rdata_mt06)) == rdata_mt06


def test_converted_job_shops_get_valid_greedy_plans_no_shorter_than_the_optimum(
    ft06: Scenario, rdata_mt06: Scenario
) -> None:
    for scenario, optimum in ((ft06, 55), (rdata_mt06, 47)):
        result = greedy_plan(scenario, GREEDY)
        assert_valid(scenario, result)
        assert result.metrics.unplaced_phases == 0
        assert result.metrics.makespan_days >= optimum


def test_cp_sat_plans_ft06_validly_and_never_below_its_optimum(ft06: Scenario) -> None:
    result = plan(ft06, Options(time_limit=5, workers=2))
    assert_valid(ft06, result)
    assert result.metrics.unplaced_phases == 0
    assert result.metrics.makespan_days >= 55


def test_flexible_instance_whose_durations_depend_on_the_machine_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mk00.fjs"
    path.write_text("1 2 1.5\n1 2 1 4 2 5\n")  # one operation: 4 days on M1, 5 on M2
    with pytest.raises(UnsupportedInstance, match=r"\[4, 5\]"):
        read_fjsp(path)


def test_brandimarte_instances_are_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "fjsp").mkdir()
    (tmp_path / "fjsp" / "mk01.fjs").write_text("1 2 1\n1 1 1 4\n")
    with pytest.raises(UnsupportedInstance, match="Hurink"):
        load_instance("mk01", tmp_path)


def test_instance_selection_expands_ranges_with_and_without_a_set_prefix() -> None:
    assert expand_selection("ft10, la08-la10,edata-la19-la20") == [
        "ft10",
        "la08",
        "la09",
        "la10",
        "edata-la19",
        "edata-la20",
    ]
