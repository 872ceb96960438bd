"""The solve queue's verbs on SQLite and PostgreSQL: claiming in order and once, the
nightly job queueing its round for the worker, one round at a time, a lost worker's
solve settled. The worker process itself: ``tests/web/test_worker.py``."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import col, select

from envsched.cli import main
from envsched.db import SessionFactory, read_transaction
from envsched.models import PlanRun, PlanTrigger, SolveJob, SolveStatus, WhatIf, WhatIfStatus
from envsched.planning.rounds.runlock import ReplanBusy
from envsched.settings import Settings
from envsched.solves import drain, open_entries, queue_replan, queue_whatif
from envsched.solves.queue import claim_next, heartbeat, settle_lost
from envsched.solves.worker import build_scheduler, queue_scheduled_round
from tests.envsched.factories import NOW, Factory
from tests.envsched.stuck import dead_owner
from tests.envsched.test_whatif import new_whatif

LEASE = dt.timedelta(seconds=60)


def queued_whatifs(sessions: SessionFactory, count: int) -> list[SolveJob]:
    return [
        queue_whatif(
            sessions, new_whatif(sessions, f"w{i}").id or 0, time_limit=2, now=NOW, actor=None
        )
        for i in range(count)
    ]


@pytest.mark.usefixtures("state")
def test_workers_claim_queued_solves_oldest_first_and_each_exactly_once(
    sessions: SessionFactory,
) -> None:
    jobs = queued_whatifs(sessions, 6)
    with read_transaction(sessions) as session:
        assert [e.place for e in open_entries(session)] == [1, 2, 3, 4, 5, 6]
    claimed: list[int] = []
    lock = threading.Lock()

    def claim_all(owner: str) -> None:
        while (job := claim_next(sessions, owner, NOW)) is not None:
            with lock:
                claimed.append(job.id or 0)

    threads = [threading.Thread(target=claim_all, args=(f"host:{n}:w",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [j.id for j in jobs]  # all taken, none twice
    with read_transaction(sessions) as session:
        assert {e.status for e in open_entries(session)} == {SolveStatus.RUNNING}


def test_the_nightly_job_queues_a_scheduled_round_that_the_worker_runs(
    database_url: str,
    sessions: SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
) -> None:
    monkeypatch.setenv("ENVSCHED_DATABASE_URL", database_url)
    make_environment()
    make_phase(make_release(earliest_start=dt.date.today() + dt.timedelta(days=30)))
    run_id = queue_scheduled_round()
    assert queue_scheduled_round() is None  # one round at a time: the second is refused
    assert drain(sessions, Settings(database_url=database_url, replan_time_limit=3)) == 1
    with read_transaction(sessions) as session:
        run = session.get_one(PlanRun, run_id)
        assert (run.trigger, run.status.value) == (PlanTrigger.SCHEDULED, "done")
        assert run.diff is not None and len(run.diff.placed) == 1


def test_a_round_is_refused_while_another_is_queued_and_recorded_as_refused(
    sessions: SessionFactory,
) -> None:
    queue_replan(sessions, trigger=PlanTrigger.API, now=NOW)
    with pytest.raises(ReplanBusy):
        queue_replan(sessions, trigger=PlanTrigger.API, now=NOW)
    with read_transaction(sessions) as session:
        runs = session.exec(select(PlanRun).order_by(col(PlanRun.id))).all()
        assert [r.status.value for r in runs] == ["running", "refused"]


@pytest.mark.usefixtures("state")
def test_a_solve_whose_worker_is_gone_is_failed_with_its_whatif_and_a_live_one_is_kept(
    sessions: SessionFactory,
) -> None:
    lost, kept = queued_whatifs(sessions, 2)
    gone = dead_owner()
    claim_next(sessions, gone, NOW)
    claim_next(sessions, "another-host.example:1:live", NOW)
    heartbeat(sessions, "another-host.example:1:live", NOW + LEASE)
    assert settle_lost(sessions, NOW + LEASE, LEASE) == [lost.id]
    with read_transaction(sessions) as session:
        assert session.get_one(SolveJob, lost.id).status == SolveStatus.FAILED
        assert session.get_one(SolveJob, kept.id).status == SolveStatus.RUNNING
        failed = session.get_one(WhatIf, lost.target_id)
        assert failed.status == WhatIfStatus.FAILED and gone in failed.error
    assert settle_lost(sessions, NOW + 3 * LEASE, LEASE) == [kept.id]  # silent too long


def test_the_worker_stores_the_nightly_job_that_queues_the_round(
    database_url: str, engine: Engine, sessions: SessionFactory
) -> None:
    settings = Settings(database_url=database_url, replan_cron="30 1 * * *")
    scheduler = build_scheduler(settings, sessions)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("envsched-replan")
        assert job.func is queue_scheduled_round
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("command", ["worker", "scheduler"])  # the former name is an alias
def test_envsched_worker_drain_runs_what_is_queued_and_exits(
    database_url: str, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("ENVSCHED_DATABASE_URL", database_url)
    monkeypatch.setenv("ENVSCHED_REPLAN_TIME_LIMIT", "2")
    run = queue_replan(sessions, trigger=PlanTrigger.API, now=NOW)
    result = CliRunner().invoke(main, [command, "--drain"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 solve run"
    with read_transaction(sessions) as session:
        assert session.get_one(PlanRun, run.id).status.value == "done"
