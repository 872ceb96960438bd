"""What-ifs see what the live plan sees, on the page, the API and the CLI: open requests
count as demand, each run says which copy of the live state it planned, and a run
without a plan says why and shows no measures. On SQLite and PostgreSQL.

The state: PERF-1 (capacity 1), R1 with an unbooked 5-day PERF phase and two open 5-day
PERF requests for no phase, all from Monday 2027-01-04: 15 PERF environment-days asked
of 7 that week, 8 short.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from envsched.cli import main
from envsched.db import SessionFactory
from envsched.errors import InvalidState
from envsched.models import Role, WhatIf, WhatIfStatus
from envsched.planning.whatif import service as whatif
from envsched.planning.whatif.run import require_plans
from solver.plan import Plan, SolverInfo
from tests.envsched.factories import (
    DAY0,
    make_environment,
    make_phase,
    make_release,
    make_request,
)
from tests.web.api_world import Caller
from tests.web.helpers import NOW, csrf_token
from web.background import join_all

Login = Callable[..., object]
REASON = "pinned R1-PERF and R2-PERF overlap on PERF-1"


@pytest.fixture
def perf(sessions: SessionFactory) -> None:
    make_environment(sessions, name="PERF-1", type="PERF")
    make_phase(
        sessions,
        make_release(sessions, key="R1", earliest_start=DAY0),
        key="R1-PERF",
        type="PERF",
        duration_days=5,
    )
    for _ in range(2):
        make_request(sessions, type="PERF", duration_days=5, earliest_start=DAY0)


def without_plan(sessions: SessionFactory) -> int:
    """A what-if as a run the solver answered INFEASIBLE for leaves it."""
    row = whatif.create_whatif(sessions, "stuck", actor=None, now=NOW, horizon_days=28)
    info = SolverInfo(method="cp-sat", seconds=0.1)
    with pytest.raises(InvalidState) as refused:
        require_plans(
            Plan("stuck", "INFEASIBLE", info, reason=REASON),
            Plan("stuck", "INFEASIBLE", info, reason=REASON),
        )
    with sessions.begin() as session:
        stored = session.get_one(WhatIf, row.id)
        stored.status, stored.error = WhatIfStatus.FAILED, refused.value.message
    return row.id or 0


def cells(page: str, table: str, row: str) -> list[str]:
    """The text of each cell of the row headed ``row`` in the table with id ``table``."""
    found = re.search(rf'id="{table}".*?<th scope="row">{row}</th>(.*?)</tr>', page, re.S)
    assert found, row
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    ]


def test_a_planner_adds_an_environment_and_sees_the_perf_shortfall_removed(
    client: FlaskClient, login: Login, perf: None
) -> None:
    login(client, Role.PLANNER)
    token = csrf_token(client, "/")
    capacity = client.get("/capacity?type=PERF").get_data(as_text=True)
    assert "PERF" in capacity and "8" in capacity
    path = client.post("/what-ifs/new", data={"csrf_token": token, "name": "perf"}).headers[
        "Location"
    ]
    client.post(
        f"{path}/changes",
        data={
            "csrf_token": token,
            "kind": "add_environment",
            "add_environment-id": "PERF-2",
            "add_environment-type": "PERF",
            "add_environment-capacity": "2",
        },
    )
    client.post(f"{path}/run", data={"csrf_token": token, "time_limit": "4"})
    join_all(client.application)
    page = client.get(path).get_data(as_text=True)
    assert "copied on <strong>4 Jan 2027, 09:00 UTC</strong>" in page
    assert cells(page, "shortfall-table", "PERF") == [
        "8 in 1 week (from the week of 4–10 Jan 2027)",
        "none",
    ]
    assert "Run again on a fresh copy" in page


def test_a_run_without_a_plan_says_why_and_shows_no_measures(
    client: FlaskClient, login: Login, sessions: SessionFactory, perf: None
) -> None:
    ident = without_plan(sessions)
    login(client, Role.VIEWER)
    page = client.get(f"/what-ifs/{ident}").get_data(as_text=True)
    assert ("no plan to compare: the baseline is INFEASIBLE: " + REASON) in page
    for measure in (
        'id="comparison-table"',
        "No shortfall",
        "Placed phases",
        'id="shortfall-table"',
    ):
        assert measure not in page


def test_the_api_names_the_copy_and_the_reason_and_gives_no_comparison(
    call: Caller, sessions: SessionFactory, perf: None
) -> None:
    ident = without_plan(sessions)
    shown = call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}").get_json()
    assert shown["copy_taken_at"] == NOW.isoformat()
    assert shown["status"] == "failed" and REASON in shown["error"]
    assert shown["summary"] is None
    refused = call(Role.VIEWER, "GET", f"/api/v1/what-ifs/{ident}/comparison")
    assert refused.status_code == 409


def test_the_cli_shows_the_reason_and_no_table(
    sessions: SessionFactory, database_url: str, perf: None
) -> None:
    without_plan(sessions)
    shown = CliRunner().invoke(
        main, ["whatif", "show", "stuck"], env={"ENVSCHED_DATABASE_URL": database_url}
    )
    assert shown.exit_code == 0, shown.output
    assert f"no plan to compare: the baseline is INFEASIBLE: {REASON}" in shown.output
    assert "copy of the live state taken 2027-01-04 09:00 UTC" in shown.output
    assert "placed phases" not in shown.output and "shortfall" not in shown.output
