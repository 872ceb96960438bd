"""``envsched worker`` as it runs: a real worker process on SQLite and PostgreSQL, real
solves of a contended state big enough that CP-SAT uses its whole time limit.

The tests observe the queue by polling it (bounded counts, never durations): which
solve ran first, that one slot never ran two, that the booking API answered meanwhile,
that cancelling leaves the runs cancelled, a worker killed with SIGKILL leaves them
failed, and the queue moving.

The contended state is imported once a backend for the module, into a template database
(a SQLite file; a PostgreSQL database), and each test gets a copy of it of its own (the
file copied; ``CREATE DATABASE … TEMPLATE``): the tests' solves write to it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from envsched.db import SessionFactory, create_engine, read_transaction
from envsched.generate import generate_scenario
from envsched.models import Role, SolveJob, SolveStatus, WhatIf, WhatIfStatus
from envsched.planning.whatif.service import create_whatif
from envsched.settings import Settings
from envsched.solves import queue_whatif
from envsched.transfer.scenario_import import import_scenario
from solver.scenario_file import scenario_to_dict
from tests.envsched.factories import NOW
from tests.fixtures.database import LoadedTemplates

LONG = 600.0  # seconds a solve may take: these are cancelled or killed long before
SHORT = 2.0  # the state is big enough that CP-SAT uses all of it
POLLS = 3000  # at most this many looks at the queue (0.1 s apart) for one state
Headers = Callable[..., dict[str, str]]


def import_contended_state(sessions: SessionFactory, directory: Path) -> None:
    """150 releases on 20 environments, every phase half as long again as a busy year's."""
    scenario = generate_scenario(150, 20, seed=1, contention=1.5)
    path = directory / "contended.json"
    path.write_text(json.dumps(scenario_to_dict(scenario)))
    import_scenario(sessions, path, NOW)


@pytest.fixture(scope="module")
def contended_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedTemplates]:
    directory = tmp_path_factory.mktemp("contended")
    templates = LoadedTemplates(
        directory, "contended", lambda sessions: import_contended_state(sessions, directory)
    )
    yield templates
    templates.drop()


