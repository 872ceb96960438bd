"""``envsched worker`` probes health URLs on its own: a real worker process, a real HTTP
server going down and coming back, the outage flagged and told (``ENVSCHED_HEALTH_DOWN_
MINUTES=0``: at the first failed probe) while the worker keeps turning, and the worker's
own interval and down-minutes recorded with its probes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.health import set_health_url
from envsched.models import EnvironmentHealth, HealthState, Notification, Role
from envsched.settings import Settings
from tests.envsched.factories import NOW, Factory
from tests.envsched.health_server import HealthServer

POLLS = 600  # looks at the database, 0.1 s apart, for one state


@pytest.fixture
def worker(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(
        os.environ,
        ENVSCHED_DATABASE_URL=database_url,
        ENVSCHED_WORKER_POLL_SECONDS="0.2",
        ENVSCHED_HEALTH_INTERVAL_SECONDS="1",
        ENVSCHED_HEALTH_TIMEOUT_SECONDS="1",
        ENVSCHED_HEALTH_DOWN_MINUTES="0",
    )
    process = subprocess.Popen([sys.executable, "-m", "envsched", "worker"], env=env)
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(60)


def wait_for(check: Callable[[], bool]) -> None:
    for _ in range(POLLS):
        if check():
            return
        time.sleep(0.1)
    pytest.fail("the worker did not get there in time")


def test_the_worker_probes_on_its_interval_and_tells_of_an_outage_and_its_end(
    sessions: SessionFactory,
    make_environment: Factory,
    make_user: Factory,
    make_booking: Factory,
    health_server: HealthServer,
    worker: subprocess.Popen[bytes],
) -> None:
    env = make_environment(name="UAT-1")
    tess = make_user(role=Role.TEST_MANAGER)
    make_booking(env, created_by_id=tess.id, start=NOW.date(), end=NOW.date().replace(year=2999))
    set_health_url(sessions, "UAT-1", health_server.url, actor=None, now=NOW, settings=Settings())

    def state() -> HealthState:
        with read_transaction(sessions) as session:
            return session.get_one(EnvironmentHealth, env.id).state

    def events() -> list[str]:
        with read_transaction(sessions) as session:
            query = select(Notification.event).order_by(col(Notification.id))
            return list(session.exec(query).all())

    wait_for(lambda: state() == HealthState.UP)
    health_server.stop()
    wait_for(lambda: events() == ["environment.down"])
    assert state() == HealthState.DOWN
    health_server.start()
    wait_for(lambda: events() == ["environment.down", "environment.up"])
    assert state() == HealthState.UP and worker.poll() is None
    with read_transaction(sessions) as session:  # what the pages show is the worker's
        row = session.get_one(EnvironmentHealth, env.id)
        assert (row.worker_interval_seconds, row.worker_down_minutes) == (1, 0)
