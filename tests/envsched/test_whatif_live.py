"""What-ifs see what the live plan sees, on SQLite and PostgreSQL: the capacity page's
demand (open requests included) on both sides, a fresh copy of the live state on each
run, and no measures without a plan.

The hand-made state: PERF-1 (capacity 1); R1 with one unbooked 5-day PERF phase from
DAY0; two open 5-day PERF requests for no phase from DAY0; and a request's confirmed
booking on PERF-1 in week 1 (outside the solver's scenario); R2's 5-day PERF phase booked
for 3 days in week 2. Week 0 asks 15 PERF
environment-days of a supply of 7: 8 short.
"""

from __future__ import annotations

import datetime as dt

import pytest

from envsched.db import SessionFactory
from envsched.errors import InvalidState
from envsched.planning.capacity import capacity_report
from envsched.planning.forecast import demand, supply, week_days
from envsched.planning.whatif.environment_changes import AddEnvironment
from envsched.planning.whatif.forecast import scenario_outlook
from envsched.planning.whatif.run import require_plans
from envsched.planning.whatif.service import add_change, compare, create_whatif, run_whatif
from envsched.planning.whatif.snapshot import snapshot_of
from envsched.planning.whatif.store import base_scenario
from solver.plan import Plan, SolverInfo
from tests.envsched.factories import DAY0, NOW, Factory

TIME_LIMIT = 4.0
WEEKS = 4


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def state(
    make_environment: Factory,
    make_release: Factory,
    make_phase: Factory,
    make_request: Factory,
    make_booking: Factory,
) -> None:
    perf = make_environment(name="PERF-1", type="PERF")
    make_phase(
        make_release(key="R1", earliest_start=DAY0), key="R1-PERF", type="PERF", duration_days=5
    )
    for _ in range(2):
        make_request(type="PERF", duration_days=5, earliest_start=DAY0)
    make_booking(perf, start=day(8), end=day(10))
    short = make_phase(
        make_release(key="R2", earliest_start=DAY0), key="R2-PERF", type="PERF", duration_days=5
    )
    make_booking(perf, phase_id=short.id, start=day(14), end=day(17))  # 3 of its 5 days


def perf_shortfall(sessions: SessionFactory) -> dict[str, object]:
    frame = capacity_report(sessions, DAY0, weeks=WEEKS, type_name="PERF")
    short = frame[frame["shortfall_days"] > 0]
    return {
        "days_short": int(short["shortfall_days"].sum()),
        "weeks": [t.date().isoformat() for t in short["week_start"]],
    }


def test_a_whatif_counts_demand_and_supply_as_the_capacity_page_does(
    sessions: SessionFactory, state: None
) -> None:
    made = create_whatif(sessions, "same", actor=None, now=NOW, horizon_days=7 * WEEKS)
    outlook = scenario_outlook(base_scenario(made), snapshot_of(made))
    days = week_days(DAY0, WEEKS)
    wanted, given = demand(outlook, days), supply(outlook, days)
    page = capacity_report(sessions, DAY0, weeks=WEEKS, type_name="PERF")
    seen = [(r.demand_days, r.supply_days) for r in page.itertuples()]
    assert seen == [(wanted["PERF", w], given["PERF", w]) for w in days[::7]]
    # the request's booking is demand, not a closed day; R2-PERF's booking its own 3 days
    assert seen[:3] == [(15, 7), (2, 7), (3, 7)]


def test_open_requests_are_demand_and_an_added_environment_removes_the_shortfall(
    sessions: SessionFactory, state: None
) -> None:
    assert perf_shortfall(sessions) == {"days_short": 8, "weeks": ["2027-01-04"]}
    create_whatif(sessions, "more-perf", actor=None, now=NOW, horizon_days=7 * WEEKS)
    add_change(sessions, "more-perf", AddEnvironment("PERF-2", "PERF", capacity=2), actor=None)
    run_whatif(sessions, "more-perf", time_limit=TIME_LIMIT, now=NOW)
    shortfalls = compare(sessions, "more-perf")["shortfalls"]
    assert shortfalls == {"PERF": {"baseline": perf_shortfall(sessions), "whatif": None}}


def test_one_more_small_environment_only_reduces_the_shortfall(
    sessions: SessionFactory, state: None
) -> None:
    create_whatif(sessions, "one-more", actor=None, now=NOW, horizon_days=7 * WEEKS)
    add_change(sessions, "one-more", AddEnvironment("PERF-2", "PERF"), actor=None)
    run_whatif(sessions, "one-more", time_limit=TIME_LIMIT, now=NOW)
    perf = compare(sessions, "one-more")["shortfalls"]["PERF"]
    assert (perf["baseline"]["days_short"], perf["whatif"]["days_short"]) == (8, 1)


def test_run_again_plans_a_fresh_copy_of_the_live_state_and_says_when(
    sessions: SessionFactory, state: None, make_request: Factory
) -> None:
    create_whatif(sessions, "fresh", actor=None, now=NOW, horizon_days=7 * WEEKS)
    run_whatif(sessions, "fresh", time_limit=TIME_LIMIT, now=NOW)
    make_request(type="PERF", duration_days=5, earliest_start=DAY0)  # 5 more days asked
    later = NOW + dt.timedelta(hours=3)
    rerun = run_whatif(sessions, "fresh", time_limit=TIME_LIMIT, now=later)
    assert snapshot_of(rerun).taken_at == later
    result = compare(sessions, "fresh")
    assert result["copy_taken_at"] == later.isoformat()
    assert result["shortfalls"]["PERF"]["baseline"] == perf_shortfall(sessions)
    assert perf_shortfall(sessions)["days_short"] == 13


def test_the_copy_keeps_the_start_and_horizon_asked_for(
    sessions: SessionFactory, state: None
) -> None:
    create_whatif(sessions, "shaped", actor=None, now=NOW, start=day(-7), horizon_days=40)
    rerun = run_whatif(sessions, "shaped", time_limit=TIME_LIMIT, now=NOW)
    assert (rerun.base["start"], rerun.base["horizon_days"]) == (day(-7).isoformat(), 40)


def test_a_side_without_a_plan_ends_the_run_with_the_solvers_reason() -> None:
    info = SolverInfo(method="cp-sat", seconds=0.1)
    found = Plan(scenario="s", status="OPTIMAL", solver=info)
    refused = Plan(
        scenario="s",
        status="INFEASIBLE",
        solver=info,
        reason="pinned R1-PERF and R2-PERF overlap on PERF-1",
    )
    with pytest.raises(
        InvalidState,
        match="the what-if is INFEASIBLE: pinned R1-PERF and R2-PERF overlap on PERF-1",
    ):
        require_plans(found, refused)
    late = Plan(scenario="s", status="UNKNOWN", solver=info, reason="no plan found in time")
    with pytest.raises(
        InvalidState,
        match="the baseline is UNKNOWN: no plan found in time "
        r"\(within the time limit: run again with more",
    ):
        require_plans(late, found)
    require_plans(found, found)
