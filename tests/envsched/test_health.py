"""Environment health end to end on SQLite and PostgreSQL: real probes of a real HTTP
server on 127.0.0.1 that goes down (503, then stopped) and comes back; the history they
leave; an outage longer than ``ENVSCHED_HEALTH_DOWN_MINUTES`` flagged and told to the
bookers of the days from today on, once, and again once when it is back up."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlmodel import col, select

from envsched import health, scheduler
from envsched.db import SessionFactory, read_transaction
from envsched.errors import ConfigError, InvalidInput, PermissionDenied
from envsched.health import HISTORY_KEPT, Probe, probe_environments, record_probe, set_health_url
from envsched.models import (
    AuditEntry,
    BookingStatus,
    Delivery,
    Environment,
    EnvironmentHealth,
    EnvironmentStatus,
    HealthState,
    Notification,
    Role,
)
from envsched.settings import Settings
from tests.envsched.factories import DAY0, NOW, Factory
from tests.envsched.health_server import HealthServer

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
SETTINGS = Settings(health_timeout_seconds=2, health_down_minutes=15, smtp_host="mail.test")


def probe_at(sessions: SessionFactory, at: dt.datetime, settings: Settings = SETTINGS) -> int:
    return probe_environments(sessions, settings, lambda: at)


def health_row(sessions: SessionFactory, env: Environment) -> EnvironmentHealth:
    with read_transaction(sessions) as session:
        return session.get_one(EnvironmentHealth, env.id)


def told(sessions: SessionFactory) -> list[tuple[int, str, str]]:
    """In-app notifications: (user id, event, text), oldest first."""
    with read_transaction(sessions) as session:
        rows = session.exec(select(Notification).order_by(col(Notification.id))).all()
        return [(n.user_id, n.event, n.text) for n in rows]


def mailed(sessions: SessionFactory) -> list[tuple[str, str, str]]:
    """Queued deliveries: (event, target, subject), oldest first."""
    with read_transaction(sessions) as session:
        rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
        return [(d.event, d.target, d.subject) for d in rows]


def test_a_probe_follows_a_real_server_down_and_back_up(
    sessions: SessionFactory, make_environment: Factory, health_server: HealthServer
) -> None:
    env = make_environment(name="UAT-1")
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    assert health_row(sessions, env).state == HealthState.UNKNOWN

    assert probe_at(sessions, NOW + MINUTE) == 1
    row = health_row(sessions, env)
    assert (row.state, row.status_code, row.detail) == (HealthState.UP, 200, "HTTP 200 OK")
    assert row.since == NOW + MINUTE

    health_server.status = 503
    probe_at(sessions, NOW + 2 * MINUTE)
    row = health_row(sessions, env)
    assert (row.state, row.since) == (HealthState.DOWN, NOW + 2 * MINUTE)
    assert row.detail == "HTTP 503 Service Unavailable"

    health_server.stop()  # nobody answers at all now
    probe_at(sessions, NOW + 3 * MINUTE)
    row = health_row(sessions, env)
    assert (row.state, row.since, row.status_code) == (HealthState.DOWN, NOW + 2 * MINUTE, None)
    assert row.detail == "connection refused" and row.checked_at == NOW + 3 * MINUTE

    health_server.status = 200
    health_server.start()  # the same port again
    probe_at(sessions, NOW + 4 * MINUTE)
    assert health_row(sessions, env).state == HealthState.UP
    with read_transaction(sessions) as session:
        history = health.history_of(session, env.id or 0)
    assert [(c.state.value, c.at, c.detail) for c in history] == [
        ("up", NOW + 4 * MINUTE, "HTTP 200 OK"),
        ("down", NOW + 2 * MINUTE, "HTTP 503 Service Unavailable"),
        ("up", NOW + MINUTE, "HTTP 200 OK"),
    ]


def test_a_server_slower_than_the_timeout_is_down_in_words(
    sessions: SessionFactory, make_environment: Factory, health_server: HealthServer
) -> None:
    env = make_environment(name="UAT-1")
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    health_server.delay = 1.0
    probe_at(sessions, NOW + MINUTE, Settings(health_timeout_seconds=0.2))
    row = health_row(sessions, env)
    assert (row.state, row.detail) == (HealthState.DOWN, "no answer within 0.2 seconds")


def test_probes_of_many_environments_run_at_once(
    sessions: SessionFactory, make_environment: Factory, health_server: HealthServer
) -> None:
    """Five hosts that each take 0.6 s cost the job about 0.6 s, not 3: a dead host
    holds the worker's job up one timeout, whatever the estate."""
    for n in range(5):
        make_environment(name=f"UAT-{n}")
        set_health_url(
            sessions, f"UAT-{n}", health_server.url, actor=None, now=NOW, settings=SETTINGS
        )
    health_server.delay = 0.6
    started = dt.datetime.now(dt.UTC)
    assert probe_at(sessions, NOW + MINUTE) == 5
    assert dt.datetime.now(dt.UTC) - started < dt.timedelta(seconds=2.5)
    assert health_server.hits == 5


