"""Many writers booking the same environment-days at once: exactly ``capacity`` win.

SQLite runs on a file (threads share it like separate web workers would); PostgreSQL
also gets separate processes, which share nothing but the database.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import col, func, select

from envsched.booking.shapes import BookingIn
from envsched.db import SessionFactory
from envsched.models import LIVE_STATUSES, Booking
from tests.envsched import workers
from tests.envsched.factories import DAY0, NOW, Factory

THREADS = 50
PROCESSES = 12
START, END = DAY0 + dt.timedelta(days=3), DAY0 + dt.timedelta(days=8)


def live_bookings(sessions: SessionFactory) -> int:
    with sessions() as session:
        query = (
            select(func.count()).select_from(Booking).where(col(Booking.status).in_(LIVE_STATUSES))
        )
        return session.exec(query).one()


@pytest.mark.parametrize("capacity", [1, 3])
def test_fifty_threads_booking_the_same_days_get_exactly_capacity_bookings(
    sessions: SessionFactory, make_environment: Factory, capacity: int
) -> None:
    env = make_environment(capacity=capacity)
    ready = threading.Barrier(THREADS)
    data = BookingIn(environment=env.name, start=START, end=END)

    def one_writer(_: int) -> str:
        ready.wait()
        return workers.attempt(sessions, data, NOW)

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(one_writer, range(THREADS)))
    assert outcomes.count(workers.BOOKED) == capacity
    assert outcomes.count(workers.CONFLICT) == THREADS - capacity
    assert live_bookings(sessions) == capacity


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("capacity", [1, 3])
def test_separate_processes_booking_the_same_days_get_exactly_capacity_bookings(
    sessions: SessionFactory, database_url: str, make_environment: Factory, capacity: int
) -> None:
    env = make_environment(capacity=capacity)
    # A fork server imports our code once and forks clean workers from it: as separate as
    # spawn, without every process paying for the imports.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.envsched.workers"])
    ready, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(
            target=workers.book_once, args=(database_url, env.name, START, END, ready, results)
        )
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * PROCESSES
    assert outcomes.count(workers.BOOKED) == capacity
    assert outcomes.count(workers.CONFLICT) == PROCESSES - capacity
    assert live_bookings(sessions) == capacity
