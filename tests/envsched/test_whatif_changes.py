"""Each what-if change on a small scenario: what it changes, and the input it refuses.

No database: a change is a pure edit of a solver Scenario, and every changed scenario
must read back through ``parse_scenario``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from envsched.errors import InvalidInput
from envsched.planning.whatif.changes import Change, apply_change, apply_changes
from envsched.planning.whatif.codec import change_from_dict, change_to_dict
from envsched.planning.whatif.environment_changes import (
    AddEnvironment,
    AddMaintenance,
    ChangeEnvironment,
    RemoveEnvironment,
)
from envsched.planning.whatif.release_changes import (
    AddRelease,
    ChangePhaseDuration,
    DelayRelease,
    DropRelease,
    NewPhase,
    ReprioritiseRelease,
)
from solver.scenario import Scenario
from solver.scenario_file import parse_scenario, scenario_to_dict
from tests.solver.factories import (
    START,
    make_booking,
    make_environment,
    make_release,
    make_scenario,
)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@pytest.fixture
def scenario() -> Scenario:
    """SIT-1, UAT-1 (tag mainframe); R1 SIT then UAT, due day 20, booked and pinned;
    R2 one UAT phase."""
    return make_scenario(
        environments=[
            make_environment("SIT-1", "SIT"),
            make_environment("UAT-1", "UAT", tags={"mainframe"}),
        ],
        releases=[
            make_release("R1", [("SIT", 5), ("UAT", 5)], earliest_start=2, due=20),
            make_release("R2", [("UAT", 4)]),
        ],
        bookings=[
            make_booking("R1-SIT", "SIT-1", 2, pinned=True),
            make_booking("R1-UAT", "UAT-1", 7, pinned=True),
        ],
    )


def reads_back(changed: Scenario) -> Scenario:
    assert parse_scenario(scenario_to_dict(changed)) == changed
    return changed


# -- environments ---------------------------------------------------------------------------


def test_add_environment_appends_it(scenario: Scenario) -> None:
    changed = reads_back(
        apply_change(scenario, AddEnvironment("UAT-9", "UAT", capacity=2, tags=("mainframe",)))
    )
    env = changed.environment_by_id["UAT-9"]
    assert (env.type, env.capacity, env.tags) == ("UAT", 2, frozenset({"mainframe"}))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (AddEnvironment("UAT-1", "UAT"), "add_environment.id"),  # already there
        (AddEnvironment("UAT-9", "UAT", capacity=0), "add_environment.capacity"),
        (AddEnvironment("UAT 9", "UAT"), "add_environment.id"),  # a space in the name
        (AddEnvironment("UAT-9", ""), "add_environment.type"),
    ],
)
def test_add_environment_refuses_bad_input(scenario: Scenario, change: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_change(scenario, change)
    assert error.value.field == field


def test_remove_environment_drops_it_and_its_bookings(scenario: Scenario) -> None:
    extra = apply_change(scenario, AddEnvironment("UAT-2", "UAT", tags=("mainframe",)))
    changed = reads_back(apply_change(extra, RemoveEnvironment("UAT-1")))
    assert "UAT-1" not in changed.environment_by_id
    assert [b.phase for b in changed.bookings] == ["R1-SIT"]


def test_remove_the_last_environment_of_a_type_is_refused(scenario: Scenario) -> None:
    with pytest.raises(InvalidInput, match="needs type UAT") as error:
        apply_change(scenario, RemoveEnvironment("UAT-1"))
    assert error.value.field == "remove_environment.id"


def test_remove_an_unknown_environment_is_refused(scenario: Scenario) -> None:
    with pytest.raises(InvalidInput, match="no environment 'UAT-7'"):
        apply_change(scenario, RemoveEnvironment("UAT-7"))


def test_change_environment_capacity_frees_its_bookings_to_move(scenario: Scenario) -> None:
    bigger = apply_change(scenario, ChangeEnvironment("UAT-1", capacity=3))
    assert bigger.environment_by_id["UAT-1"].capacity == 3
    assert bigger.booking_by_phase["R1-UAT"].pinned  # growing moves nothing
    extra = apply_change(scenario, AddEnvironment("SIT-2", "SIT", capacity=2))
    smaller = reads_back(apply_change(extra, ChangeEnvironment("SIT-2", capacity=1)))
    assert smaller.environment_by_id["SIT-2"].capacity == 1


def test_change_environment_type_drops_bookings_it_no_longer_fits(scenario: Scenario) -> None:
    extra = apply_change(scenario, AddEnvironment("SIT-2", "SIT"))
    changed = reads_back(apply_change(extra, ChangeEnvironment("SIT-1", type="UAT")))
    assert changed.environment_by_id["SIT-1"].type == "UAT"
    assert "R1-SIT" not in changed.booking_by_phase


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (ChangeEnvironment("UAT-1"), "give a new type, capacity or tags"),
        (ChangeEnvironment("UAT-1", capacity=0), "at least 1"),
        (ChangeEnvironment("UAT-1", tags=()), "needs tag mainframe"),
        (ChangeEnvironment("SIT-1", type="PERF"), "needs type SIT"),
    ],
)
def test_change_environment_refuses_bad_input(
    scenario: Scenario, change: Any, message: str
) -> None:
    scenario = apply_change(scenario, AddEnvironment("UAT-2", "UAT"))
    needs_tag = replace_phase_tags(scenario)
    with pytest.raises(InvalidInput, match=message):
        apply_change(needs_tag, change)


def replace_phase_tags(scenario: Scenario) -> Scenario:
    """R2's phase requires the mainframe tag, which only UAT-1 carries."""
    r2 = scenario.release_by_id["R2"]
    phase = replace(r2.phases[0], requires_tags=frozenset({"mainframe"}))
    return replace(
        scenario,
        releases=tuple(
            replace(r, phases=(phase,)) if r.id == "R2" else r for r in scenario.releases
        ),
    )


