"""One round at a time: a second round while one runs is refused, across threads and processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import col, select

from envsched.db import SessionFactory
from envsched.models import PlanRun, PlanRunStatus
from envsched.planning.rounds.replan import INTERRUPTED, settle_interrupted_runs
from envsched.planning.rounds.runlock import MARGIN, ReplanBusy, round_lock, round_running
from tests.envsched import replan_workers
from tests.envsched.factories import NOW
from tests.envsched.stuck import dead_owner, elsewhere_owner, held_sqlite_lock, stuck_run

HOUR = dt.timedelta(hours=1)


def statuses(sessions: SessionFactory) -> list[str]:
    with sessions() as session:
        runs = session.exec(select(PlanRun).order_by(col(PlanRun.id))).all()
        return sorted(r.status.value for r in runs)


def test_a_round_while_another_holds_the_lock_is_refused_and_recorded(
    sessions: SessionFactory,
) -> None:
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
    sessions: SessionFactory,
) -> None:
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
    sessions: SessionFactory, database_url: str
) -> None:
    context = multiprocessing.get_context("forkserver")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=replan_workers.round_in_process, args=(database_url, barrier, results)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(results.get(timeout=5) for _ in workers) == ["done", "refused"]
    assert statuses(sessions) == ["done", "refused"]


def run_of(sessions: SessionFactory, run_id: int) -> PlanRun:
    with sessions() as session:
        return session.get_one(PlanRun, run_id)


def test_a_round_after_one_that_crashed_runs_and_marks_the_crashed_run_interrupted(
    sessions: SessionFactory, database_url: str
) -> None:
    crashed = multiprocessing.get_context("forkserver").Process(
        target=replan_workers.crash_mid_round, args=(database_url,)
    )
    crashed.start()
    crashed.join(120)
    assert crashed.exitcode == 3
    [stuck] = [r for r in all_runs(sessions) if r.status == PlanRunStatus.RUNNING]
    wait_until_free(sessions)  # PostgreSQL ends the dead client's session on its own time
    assert replan_workers.one_round(sessions) == "done"
    after = run_of(sessions, stuck.id or 0)
    assert (after.status, after.error, after.finished_at) == (
        PlanRunStatus.FAILED,
        INTERRUPTED,
        NOW,
    )


def all_runs(sessions: SessionFactory) -> list[PlanRun]:
    with sessions() as session:
        return list(session.exec(select(PlanRun).order_by(col(PlanRun.id))).all())


def wait_until_free(sessions: SessionFactory) -> None:
    for _ in range(100):
        if not round_running(sessions, NOW):
            return
        threading.Event().wait(0.1)
    raise AssertionError("the round lock of the crashed process was never given back")


def test_a_run_left_running_shows_failed_once_no_round_holds_the_lock(
    sessions: SessionFactory, backend: str
) -> None:
    stuck = stuck_run(sessions, NOW - HOUR)
    if backend == "sqlite":  # the crashed round's claim, still well within its time
        held_sqlite_lock(sessions, dead_owner(), NOW - HOUR, NOW + HOUR)
    with round_lock(sessions, NOW):  # a live round holds the lock: nothing is proved
        assert round_running(sessions, NOW)
        settle_interrupted_runs(sessions, NOW)
        assert run_of(sessions, stuck).status == PlanRunStatus.RUNNING
    assert not round_running(sessions, NOW)
    settle_interrupted_runs(sessions, NOW)
    assert (run_of(sessions, stuck).status, run_of(sessions, stuck).error) == (
        PlanRunStatus.FAILED,
        INTERRUPTED,
    )


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("holder", "stale_in", "taken"),
    [
        (elsewhere_owner, HOUR, False),  # alive as far as we know, within its time
        (elsewhere_owner, -dt.timedelta(seconds=1), True),  # past its time limit and margin
        (dead_owner, HOUR, True),  # within its time, but its process has ended
    ],
)
def test_a_sqlite_claim_is_taken_over_past_its_time_or_when_its_holder_is_gone(
    sessions: SessionFactory, holder: Callable[[], str], stale_in: dt.timedelta, taken: bool
) -> None:
    held_sqlite_lock(sessions, holder(), NOW - MARGIN, NOW + stale_in)
    assert round_running(sessions, NOW) is not taken
    if not taken:
        with pytest.raises(ReplanBusy):
            replan_workers.one_round(sessions)
        return
    assert replan_workers.one_round(sessions) == "done"
