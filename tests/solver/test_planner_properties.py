"""Random small scenarios through ``plan()``: no rule broken, every phase accounted for
once, and CP-SAT never worse than the greedy baseline (first come, first served keeping
the plan in force) on the objective's three criteria in their order. Some pin bookings
anywhere, on any environment, even outside the horizon: each rule they break is a clash,
and there is always a plan.

Scenarios are drawn as dataclasses and then passed through the scenario file format
(``scenario_to_dict`` → ``parse_scenario``), so only scenarios a file could hold are used.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from solver import Booking, Environment, Options, Phase, Plan, Release, Scenario, plan
from solver.greedy import greedy_plan
from solver.scenario_file import parse_scenario, scenario_to_dict
from solver.validate import validate
from tests.solver.factories import (
    make_booking,
    make_environment,
    make_freeze,
    make_phase,
    make_release,
    make_scenario,
)

TYPES = ("SIT", "UAT")
TIME_LIMIT = 1.0


def planned(scenario: Scenario, **options: Any) -> Plan:
    """The planner's plan, after the independent validator found nothing wrong with it."""
    options.setdefault("time_limit", TIME_LIMIT)
    result = plan(scenario, Options(**options))
    assert validate(scenario, result) == []
    return result


# -- random scenarios ----------------------------------------------------------------------


@st.composite
def environments(draw: st.DrawFn, index: int, horizon: int) -> Environment:
    starts = draw(st.lists(st.integers(0, horizon - 1), max_size=2))
    windows = [(day, day + draw(st.integers(1, 6)), "maintenance") for day in starts]
    return make_environment(
        f"E{index}",
        draw(st.sampled_from(TYPES)),
        capacity=draw(st.integers(1, 2)),
        changeover_days=draw(st.integers(0, 2)),
        tags=draw(st.sets(st.just("mainframe"))),
        unavailable=windows,
    )


