"""KPIs on a history written by hand, every number worked out in the comments.

The period is January to April 2027: 31 + 28 + 31 + 30 = 120 days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, event

from envsched.db import SessionFactory, read_transaction
from envsched.lifecycle.kpi_history import kpis_for, release_facts
from envsched.lifecycle.kpis import (
    BookingFact,
    ClashFact,
    Period,
    ReleaseFact,
    SupplyFact,
    add_months,
    clashes_per_month,
    kpi_report,
    lead_time,
    merge,
    monthly_frame,
    open_days,
    release_counts,
    time_to_implement,
    utilisation,
)
from envsched.models import (
    Deployment,
    Gate,
    GateKind,
    GateState,
    Phase,
    PlanRun,
    PlanTrigger,
    Release,
    ReleaseStatus,
    ReleaseStatusChange,
    ReleaseType,
    ReleaseWindow,
    Role,
)
from envsched.models.round_results import RoundFlags
from tests.envsched.factories import NOW, Factory

D = dt.date.fromisoformat
PERIOD = Period(D("2027-01-01"), D("2027-05-01"))

RELEASES = [
    # on time: Jan 4 -> Feb 10 is 37 days
    ReleaseFact("A", "major", "deployed", D("2027-02-15"), D("2027-01-04"), D("2027-02-10")),
    # late (due Mar 1, deployed Mar 20): Jan 11 -> Mar 20 is 68 days; test gate waived
    ReleaseFact(
        "B",
        "major",
        "deployed",
        D("2027-03-01"),
        D("2027-01-11"),
        D("2027-03-20"),
        test_signed=False,
    ),
    # no due day: on time; 14 days; backed out, without a signed go/no-go
    ReleaseFact(
        "C",
        "minor",
        "backed_out",
        None,
        D("2027-02-01"),
        D("2027-02-15"),
        backed_out=True,
        go_signed=False,
    ),
    # on time, 10 days
    ReleaseFact("D", "minor", "deployed", D("2027-03-31"), D("2027-03-01"), D("2027-03-11")),
    # cancelled after testing started: failed
    ReleaseFact(
        "E", "emergency", "cancelled", None, D("2027-03-01"), None, cancelled_on=D("2027-03-05")
    ),
    # cancelled before any testing: not a failure
    ReleaseFact("F", "minor", "cancelled", None, None, None, cancelled_on=D("2027-02-01")),
    # deployed late, but before the period
    ReleaseFact("G", "major", "deployed", D("2026-12-01"), D("2026-11-01"), D("2026-12-20")),
    # still in test
    ReleaseFact("H", "major", "in_test", D("2027-06-01"), D("2027-04-01"), None),
]
SUPPLY = [
    SupplyFact("UAT-1", "UAT", 1, ((D("2027-01-10"), D("2027-01-12")),)),  # 2 days closed
    SupplyFact("SIT-1", "SIT", 2, ((D("2027-03-01"), D("2027-03-08")),)),  # 7 days frozen
]
BOOKINGS = [
    BookingFact("UAT", D("2026-12-28"), D("2027-01-05"), D("2026-12-01")),  # 4 days inside
    BookingFact("UAT", D("2027-01-20"), D("2027-01-30"), D("2027-01-06")),  # 10; lead 14
    BookingFact("UAT", D("2027-04-25"), D("2027-05-05"), D("2027-04-20")),  # 6 inside; lead 5
    BookingFact("SIT", D("2027-02-01"), D("2027-02-11"), D("2027-01-25")),  # 10; lead 7
    BookingFact("SIT", D("2027-02-05"), D("2027-02-09"), D("2027-02-05")),  # 4; lead 0
]
CLASHES = [
    ClashFact("overbooked", D("2027-01-20"), "overbooked:1,2"),
    ClashFact("overbooked", D("2027-01-20"), "overbooked:1,2"),  # seen again next night
    ClashFact("freeze", D("2027-03-02"), "freeze:7"),
    ClashFact("late", D("2027-03-31"), "late:B"),
    ClashFact("order", D("2027-06-01"), "order:9"),  # after the period
]


def test_release_counts_split_deployments_into_on_time_and_late() -> None:
    counts = release_counts(RELEASES, PERIOD)
    assert (counts["deployed"], counts["on_time"], counts["late"]) == (4, 3, 1)
    assert counts["late_keys"] == ["B"]


def test_backed_out_and_failed_releases_are_counted_in_the_period_they_ended() -> None:
    counts = release_counts(RELEASES, PERIOD)
    assert counts["backed_out"] == 1
    assert counts["failed"] == 2
    assert counts["failed_keys"] == ["C", "E"]


def test_releases_deployed_without_test_or_operational_sign_off_are_named() -> None:
    counts = release_counts(RELEASES, PERIOD)
    assert counts["without_test_signoff"] == ["B"]
    assert counts["without_operational_signoff"] == ["C"]


def test_time_to_implement_gives_average_best_and_worst_per_release_type() -> None:
    assert time_to_implement(RELEASES, PERIOD) == [
        {"type": "major", "releases": 2, "average_days": 52.5, "best_days": 37, "worst_days": 68},
        {"type": "minor", "releases": 2, "average_days": 12.0, "best_days": 10, "worst_days": 14},
    ]


def test_time_to_implement_is_empty_without_deployments() -> None:
    assert time_to_implement(RELEASES, Period(D("2028-01-01"), D("2028-02-01"))) == []


def test_utilisation_divides_booked_by_open_environment_days_per_type() -> None:
    # UAT: 4 + 10 + 6 = 20 of 120 - 2 = 118 -> 16.9 %; SIT: 14 of 2 x (120 - 7) = 226 -> 6.2 %
    assert utilisation(BOOKINGS, SUPPLY, (PERIOD.start, PERIOD.end)) == [
        {"type": "SIT", "booked_days": 14, "open_days": 226, "percent": 6.2},
        {"type": "UAT", "booked_days": 20, "open_days": 118, "percent": 16.9},
    ]


def test_overlapping_closures_are_not_counted_twice() -> None:
    closed = (
        (D("2027-01-10"), D("2027-01-15")),
        (D("2027-01-12"), D("2027-01-20")),
        (D("2027-01-20"), D("2027-01-21")),
    )
    assert merge(closed) == [(D("2027-01-10"), D("2027-01-21"))]
    assert open_days(SupplyFact("X", "UAT", 3, closed), (D("2027-01-01"), D("2027-02-01"))) == 3 * (
        31 - 11
    )


def test_lead_time_covers_bookings_starting_in_the_period() -> None:
    # 14, 5, 7 and 0 days; the December booking started before the period
    assert lead_time(BOOKINGS, PERIOD) == {
        "bookings": 4,
        "average_days": 6.5,
        "median_days": 6.0,
        "shortest_days": 0,
        "longest_days": 14,
    }


def test_lead_time_without_bookings_has_no_numbers() -> None:
    assert lead_time([], PERIOD)["average_days"] is None


def test_clashes_are_counted_once_per_month_they_start() -> None:
    assert clashes_per_month(CLASHES, PERIOD) == {
        "2027-01": 1,
        "2027-02": 0,
        "2027-03": 2,
        "2027-04": 0,
    }


def test_the_monthly_trend_has_one_row_per_month_with_every_measure() -> None:
    report = kpi_report(RELEASES, BOOKINGS, SUPPLY, CLASHES, PERIOD)
    by_month = {row["month"]: row for row in report.monthly}
    assert list(by_month) == ["2027-01", "2027-02", "2027-03", "2027-04"]
    assert by_month["2027-02"] == {
        "month": "2027-02",
        "deployed": 2,
        "on_time": 2,
        "late": 0,
        "backed_out": 1,
        "failed": 1,
        "clashes": 0,
        "lead_time_days": 3.5,
        # SIT: 14 of 2 x 28; UAT: nothing of 28
        "utilisation_SIT": 25.0,
        "utilisation_UAT": 0.0,
    }
    # January UAT: 4 + 10 of 31 - 2 days
    assert by_month["2027-01"]["utilisation_UAT"] == pytest.approx(48.3)
    assert by_month["2027-03"]["late"] == 1
    assert by_month["2027-03"]["failed"] == 1
    assert by_month["2027-03"]["lead_time_days"] is None


def test_the_report_totals_and_its_table_for_export() -> None:
    report = kpi_report(RELEASES, BOOKINGS, SUPPLY, CLASHES, PERIOD)
    data = report.to_dict()
    assert data["period"] == {"start": "2027-01-01", "end": "2027-05-01"}
    assert data["releases"]["clashes"] == 3
    frame = monthly_frame(report)
    assert list(frame["month"]) == ["2027-01", "2027-02", "2027-03", "2027-04"]
    assert list(frame["deployed"]) == [0, 2, 2, 0]


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        ("2027-03-15", "2026-04-01", "2027-04-01"),
        ("2027-12-31", "2027-01-01", "2028-01-01"),  # across the year end
        ("2028-02-29", "2027-03-01", "2028-03-01"),  # a leap day
    ],
)
def test_the_default_period_is_the_twelve_months_up_to_this_one(
    today: str, start: str, end: str
) -> None:
    period = Period.months_ending(D(today))
    assert (period.start, period.end) == (D(start), D(end))
    assert len(period.months()) == 12


def test_adding_months_crosses_year_ends_both_ways() -> None:
    assert add_months(D("2027-11-20"), 3) == D("2028-02-01")
    assert add_months(D("2027-01-31"), -1) == D("2026-12-01")


# -- from the stored history (SQLite and PostgreSQL) ---------------------------------------------


def test_the_stored_history_gives_the_same_kpis_as_worked_out_by_hand(
    sessions: SessionFactory,
    make_release: Factory,
    make_phase: Factory,
    make_environment: Factory,
    make_booking: Factory,
    make_request: Factory,
) -> None:
    uat = make_environment(name="UAT-1", type="UAT")
    a = make_release(
        key="A", type=ReleaseType.MAJOR, due=D("2027-02-15"), status=ReleaseStatus.DEPLOYED
    )
    b = make_release(
        key="B", type=ReleaseType.MINOR, due=D("2027-02-01"), status=ReleaseStatus.BACKED_OUT
    )
    c = make_release(key="C", status=ReleaseStatus.CANCELLED)
    a_uat, b_uat = make_phase(a, key="A-UAT"), make_phase(b, key="B-UAT")
    asked = make_request(created_at=dt.datetime(2026, 12, 28, 15, tzinfo=dt.UTC))
    # A: asked Dec 28, booked from Jan 4 (lead 7 days), deployed Feb 10: 37 days
    make_booking(
        uat, phase_id=a_uat.id, request_id=asked.id, start=D("2027-01-04"), end=D("2027-01-14")
    )
    # B: booked directly on Jan 4 from Jan 20 (lead 16), deployed Feb 5: 16 days, late
    make_booking(uat, phase_id=b_uat.id, start=D("2027-01-20"), end=D("2027-01-25"))
    with sessions.begin() as session:
        session.add_all(
            [
                _gate(a, a_uat, GateKind.EXIT, GateState.SIGNED),
                _gate(a, None, GateKind.GO_NO_GO, GateState.SIGNED),
                _gate(b, b_uat, GateKind.EXIT, GateState.WAIVED),
                Deployment(release_id=a.id, deployed_on=D("2027-02-10"), recorded_at=NOW),
                Deployment(
                    release_id=b.id,
                    deployed_on=D("2027-02-05"),
                    backed_out=True,
                    backed_out_at=NOW,
                    recorded_at=NOW,
                ),
                # C went into test, then was cancelled: a failure
                _change(c, ReleaseStatus.IN_TEST, "2027-01-10"),
                _change(c, ReleaseStatus.CANCELLED, "2027-01-15"),
                # the same clash seen by two nightly rounds
                *[
                    PlanRun(
                        trigger=PlanTrigger.SCHEDULED,
                        started_at=NOW,
                        flags=RoundFlags.model_validate(
                            {
                                "clashes": [
                                    {
                                        "kind": "overbooked",
                                        "environment": "UAT-1",
                                        "release": None,
                                        "phase": None,
                                        "start": "2027-01-21",
                                        "end": "2027-01-22",
                                        "booking_ids": [1, 2],
                                        "message": "two",
                                    }
                                ]
                            }
                        ),
                    )
                    for _ in range(2)
                ],
            ]
        )
    report = kpis_for(sessions, Period(D("2027-01-01"), D("2027-03-01")))
    counts = report.releases
    assert (counts["deployed"], counts["on_time"], counts["late"]) == (2, 1, 1)
    assert (counts["backed_out"], counts["failed_keys"]) == (1, ["B", "C"])
    assert counts["without_test_signoff"] == ["B"]
    assert counts["without_operational_signoff"] == ["B"]  # no go/no-go signed
    assert counts["clashes"] == 1
    assert report.time_to_implement == [
        {"type": "major", "releases": 1, "average_days": 37.0, "best_days": 37, "worst_days": 37},
        {"type": "minor", "releases": 1, "average_days": 16.0, "best_days": 16, "worst_days": 16},
    ]
    # 10 + 5 booked of 31 + 28 open days
    assert report.utilisation == [
        {"type": "UAT", "booked_days": 15, "open_days": 59, "percent": 25.4}
    ]
    assert (report.lead_time["average_days"], report.lead_time["longest_days"]) == (11.5, 16)


def test_the_release_facts_read_gates_and_phases_once_however_many_releases(
    engine: Engine,
    sessions: SessionFactory,
    make_release: Factory,
    make_phase: Factory,
    make_environment: Factory,
    make_booking: Factory,
) -> None:
    uat = make_environment(capacity=8)
    for number in range(4):
        release = make_release(key=f"K{number}")
        for _ in range(2):
            make_booking(uat, phase_id=make_phase(release).id)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with read_transaction(sessions) as session:
            facts = release_facts(session)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [f.key for f in facts] == ["K0", "K1", "K2", "K3"]
    assert sum("FROM gate" in s for s in statements) == 1
    assert sum("FROM phase" in s for s in statements) == 1


def test_a_release_in_a_window_is_on_time_when_it_goes_live_by_the_windows_go_live(
    sessions: SessionFactory, make_release: Factory
) -> None:
    with sessions.begin() as session:
        window = ReleaseWindow(
            name="2027-02", start=D("2027-01-25"), cutoff=D("2027-02-18"), go_live=D("2027-02-21")
        )
        session.add(window)
    # due is the cut-off, the day testing must end by: deploying after it is still on time
    on_go_live = make_release(key="W1", due=D("2027-02-18"), window_id=window.id)
    after_go_live = make_release(key="W2", due=D("2027-02-18"), window_id=window.id)
    with sessions.begin() as session:
        session.add_all(
            [
                Deployment(release_id=on_go_live.id, deployed_on=D("2027-02-21"), recorded_at=NOW),
                Deployment(
                    release_id=after_go_live.id, deployed_on=D("2027-02-22"), recorded_at=NOW
                ),
            ]
        )
    counts = kpis_for(sessions, Period(D("2027-02-01"), D("2027-03-01"))).releases
    assert (counts["on_time"], counts["late_keys"]) == (1, ["W2"])


def _gate(release: Release, phase: Phase | None, kind: GateKind, state: GateState) -> Gate:
    assert release.id is not None
    return Gate(
        release_id=release.id,
        phase_id=phase.id if phase else None,
        kind=kind,
        signoff_role=Role.TEST_MANAGER,
        state=state,
        signed_by="someone",
        signed_at=NOW,
    )


def _change(release: Release, status: ReleaseStatus, day: str) -> ReleaseStatusChange:
    assert release.id is not None
    return ReleaseStatusChange(
        release_id=release.id,
        to_status=status,
        at=dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC),
    )
