"""The delivery queue against a real local webhook receiver, on SQLite and PostgreSQL:
retried with backoff until delivered once, expired when it never gets through, one
sender per delivery, and never sent while a planning round holds its lock."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from sqlmodel import select

from envsched import scheduler
from envsched.cli import main
from envsched.db import SessionFactory, read_transaction
from envsched.models import DeliveryStatus, PlanRun, PlanRunStatus, Role
from envsched.notify import (
    DELIVERY_HEADER,
    Event,
    attempts_of,
    enqueue_event,
    queued,
    send_due,
)
from envsched.planning.rounds.runlock import round_running
from tests.envsched.factories import DAY0, NOW, Factory
from tests.envsched.receivers import SECRET, Clock, Receiver
from tests.envsched.test_replan import DAY, run_round

EVENT = Event(
    name="round.clashes",
    subject="1 new clash",
    text="UAT-1 overbooked",
    payload={"event": "round.clashes", "run": 1},
)


def enqueue(sessions: SessionFactory, receiver: Receiver, count: int = 1, **settings: int) -> None:
    with sessions.begin() as session:
        for _ in range(count):
            enqueue_event(session, EVENT, [], receiver.settings(**settings), NOW)


def test_a_webhook_failing_twice_is_retried_with_backoff_and_delivered_once(
    sessions: SessionFactory, receiver: Receiver, clock: Clock
) -> None:
    receiver.state.failures = 2
    enqueue(sessions, receiver)
    settings = receiver.settings()
    assert send_due(sessions, settings, clock) == {DeliveryStatus.PENDING: 1}
    [delivery] = queued(sessions)
    assert delivery.next_attempt_at == NOW + dt.timedelta(seconds=60)
    clock.advance(seconds=59)
    assert send_due(sessions, settings, clock) == {}  # not due yet: nothing is sent
    clock.advance(seconds=1)
    assert send_due(sessions, settings, clock) == {DeliveryStatus.PENDING: 1}
    [delivery] = queued(sessions)
    assert delivery.next_attempt_at == clock.now + dt.timedelta(seconds=120)  # doubled
    clock.advance(seconds=120)
    assert send_due(sessions, settings, clock) == {DeliveryStatus.DELIVERED: 1}
    clock.advance(hours=2)
    assert send_due(sessions, settings, clock) == {}  # delivered: never sent again
    [delivery] = queued(sessions)
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
        DeliveryStatus.DELIVERED,
        3,
        clock.now - dt.timedelta(hours=2),
    )
    assert [r.headers[DELIVERY_HEADER] for r in receiver.requests] == [delivery.uid] * 3
    assert [(a.attempt, a.ok, a.status_code) for a in attempts_of(sessions, delivery.id)] == [
        (1, False, 503),
        (2, False, 503),
        (3, True, 204),
    ]


def test_a_webhook_that_always_fails_expires_and_is_marked_so(
    sessions: SessionFactory, receiver: Receiver, clock: Clock
) -> None:
    receiver.state.failures = 10_000
    enqueue(sessions, receiver, delivery_max_age_hours=3)
    settings = receiver.settings(delivery_max_age_hours=3)
    statuses: list[DeliveryStatus] = []
    for _ in range(20):
        statuses += send_due(sessions, settings, clock).elements()
        clock.advance(hours=1)  # the longest wait: every try comes due
    [delivery] = queued(sessions)
    assert delivery.status == DeliveryStatus.EXPIRED
    assert statuses[-1] == DeliveryStatus.EXPIRED and statuses.count(DeliveryStatus.EXPIRED) == 1
    assert delivery.last_error == "HTTP 503" and delivery.attempts == len(receiver.requests)
    # waits of 1, 2, 4, ... minutes, the last try at most 3 hours after it was queued
    assert delivery.last_attempt_at is not None
    assert delivery.last_attempt_at <= delivery.expires_at == NOW + dt.timedelta(hours=3)


def test_two_senders_at_once_deliver_each_delivery_once(
    sessions: SessionFactory, receiver: Receiver, clock: Clock
) -> None:
    enqueue(sessions, receiver, count=12)
    start = threading.Barrier(2)

    def sender(_: int) -> int:
        start.wait()
        return sum(send_due(sessions, receiver.settings(), clock).values())

    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(sender, range(2)))
    uids = sorted(r.headers[DELIVERY_HEADER] for r in receiver.requests)
    assert uids == sorted(d.uid for d in queued(sessions)) and len(set(uids)) == 12
    assert sum(sent) == 12
    assert {d.status for d in queued(sessions)} == {DeliveryStatus.DELIVERED}


def test_deliveries_are_queued_with_the_callers_transaction_or_not_at_all(
    sessions: SessionFactory, receiver: Receiver
) -> None:
    with pytest.raises(RuntimeError), sessions.begin() as session:
        enqueue_event(session, EVENT, [], receiver.settings(), NOW)
        raise RuntimeError("what caused the event failed")
    assert queued(sessions) == []


def test_a_round_with_a_failing_webhook_ends_before_its_delivery_is_attempted(
    sessions: SessionFactory,
    receiver: Receiver,
    clock: Clock,
    make_user: Factory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    make_user(role=Role.ENVIRONMENT_MANAGER, email="erin@example.test")
    a_clash(sessions, make_environment, make_phase, make_release, make_booking)
    receiver.state.failures = 1
    receiver.state.observe = lambda: (round_running(sessions, NOW), run_statuses(sessions))
    run = run_round(sessions, settings=receiver.settings())
    assert run.status == PlanRunStatus.DONE and receiver.requests == []
    [delivery] = queued(sessions)  # the webhook's: no mail server is set
    assert (delivery.event, delivery.attempts) == ("round.clashes", 0)
    assert send_due(sessions, receiver.settings(), clock) == {DeliveryStatus.PENDING: 1}
    clock.advance(minutes=1)
    assert send_due(sessions, receiver.settings(), clock) == {DeliveryStatus.DELIVERED: 1}
    # each attempt found the round's lock given back and its run recorded as done
    assert [r.seen for r in receiver.requests] == [(False, ["done"]), (False, ["done"])]


def a_clash(
    sessions: SessionFactory,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    from tests.envsched import factories

    env = make_environment()
    factories.make_window(sessions, env, start=DAY0 + DAY, end=DAY0 + 2 * DAY)
    make_booking(env, phase_id=make_phase(make_release()).id, start=DAY0, end=DAY0 + 3 * DAY)


def run_statuses(sessions: SessionFactory) -> list[str]:
    with read_transaction(sessions) as session:
        return [r.status.value for r in session.exec(select(PlanRun)).all()]


@pytest.fixture
def configured(database_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment of a process (the CLI, the scheduler) sending to ``receiver``."""
    monkeypatch.setenv("ENVSCHED_DATABASE_URL", database_url)
    monkeypatch.setenv("ENVSCHED_WEBHOOK_URLS", receiver.url)
    monkeypatch.setenv("ENVSCHED_WEBHOOK_SECRET", SECRET)
    return database_url


