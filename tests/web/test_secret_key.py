"""One key for every process: without ``ENVSCHED_SECRET_KEY`` a key is made once, kept
owner-only in the instance folder, and read by every process; sessions and calendar feed
URLs then hold across processes and restarts."""

from __future__ import annotations

import multiprocessing
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from envsched.errors import ConfigError
from envsched.models import Role, User
from envsched.settings import Settings
from tests.fixtures.web import UserOf
from tests.web.helpers import NOW, PASSWORD, csrf_token
from web import create_app
from web.calendar import feed_token
from web.secret_key import kept_key, secret_key


def test_a_key_is_made_once_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "secret_key"
    first = kept_key(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert kept_key(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_processes_starting_at_once_all_read_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=spawn) as pool:
        keys = set(pool.map(kept_key, [path] * 8))
    assert keys == {path.read_text().strip()}


def test_a_kept_key_others_may_read_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    kept_key(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError) as refused:
        kept_key(path)
    assert str(refused.value) == (
        f"ENVSCHED_SECRET_KEY: is not set, and others may read the key kept in {path} "
        f"(mode 644): chmod 600 {path}"
    )


def test_the_variable_wins_over_the_kept_key(tmp_path: Path) -> None:
    settings = Settings(secret_key="from-the-environment", instance_path=str(tmp_path))
    assert secret_key(settings) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def _app(engine: Engine, database_url: str, instance: Path) -> Flask:
    settings = Settings(database_url=database_url, instance_path=str(instance))
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    app.config["TESTING"] = True
    return app


def test_two_apps_without_the_variable_share_sessions_and_feed_urls(
    engine: Engine, database_url: str, tmp_path: Path, user_of: UserOf
) -> None:
    """Two ``create_app`` stand for two workers (or one process before and after a
    restart): a session begun on one is good on the other, and so is a feed URL."""
    user: User = user_of(Role.VIEWER)
    first, second = (_app(engine, database_url, tmp_path) for _ in range(2))
    browser = first.test_client()
    token = csrf_token(browser)
    signed_in = browser.post(
        "/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    cookie = browser.get_cookie("session")
    assert cookie is not None
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    assert other.get("/").status_code == 200
    with first.test_request_context():
        url = f"/calendar/release-calendar.ics?token={feed_token(user)}"
    assert second.test_client().get(url).status_code == 200