@st.composite
def releases(draw: st.DrawFn, index: int, envs: list[Environment], horizon: int) -> Release:
    ident = f"R{index}"
    types = sorted({env.type for env in envs})
    tagged = any(env.tags for env in envs)
    built: list[Phase] = []
    for p in range(draw(st.integers(1, 3))):
        earlier = [ph.id for ph in built]
        after = draw(
            st.none() | st.lists(st.sampled_from(earlier), max_size=2, unique=True)
            if earlier
            else st.none() | st.just([])
        )
        built.append(
            make_phase(
                f"{ident}-{p}",
                ident,
                draw(st.sampled_from(types)),
                draw(st.integers(1, 8)),
                gap_days=draw(st.integers(0, 2)),
                after=after,
                requires_tags=["mainframe"] if tagged and draw(st.booleans()) else [],
                earliest_start=draw(st.none() | st.integers(0, horizon - 1)),
            )
        )
    return make_release(
        ident,
        phase_objects=tuple(built),
        priority=draw(st.integers(1, 3)),
        earliest_start=draw(st.integers(0, horizon // 2)),
        due=draw(st.none() | st.integers(1, horizon)),
    )


@st.composite
def bare_scenarios(draw: st.DrawFn) -> Scenario:
    horizon = draw(st.integers(12, 40))
    envs = [draw(environments(i, horizon)) for i in range(1, draw(st.integers(1, 4)) + 1)]
    freezes = []
    if draw(st.booleans()):
        start = draw(st.integers(0, horizon - 1))
        freezes.append(
            make_freeze(
                start,
                start + draw(st.integers(1, 4)),
                draw(st.sampled_from([(), ("SIT",), ("UAT",)])),
                "freeze",
            )
        )
    return make_scenario(
        envs,
        [draw(releases(i, envs, horizon)) for i in range(1, draw(st.integers(1, 4)) + 1)],
        horizon_days=horizon,
        freezes=freezes,
        objective=draw(st.sampled_from(["tardiness", "makespan"])),
    )


@st.composite
def rule_breaking_bookings(draw: st.DrawFn, scenario: Scenario) -> list[Booking]:
    """One to three pinned bookings of distinct phases, on any environment, on any days
    from shortly before the horizon to shortly after its end."""
    phases = draw(
        st.lists(
            st.sampled_from(scenario.phases), min_size=1, max_size=3, unique_by=lambda ph: ph.id
        )
    )
    envs = [env.id for env in scenario.environments]
    return [
        make_booking(
            ph.id,
            draw(st.sampled_from(envs)),
            draw(st.integers(-3, scenario.horizon_days)),
            pinned=True,
        )
        for ph in phases
    ]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A bare scenario, sometimes with bookings: a movable or pinned one where the greedy
    plan put a phase, a pinned one anywhere on an eligible environment, or pinned ones that
    may break any rule."""
    scenario = draw(bare_scenarios())
    kind = draw(
        st.sampled_from(
            [
                "none",
                "from greedy",
                "pinned from greedy",
                "pinned anywhere",
                "pinned breaking rules",
            ]
        )
    )
    bookings = []
    if kind in ("from greedy", "pinned from greedy"):
        placed = greedy_plan(scenario, Options(method="greedy")).assignments
        if placed:
            a = draw(st.sampled_from(placed))
            bookings.append(
                make_booking(a.phase, a.environment, a.start, pinned=kind.startswith("pinned"))
            )
    elif kind == "pinned anywhere":
        phase = draw(st.sampled_from(scenario.phases))
        eligible = scenario.eligible[phase.id]
        if eligible and phase.duration <= scenario.horizon_days:
            start = draw(st.integers(0, scenario.horizon_days - phase.duration))
            bookings.append(
                make_booking(phase.id, draw(st.sampled_from(eligible)), start, pinned=True)
            )
    elif kind == "pinned breaking rules":
        bookings = draw(rule_breaking_bookings(scenario))
    with_bookings = make_scenario(
        list(scenario.environments),
        list(scenario.releases),
        horizon_days=scenario.horizon_days,
        freezes=scenario.freezes,
        objective=scenario.objective,
        bookings=bookings,
    )
    return parse_scenario(scenario_to_dict(with_bookings))


@st.composite
def rule_breaking_scenarios(draw: st.DrawFn) -> Scenario:
    scenario = draw(bare_scenarios())
    with_bookings = dataclasses.replace(
        scenario, bookings=tuple(draw(rule_breaking_bookings(scenario)))
    )
    return parse_scenario(scenario_to_dict(with_bookings))


def rank(scenario: Scenario, result: Plan) -> tuple[int, int, int]:
    """Weighted unplaced, then the scenario's own second criterion, then moved bookings."""
    metrics = result.metrics
    timing = (
        metrics.makespan_days if scenario.objective == "makespan" else (metrics.weighted_tardiness)
    )
    return metrics.weighted_unplaced, timing, metrics.moved_bookings


# -- properties ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_plans_of_random_scenarios_break_no_rule_and_account_for_every_phase(scenario):
    result = planned(scenario)
    assert result.has_plan and result.clashes is not None
    listed = Counter([a.phase for a in result.assignments] + [u.phase for u in result.unplaced])
    assert listed == Counter(ph.id for ph in scenario.phases)


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_cp_sat_is_never_worse_than_the_baseline_on_unplaced_its_objective_then_moves(scenario):
    greedy = planned(scenario, method="greedy")
    best = planned(scenario)
    assert greedy.status == "FEASIBLE" and best.has_plan
    assert rank(scenario, best) <= rank(scenario, greedy)


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_cp_sat_keeps_every_pinned_booking_exactly(scenario):
    result = planned(scenario)
    where = {a.phase: (a.environment, a.start) for a in result.assignments}
    for booking in scenario.bookings:
        if booking.pinned:
            assert where[booking.phase] == (booking.environment, booking.start)


@settings(max_examples=40, deadline=None)
@given(rule_breaking_scenarios(), st.sampled_from(["greedy", "cp-sat"]))
def test_pinned_bookings_breaking_any_rule_are_kept_and_never_make_a_plan_infeasible(
    scenario, method
):
    result = planned(scenario, method=method)  # the validator recomputes every clash
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.clashes is not None
    where = {a.phase: (a.environment, a.start) for a in result.assignments}
    assert all(where[b.phase] == (b.environment, b.start) for b in scenario.bookings)