def test_retired_environments_and_ones_without_a_url_are_not_probed(
    sessions: SessionFactory, make_environment: Factory, health_server: HealthServer
) -> None:
    make_environment(name="UAT-1")
    make_environment(name="UAT-2", status=EnvironmentStatus.RETIRED)
    make_environment(name="UAT-3")
    set_health_url(sessions, "UAT-2", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    set_health_url(sessions, "UAT-3", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    assert probe_at(sessions, NOW + MINUTE) == 1
    assert health_server.hits == 1


def test_an_outage_longer_than_the_set_time_tells_the_bookers_of_today_on_once(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    make_request: Factory,
    make_booking: Factory,
    health_server: HealthServer,
) -> None:
    env = make_environment(name="UAT-1")
    erin = make_user(role=Role.ENVIRONMENT_MANAGER, email="erin@example.test")
    tess = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    past = make_user(role=Role.TEST_MANAGER, email="past@example.test")
    gone = make_user(role=Role.TEST_MANAGER, email="gone@example.test")
    asked = make_request(tess)
    make_booking(env, request_id=asked.id, start=DAY0, end=DAY0 + 5 * DAY, note="load test")
    make_booking(env, created_by_id=tess.id, start=DAY0 + 9 * DAY, end=DAY0 + 10 * DAY)
    make_booking(env, created_by_id=past.id, start=DAY0 - 9 * DAY, end=DAY0)  # over
    make_booking(
        env,
        created_by_id=gone.id,
        start=DAY0 + DAY,
        end=DAY0 + 2 * DAY,
        status=BookingStatus.CANCELLED,
    )
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    health_server.status = 503
    probe_at(sessions, NOW)
    probe_at(sessions, NOW + 14 * MINUTE)  # not yet longer than 15 minutes
    assert health_row(sessions, env).flagged_at is None and told(sessions) == []

    probe_at(sessions, NOW + 15 * MINUTE)
    assert health_row(sessions, env).flagged_at == NOW + 15 * MINUTE
    down = (
        "UAT-1 has been down since 4 Jan 2027, 09:00 UTC (HTTP 503 Service Unavailable), "
        "longer than 15 minutes."
    )
    assert told(sessions) == [
        (
            tess.id,
            "environment.down",
            f"{down} Your bookings on it from today on: load test on UAT-1 (4–8 Jan 2027) "
            "and a booking on UAT-1 (13 Jan 2027).",
        ),
        (
            erin.id,  # the environment manager, in the app too
            "environment.down",
            f"{down} Its bookers are told of the 2 bookings on it from today on.",
        ),
    ]
    assert sorted(mailed(sessions)) == [
        ("environment.down", "erin@example.test", "envsched: UAT-1 is down"),
        ("environment.down", "tess@example.test", "envsched: UAT-1 is down"),
    ]

    with read_transaction(sessions) as session:
        mail = session.exec(select(Delivery).where(Delivery.target == "erin@example.test")).one()
    assert "- load test on UAT-1 (4–8 Jan 2027)\n- a booking" in mail.text
    assert mail.payload["environment"] == "UAT-1" and len(mail.payload["bookings"]) == 2

    probe_at(sessions, NOW + 16 * MINUTE)
    probe_at(sessions, NOW + 60 * MINUTE)
    assert len(told(sessions)) == 2 and len(mailed(sessions)) == 2  # once per outage

    health_server.status = 200
    probe_at(sessions, NOW + 70 * MINUTE)
    probe_at(sessions, NOW + 71 * MINUTE)
    row = health_row(sessions, env)
    assert (row.state, row.flagged_at, row.told) == (HealthState.UP, None, [])
    up = "UAT-1 is up again since 4 Jan 2027, 10:10 UTC, after 1 hour 10 minutes down."
    assert told(sessions)[2:] == [
        (
            tess.id,
            "environment.up",
            f"{up} It is there again for your bookings: load test on UAT-1 (4–8 Jan 2027) "
            "and a booking on UAT-1 (13 Jan 2027).",
        ),
        (
            erin.id,
            "environment.up",
            f"{up} The bookers told of its outage are told again (2 bookings).",
        ),
    ]
    assert [m for m in mailed(sessions) if m[0] == "environment.up"] == [
        ("environment.up", "erin@example.test", "envsched: UAT-1 is up again"),
        ("environment.up", "tess@example.test", "envsched: UAT-1 is up again"),
    ]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (
            "/?deep=1",  # changed: the new URL is not known to answer yet
            "The health check of UAT-1 was changed by Erin Envman at 4 Jan 2027, 10:10 UTC, "
            "after 1 hour 10 minutes down: UAT-1 is checked at {url} from now on, not known "
            "to be up until it answers.",
        ),
        (
            "",  # removed
            "The health check of UAT-1 was removed by Erin Envman at 4 Jan 2027, 10:10 UTC, "
            "after 1 hour 10 minutes down: nobody checks whether UAT-1 is up any more.",
        ),
    ],
)
def test_a_flagged_outage_ended_by_a_new_url_tells_the_people_it_told(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    make_booking: Factory,
    health_server: HealthServer,
    url: str,
    words: str,
) -> None:
    """Changing or removing the URL of a flagged outage ends it without an "up again";
    its bookers hear that in the app, and by mail and webhook as they heard it was down.
    The new URL starts afresh and may be flagged again."""
    settings = replace(SETTINGS, webhook_urls=("http://hooks.test/in",), webhook_secret="s" * 32)
    env = make_environment(name="UAT-1")
    erin = make_user(
        role=Role.ENVIRONMENT_MANAGER, email="erin@example.test", full_name="Erin Envman"
    )
    eve = make_user(role=Role.ENVIRONMENT_MANAGER, email="eve@example.test")
    tess = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    make_booking(env, created_by_id=tess.id, start=DAY0, end=DAY0 + 5 * DAY, note="load test")
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=settings)
    health_server.status = 503
    probe_at(sessions, NOW, settings)
    probe_at(sessions, NOW + 15 * MINUTE, settings)
    assert [(who, event) for who, event, _ in told(sessions)] == [
        (tess.id, "environment.down"),
        (erin.id, "environment.down"),
        (eve.id, "environment.down"),
    ]

    new = health_server.url + url if url else ""
    set_health_url(sessions, "UAT-1", new, actor=erin, now=NOW + 70 * MINUTE, settings=settings)
    said = words.format(url=new)
    assert told(sessions)[3:] == [  # not erin in the app: she changed it
        (
            tess.id,
            "environment.check_changed",
            f"{said} This is about your booking: load test on UAT-1 (4–8 Jan 2027).",
        ),
        (
            eve.id,
            "environment.check_changed",
            f"{said} The bookers told of its outage are told so too (1 booking).",
        ),
    ]
    changed = [m for m in mailed(sessions) if m[0] == "environment.check_changed"]
    assert sorted(target for _, target, _ in changed) == [
        "erin@example.test",
        "eve@example.test",
        "http://hooks.test/in",
        "tess@example.test",
    ]
    assert {subject for _, _, subject in changed} == {"envsched: UAT-1 has another health check"}
    with read_transaction(sessions) as session:
        hook = session.exec(select(Delivery).where(Delivery.target == "http://hooks.test/in"))
        payload = next(d.payload for d in hook.all() if d.event == "environment.check_changed")
    assert payload["url"] == (new or None) and payload["down_since"] == NOW.isoformat()
    if url:  # the new URL is watched afresh: down again, it is flagged and told again
        row = health_row(sessions, env)
        assert (row.state, row.flagged_at, row.told) == (HealthState.UNKNOWN, None, [])
        probe_at(sessions, NOW + 71 * MINUTE, settings)
        probe_at(sessions, NOW + 86 * MINUTE, settings)
        assert [event for _, event, _ in told(sessions)][-1] == "environment.down"