@pytest.fixture
def database_url(
    backend: str, contended_templates: LoadedTemplates, tmp_path: Path
) -> Iterator[str]:
    """This module's database: a copy of the contended state, not an empty one."""
    with contended_templates.copy(backend, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(Settings(database_url=database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def contended(sessions: SessionFactory) -> SessionFactory:
    """The test's copy of the contended state (``database_url``)."""
    return sessions


@pytest.fixture
def start_worker(database_url: str) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        env = dict(
            os.environ,
            ENVSCHED_DATABASE_URL=database_url,
            ENVSCHED_SOLVE_SLOTS="1",
            ENVSCHED_WORKER_POLL_SECONDS="0.1",
            ENVSCHED_WORKER_LEASE_SECONDS="5",
        )
        started.append(subprocess.Popen([sys.executable, "-m", "envsched", "worker"], env=env))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def queued(sessions: SessionFactory, name: str, seconds: float) -> SolveJob:
    made = create_whatif(sessions, name, actor=None, now=NOW)
    return queue_whatif(sessions, made.id or 0, time_limit=seconds, now=NOW, actor=None)


def job_status(sessions: SessionFactory, job: SolveJob) -> SolveStatus:
    with read_transaction(sessions) as session:
        return session.get_one(SolveJob, job.id).status


def whatif_of(sessions: SessionFactory, job: SolveJob) -> WhatIf:
    with read_transaction(sessions) as session:
        return session.get_one(WhatIf, job.target_id)


def solving(sessions: SessionFactory, job: SolveJob) -> bool:
    """The solve runs and the solver has reported (the child is past starting up)."""
    progress = whatif_of(sessions, job).progress or {}
    return job_status(sessions, job) == SolveStatus.RUNNING and progress.get("stage") not in (
        None,
        "queued",
        "starting",
    )


def wait_until(check: Callable[[], bool]) -> None:
    for _ in range(POLLS):
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("the queue never reached the state waited for")


def test_one_slot_runs_two_queued_whatifs_one_after_the_other_while_bookings_answer(
    contended: SessionFactory,
    start_worker: Callable[[], subprocess.Popen[bytes]],
    client: FlaskClient,
    token_headers: Headers,
) -> None:
    first, second = queued(contended, "first", SHORT), queued(contended, "second", SHORT)
    headers = token_headers(Role.VIEWER)
    places = client.get("/api/v1/solves", headers=headers).get_json()
    assert [(s["job"], s["status"], s["place"]) for s in places] == [
        (first.id, "queued", 1),
        (second.id, "queued", 2),
    ]
    start_worker()
    seen: list[tuple[SolveStatus, SolveStatus]] = []
    answered_meanwhile = 0
    for _ in range(POLLS):
        state = (job_status(contended, first), job_status(contended, second))
        if not seen or seen[-1] != state:
            seen.append(state)
        if SolveStatus.RUNNING in state:
            answered_meanwhile += client.get("/api/v1/bookings", headers=headers).status_code == 200
        if state == (SolveStatus.DONE, SolveStatus.DONE):
            break
        time.sleep(0.1)
    Q, R, D = SolveStatus.QUEUED, SolveStatus.RUNNING, SolveStatus.DONE
    after_start = [state for state in seen if state != (Q, Q)]
    assert after_start in (
        [(R, Q), (D, Q), (D, R), (D, D)],
        [(R, Q), (D, R), (D, D)],
    )  # the second may start between looks
    assert answered_meanwhile >= 2
    assert [whatif_of(contended, j).status for j in (first, second)] == [WhatIfStatus.DONE] * 2


def test_a_queued_and_a_running_solve_are_cancelled_and_the_next_one_runs(
    contended: SessionFactory,
    start_worker: Callable[[], subprocess.Popen[bytes]],
    client: FlaskClient,
    token_headers: Headers,
) -> None:
    running, waiting = queued(contended, "long", LONG), queued(contended, "waiting", LONG)
    last = queued(contended, "last", SHORT)
    worker = start_worker()
    wait_until(lambda: solving(contended, running))
    headers = token_headers(Role.PLANNER)
    answer = client.post(f"/api/v1/solves/{waiting.id}/cancel", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["status"] == "cancelled"
    assert whatif_of(contended, waiting).status == WhatIfStatus.CANCELLED
    assert whatif_of(contended, waiting).error.startswith("cancelled by ")
    stopping = client.post(f"/api/v1/solves/{running.id}/cancel", headers=headers).get_json()
    assert stopping["cancel_requested"] is True
    wait_until(lambda: job_status(contended, last) == SolveStatus.DONE)
    assert job_status(contended, running) == SolveStatus.CANCELLED
    stopped = whatif_of(contended, running)
    assert stopped.status == WhatIfStatus.CANCELLED and "while it ran" in stopped.error
    again = client.post(f"/api/v1/solves/{running.id}/cancel", headers=headers)
    assert again.status_code == 409
    assert worker.poll() is None  # the worker goes on


def test_a_worker_killed_mid_solve_leaves_it_failed_and_the_next_worker_runs_the_next(
    contended: SessionFactory, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    lost, next_one = queued(contended, "lost", LONG), queued(contended, "next", SHORT)
    killed = start_worker()
    wait_until(lambda: solving(contended, lost))
    killed.send_signal(signal.SIGKILL)
    killed.wait(60)
    start_worker()
    wait_until(lambda: job_status(contended, next_one) == SolveStatus.DONE)
    assert job_status(contended, lost) == SolveStatus.FAILED
    failed = whatif_of(contended, lost)
    assert failed.status == WhatIfStatus.FAILED and "interrupted" in failed.error
    assert whatif_of(contended, next_one).status == WhatIfStatus.DONE