# -- maintenance ----------------------------------------------------------------------------


def test_add_maintenance_blocks_days_and_unpins_bookings_under_it(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, AddMaintenance("UAT-1", day(8), day(10))))
    assert changed.environment_by_id["UAT-1"].unavailable[-1].start == 8
    assert not changed.booking_by_phase["R1-UAT"].pinned
    assert changed.booking_by_phase["R1-SIT"].pinned


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (AddMaintenance("UAT-1", day(10), day(10)), "add_maintenance.end"),
        (AddMaintenance("UAT-1", day(100), day(110)), "add_maintenance.start"),
        (AddMaintenance("UAT-7", day(1), day(2)), "add_maintenance.environment"),
    ],
)
def test_add_maintenance_refuses_bad_input(scenario: Scenario, change: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_change(scenario, change)
    assert error.value.field == field


# -- releases -------------------------------------------------------------------------------


def test_add_release_with_phases_in_order(scenario: Scenario) -> None:
    change = AddRelease(
        "R9",
        (NewPhase("R9-SIT", "SIT", 3), NewPhase("R9-UAT", "UAT", 2, 1)),
        priority=3,
        earliest_start=day(4),
        due=day(30),
    )
    changed = reads_back(apply_change(scenario, change))
    release = changed.release_by_id["R9"]
    assert (release.priority, release.earliest_start, release.due) == (3, 4, 30)
    assert [(p.id, p.duration, p.gap_days) for p in release.phases] == [
        ("R9-SIT", 3, 0),
        ("R9-UAT", 2, 1),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (AddRelease("R1", (NewPhase("X", "SIT", 1),)), "add_release.id"),
        (AddRelease("R9", ()), "add_release.phases"),
        (AddRelease("R9", (NewPhase("R1-SIT", "SIT", 1),)), "add_release.phases[0].id"),
        (AddRelease("R9", (NewPhase("R9-A", "PERF", 1),)), "add_release.phases[0].type"),
        (AddRelease("R9", (NewPhase("R9-A", "SIT", 0),)), "add_release.phases[0].duration_days"),
        (AddRelease("R9", (NewPhase("R9-A", "SIT", 1),), priority=0), "add_release.priority"),
        (
            AddRelease("R9", (NewPhase("R9-A", "SIT", 1),), earliest_start=day(60)),
            "add_release.earliest_start",
        ),
    ],
)
def test_add_release_refuses_bad_input(scenario: Scenario, change: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_change(scenario, change)
    assert error.value.field == field


def test_delay_release_moves_start_due_and_bookings(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, DelayRelease("R1", 7)))
    release = changed.release_by_id["R1"]
    assert (release.earliest_start, release.due) == (9, 27)
    assert changed.booking_by_phase["R1-SIT"].start == 9
    assert not changed.booking_by_phase["R1-SIT"].pinned