def test_an_outage_with_no_bookings_tells_the_environment_managers_in_the_app(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    health_server: HealthServer,
) -> None:
    env = make_environment(name="UAT-1")
    erin = make_user(role=Role.ENVIRONMENT_MANAGER, email="erin@example.test")
    make_user(role=Role.ENVIRONMENT_MANAGER, email="gone@example.test", active=False)
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    health_server.status = 503
    probe_at(sessions, NOW)
    probe_at(sessions, NOW + 15 * MINUTE)
    assert told(sessions) == [
        (
            erin.id,
            "environment.down",
            "UAT-1 has been down since 4 Jan 2027, 09:00 UTC (HTTP 503 Service Unavailable), "
            "longer than 15 minutes. Nobody has a booking on it from today on.",
        )
    ]
    with read_transaction(sessions) as session:
        note = session.exec(select(Notification)).one()
    assert (note.entity, note.entity_id) == ("environment", str(env.id))
    health_server.status = 200
    probe_at(sessions, NOW + 20 * MINUTE)
    assert told(sessions)[1][1:] == (
        "environment.up",
        "UAT-1 is up again since 4 Jan 2027, 09:20 UTC, after 20 minutes down. "
        "No booker was told of its outage.",
    )


def test_a_short_outage_tells_nobody(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    make_booking: Factory,
    health_server: HealthServer,
) -> None:
    env = make_environment(name="UAT-1")
    tess = make_user(role=Role.TEST_MANAGER, email="tess@example.test")
    make_booking(env, created_by_id=tess.id)
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    health_server.status = 500
    probe_at(sessions, NOW)
    health_server.status = 204
    probe_at(sessions, NOW + 10 * MINUTE)
    assert health_row(sessions, env).state == HealthState.UP
    assert told(sessions) == [] and mailed(sessions) == []


