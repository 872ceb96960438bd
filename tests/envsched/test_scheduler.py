"""The scheduled job, triggered directly (not at 02:00), and ``envsched replan`` end to end."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import col, select

from envsched import scheduler
from envsched.cli import main
from envsched.db import SessionFactory
from envsched.errors import ConfigError
from envsched.models import PlanRun
from envsched.settings import Settings
from tests.envsched.factories import DAY0, Factory, diff_of

DAY = dt.timedelta(days=1)


@pytest.fixture
def configured(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ENVSCHED_DATABASE_URL", database_url)
    monkeypatch.setenv("ENVSCHED_REPLAN_TIME_LIMIT", "3")
    return database_url


def runs(sessions: SessionFactory) -> list[PlanRun]:
    with sessions() as session:
        return list(session.exec(select(PlanRun).order_by(col(PlanRun.id))).all())


def test_the_scheduled_job_records_a_scheduled_run(
    configured: str,
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
) -> None:
    make_environment()
    make_phase(make_release(earliest_start=dt.date.today() + 30 * DAY))
    run_id = scheduler.scheduled_replan()
    [run] = runs(sessions)
    assert run.id == run_id and run.trigger.value == "scheduled" and run.status.value == "done"
    assert len(diff_of(run).placed) == 1


def test_the_jobs_are_stored_in_the_application_database_on_the_configured_cron(
    configured: str, engine: Engine
) -> None:
    settings = Settings(database_url=configured, replan_cron="30 1 * * *", timezone="Europe/Berlin")
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    background = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        timezone="Europe/Berlin",
    )
    background.start(paused=True)
    try:
        scheduler.add_jobs(background, settings)
        job = background.get_job(scheduler.REPLAN_JOB)
        assert job.func is scheduler.scheduled_replan
        fire = job.trigger.get_next_fire_time(None, dt.datetime(2027, 1, 4, tzinfo=dt.UTC))
        assert (fire.hour, fire.minute, str(fire.tzinfo)) == (1, 30, "Europe/Berlin")
    finally:
        background.shutdown(wait=False)
    stored = SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")
    stored.start(background, "default")
    assert {j.id for j in stored.get_all_jobs()} == {
        scheduler.REPLAN_JOB,
        scheduler.NOTIFY_JOB,
        scheduler.HEALTH_JOB,
    }


def test_replan_json_prints_status_metrics_flags_and_diff(
    configured: str, make_environment: Factory, make_phase: Factory, make_release: Factory
) -> None:
    make_environment()
    make_phase(make_release(key="R1", earliest_start=DAY0 + 30 * DAY))
    result = CliRunner().invoke(main, ["replan", "--json", "--dry-run", "--time-limit", "3"])
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["status"] == "done" and printed["dry_run"] is True
    assert printed["metrics"]["placed_phases"] == 1
    assert set(printed["flags"]) >= {"clashes", "shortfalls", "remedies"}
    assert set(printed["diff"]) >= {"moved", "placed", "unplaced"}


def test_replan_summary_says_what_the_round_did(configured: str) -> None:
    result = CliRunner().invoke(main, ["replan", "--time-limit", "2"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split(":", 1)[1].startswith(" done (OPTIMAL)")
    assert "moved 0, placed 0, unplaced 0" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENVSCHED_REPLAN_CRON", "every night"),
        ("ENVSCHED_TIMEZONE", "Mars/Olympus"),
        ("ENVSCHED_WEBHOOK_URLS", "ftp://example.test/hook"),
        ("ENVSCHED_NEAR_TERM_DAYS", "-1"),
    ],
)
def test_a_bad_scheduler_setting_fails_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        Settings.from_env({variable: value})


def test_scheduler_settings_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "ENVSCHED_REPLAN_CRON": "15 3 * * 1-5",
            "ENVSCHED_TIMEZONE": "Europe/Berlin",
            "ENVSCHED_REPLAN_AUTO_APPLY": "true",
            "ENVSCHED_NEAR_TERM_DAYS": "0",
            "ENVSCHED_WEBHOOK_URLS": "http://a.test/h, https://b.test/h",
            "ENVSCHED_WEBHOOK_SECRET": "k",
        }
    )
    assert (settings.replan_cron, settings.timezone) == ("15 3 * * 1-5", "Europe/Berlin")
    assert settings.replan_auto_apply and settings.near_term_days == 0
    assert settings.webhook_urls == ("http://a.test/h", "https://b.test/h")
    assert Settings().webhook_urls == () and Settings().replan_cron == "0 2 * * *"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"ENVSCHED_WEBHOOK_URLS": "https://a.test/h"}, "ENVSCHED_WEBHOOK_SECRET"),
        (
            {"ENVSCHED_SMTP_USERNAME": "mailer", "ENVSCHED_SMTP_PASSWORD": "p"},
            "ENVSCHED_SMTP_USERNAME",
        ),
        ({"ENVSCHED_DELIVERY_RETRY_SECONDS": "0"}, "ENVSCHED_DELIVERY_RETRY_SECONDS"),
        ({"ENVSCHED_DELIVERY_MAX_AGE_HOURS": "soon"}, "ENVSCHED_DELIVERY_MAX_AGE_HOURS"),
    ],
)
def test_notification_settings_that_cannot_be_trusted_fail_naming_the_variable(
    environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        Settings.from_env(environ)


def test_mail_settings_read_from_the_environment_keep_the_password_out_of_sight() -> None:
    settings = Settings.from_env(
        {
            "ENVSCHED_SMTP_HOST": "mail.test",
            "ENVSCHED_SMTP_STARTTLS": "true",
            "ENVSCHED_SMTP_USERNAME": "mailer",
            "ENVSCHED_SMTP_PASSWORD": "hunter2-secret",
        }
    )
    assert (settings.smtp_starttls, settings.smtp_username) == (True, "mailer")
    assert settings.smtp_password == "hunter2-secret"
    assert "hunter2-secret" not in repr(settings)
