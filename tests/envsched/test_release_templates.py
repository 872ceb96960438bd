"""Release templates: edited by release managers, instantiated into a release with its
phases and one booking request per phase, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.errors import InvalidInput, PermissionDenied
from envsched.lifecycle import status as release_status
from envsched.lifecycle import templates, windows
from envsched.lifecycle.shapes import FromTemplateIn, TemplateIn, WindowIn
from envsched.models import (
    BookingRequest,
    Phase,
    Release,
    ReleaseStatus,
    ReleaseType,
    Role,
    User,
)
from tests.envsched.factories import DAY0, NOW, Factory, make_environment_type

DAY = dt.timedelta(days=1)
# major: SIT 10 days, then UAT 10 days alongside PERF 5 days, then STAGING 3 days
MAJOR = TemplateIn.model_validate(
    {
        "name": "major",
        "release_type": "major",
        "phases": [
            {"name": "SIT", "type": "SIT", "duration_days": 10},
            {
                "name": "UAT",
                "type": "UAT",
                "duration_days": 10,
                "gap_days": 1,
                "required_tags": ["mainframe"],
            },
            {"name": "PERF", "type": "PERF", "duration_days": 5, "after": ["SIT"]},
            {"name": "STAGING", "type": "STAGING", "duration_days": 3, "after": ["UAT", "PERF"]},
        ],
    }
)


@pytest.fixture
def types(sessions: SessionFactory) -> None:
    for name in ("SIT", "UAT", "PERF", "STAGING"):
        make_environment_type(sessions, name)


@pytest.fixture
def rm(make_user: Factory) -> User:
    return make_user(role=Role.RELEASE_MANAGER)


def phases_of(sessions: SessionFactory, key: str) -> list[tuple[str, int, list[str] | None]]:
    with sessions() as session:
        release = session.exec(select(Release).where(Release.key == key)).one()
        return [(p.key, p.duration_days, p.after) for p in release.phases]


def requests_of(
    sessions: SessionFactory, key: str
) -> list[tuple[str, dt.date, dt.date | None, list[str]]]:
    with sessions() as session:
        rows = session.exec(
            select(BookingRequest, Phase)
            .join(Phase)
            .where(col(Phase.key).startswith(f"{key}-"))
            .order_by(col(Phase.position))
        ).all()
        return [(p.key, r.earliest_start, r.latest_end, r.required_tags) for r, p in rows]


def test_a_release_from_the_major_template_gets_its_phases_in_order(
    sessions: SessionFactory, types: None, rm: User
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    release = templates.create_release_from_template(
        sessions,
        "major",
        FromTemplateIn(key="R7", title="Ledger", earliest_start=DAY0, due=DAY0 + 40 * DAY),
        actor=rm,
        now=NOW,
    )
    assert (release.type, release.status) == (ReleaseType.MAJOR, ReleaseStatus.PLANNED)
    assert phases_of(sessions, "R7") == [
        ("R7-SIT", 10, None),
        ("R7-UAT", 10, None),
        ("R7-PERF", 5, ["R7-SIT"]),
        ("R7-STAGING", 3, ["R7-UAT", "R7-PERF"]),
    ]


def test_each_phase_gets_a_booking_request_between_its_predecessors_and_the_due_date(
    sessions: SessionFactory, types: None, rm: User
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    templates.create_release_from_template(
        sessions,
        "major",
        FromTemplateIn(key="R7", earliest_start=DAY0, due=DAY0 + 40 * DAY),
        actor=rm,
        now=NOW,
    )
    # forward: SIT 0-10, UAT 11-21 (gap 1), PERF 10-15, STAGING 21-24
    # backward from day 40: STAGING by 40, UAT by 37, PERF by 37, SIT by 37-10-1 = 26
    assert requests_of(sessions, "R7") == [
        ("R7-SIT", DAY0, DAY0 + 26 * DAY, []),
        ("R7-UAT", DAY0 + 11 * DAY, DAY0 + 37 * DAY, ["mainframe"]),
        ("R7-PERF", DAY0 + 10 * DAY, DAY0 + 37 * DAY, []),
        ("R7-STAGING", DAY0 + 21 * DAY, DAY0 + 40 * DAY, []),
    ]


def test_a_release_in_a_window_takes_its_start_and_cutoff(
    sessions: SessionFactory, types: None, rm: User
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    window = windows.add_window(
        sessions,
        WindowIn(name="w", start=DAY0 + 7 * DAY, cutoff=DAY0 + 60 * DAY, go_live=DAY0 + 63 * DAY),
        actor=rm,
        now=NOW,
    )
    release = templates.create_release_from_template(
        sessions, "major", FromTemplateIn(key="R8", window_id=window.id), actor=rm, now=NOW
    )
    assert (release.window_id, release.earliest_start, release.due) == (
        window.id,
        DAY0 + 7 * DAY,
        DAY0 + 60 * DAY,
    )
    assert requests_of(sessions, "R8")[0][1] == DAY0 + 7 * DAY


def test_a_due_date_too_early_for_the_template_stores_nothing(
    sessions: SessionFactory, types: None, rm: User
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    with pytest.raises(InvalidInput, match="needs 24 days"):
        templates.create_release_from_template(
            sessions,
            "major",
            FromTemplateIn(key="R9", earliest_start=DAY0, due=DAY0 + 20 * DAY),
            actor=rm,
            now=NOW,
        )
    with sessions() as session:
        assert session.exec(select(Release)).all() == []


def test_the_status_history_starts_with_the_template(
    sessions: SessionFactory, types: None, rm: User
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    templates.create_release_from_template(
        sessions, "major", FromTemplateIn(key="R7"), actor=rm, now=NOW
    )
    [first] = release_status.status_history(sessions, "R7")
    assert (first.from_status, first.to_status, first.reason) == (
        None,
        ReleaseStatus.PLANNED,
        "from template major",
    )


@pytest.mark.parametrize(
    ("phases", "field", "problem"),
    [
        (
            [
                {"name": "A", "type": "SIT", "duration_days": 1},
                {"name": "A", "type": "UAT", "duration_days": 1},
            ],
            "phases[1].name",
            "used twice",
        ),
        (
            [
                {"name": "A", "type": "SIT", "duration_days": 1, "after": ["B"]},
                {"name": "B", "type": "UAT", "duration_days": 1},
            ],
            "phases[0].after",
            "earlier phase",
        ),
        ([{"name": "A", "type": "MAINFRAME", "duration_days": 1}], "phases[0].type", "no environ"),
    ],
)
def test_a_template_refers_only_to_earlier_phases_and_known_types(
    sessions: SessionFactory,
    types: None,
    rm: User,
    phases: list[dict[str, object]],
    field: str,
    problem: str,
) -> None:
    data = TemplateIn.model_validate({"name": "bad", "phases": phases})
    with pytest.raises(InvalidInput, match=problem) as caught:
        templates.create_template(sessions, data, actor=rm, now=NOW)
    assert caught.value.field == field


def test_a_release_manager_edits_a_template_reusing_phase_names(
    sessions: SessionFactory, types: None, rm: User
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    shorter = MAJOR.model_copy(update={"name": "major-lite", "phases": MAJOR.phases[:2]})
    templates.update_template(sessions, "major", shorter, actor=rm, now=NOW)
    with sessions() as session:
        template = templates.get_template(session, "major-lite")
        assert [p.name for p in template.phases] == ["SIT", "UAT"]


@pytest.mark.parametrize("role", [Role.TEST_MANAGER, Role.VIEWER, Role.PLANNER])
def test_only_release_managers_edit_templates_and_instantiate_them(
    sessions: SessionFactory, types: None, rm: User, make_user: Factory, role: Role
) -> None:
    templates.create_template(sessions, MAJOR, actor=rm, now=NOW)
    other = make_user(role=role)
    with pytest.raises(PermissionDenied):
        templates.update_template(sessions, "major", MAJOR, actor=other, now=NOW)
    with pytest.raises(PermissionDenied):
        templates.create_release_from_template(
            sessions, "major", FromTemplateIn(key="R1"), actor=other, now=NOW
        )