def test_the_history_keeps_the_newest_changes_only(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    env = make_environment(name="UAT-1")
    url = "http://uat-1.example.test/health"
    set_health_url(sessions, "UAT-1", url, actor=None, now=NOW, settings=SETTINGS)
    for n in range(HISTORY_KEPT + 5):
        found = Probe(up=n % 2 == 0, status_code=200 if n % 2 == 0 else 502, detail=f"probe {n}")
        record_probe(sessions, env.id or 0, url, found, now=NOW + n * MINUTE, settings=SETTINGS)
    with read_transaction(sessions) as session:
        history = health.history_of(session, env.id or 0, limit=HISTORY_KEPT * 2)
    assert len(history) == HISTORY_KEPT
    assert history[0].detail == f"probe {HISTORY_KEPT + 4}" and history[-1].detail == "probe 5"


def test_a_probe_of_a_url_changed_meanwhile_does_not_count(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    env = make_environment(name="UAT-1")
    set_health_url(
        sessions, "UAT-1", "http://old.example.test/", actor=None, now=NOW, settings=SETTINGS
    )
    set_health_url(
        sessions, "UAT-1", "https://new.example.test/ping", actor=None, now=NOW, settings=SETTINGS
    )
    down = Probe(up=False, status_code=None, detail="connection refused")
    gone = record_probe(
        sessions, env.id or 0, "http://old.example.test/", down, now=NOW, settings=SETTINGS
    )
    assert gone is None and health_row(sessions, env).state == HealthState.UNKNOWN


def test_a_changed_url_starts_afresh_and_an_empty_one_ends_the_checks(
    sessions: SessionFactory, make_environment: Factory, health_server: HealthServer
) -> None:
    env = make_environment(name="UAT-1")
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    probe_at(sessions, NOW + MINUTE)
    set_health_url(
        sessions,
        "UAT-1",
        health_server.url + "?deep=1",
        actor=None,
        now=NOW + 2 * MINUTE,
        settings=SETTINGS,
    )
    row = health_row(sessions, env)
    assert (row.state, row.since, row.checked_at) == (HealthState.UNKNOWN, NOW + 2 * MINUTE, None)
    assert (
        set_health_url(sessions, "UAT-1", "  ", actor=None, now=NOW + 3 * MINUTE, settings=SETTINGS)
        is None
    )
    with read_transaction(sessions) as session:
        assert health.health_of(session, env.id or 0) is None
        changes = session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "environment")
            .order_by(col(AuditEntry.id))
        ).all()
    assert [(c.before or {}).get("health_url") for c in changes] == [
        "",
        health_server.url,
        health_server.url + "?deep=1",
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://uat-1.example.test/", "is not an http:// or https:// URL"),
        ("uat-1.example.test/health", "is not an http:// or https:// URL"),
        ("javascript:alert(1)", "is not an http:// or https:// URL"),
        ("http://", "names no host"),
        ("http://uat-1.example.test:99999/", "has a port that is not a number up to 65535"),
        ("http://uat 1.example.test/", "a URL has no spaces"),
        ("https://example.test/" + "x" * 2000, "at most 2000 characters"),
    ],
)
def test_a_bad_url_is_refused_naming_the_field(
    sessions: SessionFactory, make_environment: Factory, url: str, problem: str
) -> None:
    make_environment(name="UAT-1")
    with pytest.raises(InvalidInput) as refused:
        set_health_url(sessions, "UAT-1", url, actor=None, now=NOW, settings=SETTINGS)
    assert refused.value.field == "url" and problem in refused.value.problem
    with read_transaction(sessions) as session:
        assert session.exec(select(EnvironmentHealth)).all() == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.ENVIRONMENT_MANAGER, True),
        (Role.TEST_MANAGER, False),
        (Role.RELEASE_MANAGER, False),
        (Role.PLANNER, False),
        (Role.VIEWER, False),
    ],
)
def test_only_environment_managers_and_admins_set_a_health_url(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    role: Role,
    allowed: bool,
) -> None:
    make_environment(name="UAT-1")
    actor = make_user(role=role)
    if allowed:
        assert set_health_url(
            sessions,
            "UAT-1",
            "https://uat-1.example.test/",
            actor=actor,
            now=NOW,
            settings=SETTINGS,
        )
    else:
        with pytest.raises(PermissionDenied, match="health:write"):
            set_health_url(
                sessions,
                "UAT-1",
                "https://uat-1.example.test/",
                actor=actor,
                now=NOW,
                settings=SETTINGS,
            )