def test_advance_release_never_starts_before_day_0(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, DelayRelease("R1", -5)))
    release = changed.release_by_id["R1"]
    assert (release.earliest_start, release.due) == (0, 15)
    assert "R1-SIT" not in changed.booking_by_phase  # day -3 is before the scenario


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (DelayRelease("R7", 3), "delay_release.release"),
        (DelayRelease("R1", 0), "delay_release.days"),
        (DelayRelease("R1", 90), "delay_release.days"),
    ],
)
def test_delay_release_refuses_bad_input(scenario: Scenario, change: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_change(scenario, change)
    assert error.value.field == field


def test_reprioritise_release(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, ReprioritiseRelease("R2", 5)))
    assert changed.release_by_id["R2"].priority == 5
    with pytest.raises(InvalidInput, match="at least 1"):
        apply_change(scenario, ReprioritiseRelease("R2", 0))


def test_drop_release_takes_its_bookings(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, DropRelease("R1")))
    assert [r.id for r in changed.releases] == ["R2"] and changed.bookings == ()
    with pytest.raises(InvalidInput, match="no release 'R7'"):
        apply_change(scenario, DropRelease("R7"))


def test_change_phase_duration_unpins_its_booking(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, ChangePhaseDuration("R1-UAT", 9)))
    assert changed.phase_by_id["R1-UAT"].duration == 9
    assert not changed.booking_by_phase["R1-UAT"].pinned
    for bad, field in (
        (ChangePhaseDuration("R1-XX", 3), "change_phase_duration.phase"),
        (ChangePhaseDuration("R1-UAT", 0), "change_phase_duration.duration_days"),
    ):
        with pytest.raises(InvalidInput) as error:
            apply_change(scenario, bad)
        assert error.value.field == field


def test_a_phase_grown_past_the_horizon_loses_its_booking(scenario: Scenario) -> None:
    changed = reads_back(apply_change(scenario, ChangePhaseDuration("R1-UAT", 55)))
    assert "R1-UAT" not in changed.booking_by_phase


# -- lists of changes and their JSON ----------------------------------------------------------


def test_changes_apply_in_order_and_errors_name_their_place(scenario: Scenario) -> None:
    changes: list[Change] = [
        AddEnvironment("UAT-9", "UAT"),
        AddMaintenance("UAT-9", day(1), day(3)),
    ]
    assert apply_changes(scenario, changes).environment_by_id["UAT-9"].unavailable
    with pytest.raises(InvalidInput) as error:
        apply_changes(scenario, [*changes, DelayRelease("R1", 0)])
    assert error.value.field == "changes[2].delay_release.days"


@pytest.mark.parametrize(
    "change",
    [
        AddEnvironment("UAT-9", "UAT", capacity=2, tags=("a", "b")),
        RemoveEnvironment("UAT-1"),
        ChangeEnvironment("UAT-1", capacity=2),
        AddMaintenance("UAT-1", day(1), day(3), "patch"),
        AddRelease("R9", (NewPhase("R9-SIT", "SIT", 3),), due=day(9)),
        DelayRelease("R1", -2),
        ReprioritiseRelease("R1", 4),
        DropRelease("R2"),
        ChangePhaseDuration("R1-SIT", 2),
    ],
)
def test_every_change_survives_its_json(change: Any) -> None:
    assert change_from_dict(change_to_dict(change)) == change


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "paint_release"}, "kind"),
        ({"kind": "delay_release", "release": "R1"}, "delay_release.days"),
        ({"kind": "delay_release", "release": "R1", "days": "7"}, "delay_release.days"),
        ({"kind": "delay_release", "release": "R1", "days": 7, "why": 1}, "delay_release.why"),
        (
            {
                "kind": "add_maintenance",
                "environment": "U",
                "start": "2027-02-30",
                "end": "2027-03-01",
            },
            "add_maintenance.start",
        ),
        (
            {"kind": "add_release", "id": "R9", "phases": [{"id": "A", "type": "SIT"}]},
            "add_release.phases[0].duration_days",
        ),
    ],
)
def test_bad_change_json_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        change_from_dict(data)
    assert error.value.field == field