def enqueue_due_now(sessions: SessionFactory, receiver: Receiver, count: int) -> None:
    """Queued a minute ago by the real clock, which these processes read."""
    a_minute_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with sessions.begin() as session:
        for _ in range(count):
            enqueue_event(session, EVENT, [], receiver.settings(), a_minute_ago)


def test_notify_send_due_sends_what_is_due_and_says_how_it_went(
    configured: str, sessions: SessionFactory, receiver: Receiver
) -> None:
    enqueue_due_now(sessions, receiver, count=2)
    receiver.state.failures = 1
    result = CliRunner().invoke(main, ["notify", "send-due"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "delivered 1, to retry 1, expired 0\n"
    assert len(receiver.requests) == 2


def test_the_schedulers_notify_job_sends_what_is_due(
    configured: str, sessions: SessionFactory, receiver: Receiver
) -> None:
    enqueue_due_now(sessions, receiver, count=3)
    assert scheduler.scheduled_notify() == 3
    assert {d.status for d in queued(sessions)} == {DeliveryStatus.DELIVERED}


def test_envsched_replan_sends_what_its_round_queued_once_the_lock_is_given_back(
    configured: str,
    sessions: SessionFactory,
    receiver: Receiver,
    make_environment: Factory,
    make_phase: Factory,
    make_release: Factory,
    make_booking: Factory,
) -> None:
    a_clash(sessions, make_environment, make_phase, make_release, make_booking)
    receiver.state.failures = 1  # down for now: the round must not wait for it
    receiver.state.observe = lambda: (
        round_running(sessions, dt.datetime.now(dt.UTC)),
        run_statuses(sessions),
    )
    result = CliRunner().invoke(main, ["replan", "--time-limit", "2"])
    assert result.exit_code == 0, result.stderr
    assert [r.seen for r in receiver.requests] == [(False, ["done"])]
    [delivery] = queued(sessions)
    assert (delivery.event, delivery.status, delivery.attempts) == (
        "round.clashes",
        DeliveryStatus.PENDING,
        1,
    )