def test_the_worker_job_probes_with_the_settings_of_its_environment(
    database_url: str,
    sessions: SessionFactory,
    make_environment: Factory,
    health_server: HealthServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVSCHED_DATABASE_URL", database_url)
    monkeypatch.setenv("ENVSCHED_HEALTH_TIMEOUT_SECONDS", "0.3")
    env = make_environment(name="UAT-1")
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=SETTINGS)
    health_server.delay = 1.0
    assert scheduler.scheduled_health() == 1
    assert health_row(sessions, env).detail == "no answer within 0.3 seconds"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENVSCHED_HEALTH_INTERVAL_SECONDS", "0"),
        ("ENVSCHED_HEALTH_TIMEOUT_SECONDS", "-1"),
        ("ENVSCHED_HEALTH_DOWN_MINUTES", "soon"),
    ],
)
def test_a_bad_health_setting_fails_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        Settings.from_env({variable: value})


def test_down_among_names_the_environments_down_longest_first_and_not_retired_ones(
    sessions: SessionFactory, make_environment: Factory
) -> None:
    for name in ("UAT-1", "UAT-2", "UAT-3", "UAT-4"):
        env = make_environment(name=name)
        url = f"https://{name.lower()}.example.test/"
        set_health_url(sessions, name, url, actor=None, now=NOW, settings=SETTINGS)
        up = name == "UAT-3"
        at = NOW + (MINUTE if name == "UAT-1" else 2 * MINUTE)
        found = Probe(up=up, status_code=200 if up else 503, detail="HTTP")
        record_probe(sessions, env.id or 0, url, found, now=at, settings=SETTINGS)
    with sessions.begin() as session:
        session.exec(
            select(Environment).where(Environment.name == "UAT-4")
        ).one().status = EnvironmentStatus.RETIRED
    with read_transaction(sessions) as session:
        assert list(health.down_among(session)) == ["UAT-1", "UAT-2"]
        assert list(health.down_among(session, ["UAT-2", "UAT-3"])) == ["UAT-2"]
