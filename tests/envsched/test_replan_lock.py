"""One round at a time: a second round while one runs is refused, across threads and processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.models import PlanRun, PlanRunStatus
from envsched.services.runlock import ReplanBusy, round_lock
from tests.envsched import replan_workers
from tests.envsched.factories import NOW


def statuses(sessions: SessionFactory) -> list[str]:
    with sessions() as session:
        runs = session.exec(select(PlanRun).order_by(col(PlanRun.id))).all()
        return sorted(r.status.value for r in runs)


def test_a_round_while_another_holds_the_lock_is_refused_and_recorded(
        sessions: SessionFactory) -> None:
    holding, release = threading.Event(), threading.Event()

    def first_round() -> None:
        with round_lock(sessions, NOW):
            holding.set()
            release.wait(30)

    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(first_round)
        holding.wait(30)
        with pytest.raises(ReplanBusy):
            replan_workers.one_round(sessions)
        release.set()
        held.result()
    assert statuses(sessions) == [PlanRunStatus.REFUSED.value]
    assert replan_workers.one_round(sessions) == "done"  # the lock was given back


def test_two_threads_starting_rounds_together_one_runs_one_is_refused(
        sessions: SessionFactory) -> None:
    ready = threading.Barrier(2)

    def contender(_: int) -> str:
        ready.wait()
        try:
            return replan_workers.one_round(sessions, hold_s=1.0)
        except ReplanBusy:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(contender, range(2)))
    assert outcomes == ["done", "refused"]
    assert statuses(sessions) == ["done", "refused"]


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL's lock dies with its connection
def test_a_stale_sqlite_claim_is_taken_over(sessions: SessionFactory) -> None:
    # The day-old claim counts as abandoned, so the second claim gets the lock.
    with round_lock(sessions, NOW - dt.timedelta(days=1)), round_lock(sessions, NOW):
        pass


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_processes_starting_rounds_together_one_runs_one_is_refused(
        sessions: SessionFactory, database_url: str) -> None:
    context = multiprocessing.get_context("forkserver")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=replan_workers.round_in_process,
                               args=(database_url, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(results.get(timeout=5) for _ in workers) == ["done", "refused"]
    assert statuses(sessions) == ["done", "refused"]
