"""Rounds the lock tests run in threads and in separate processes (importable by a fork server)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from envsched.db import SessionFactory, create_engine, session_factory
from envsched.models import PlanTrigger
from envsched.notify import Notifier
from envsched.planning.rounds.replan import replan
from envsched.planning.rounds.runlock import ReplanBusy
from envsched.settings import Settings
from tests.envsched.factories import NOW


class SlowNotifier(Notifier):
    """Keeps the round (and its lock) busy a while after solving, as a long round would."""

    def __init__(self, hold_s: float) -> None:
        super().__init__(Settings())
        self.hold_s = hold_s

    def after_round(self, sessions: SessionFactory, run: Any, now: dt.datetime) -> None:
        import time

        time.sleep(self.hold_s)


def one_round(sessions: SessionFactory, hold_s: float = 0.0) -> str:
    run = replan(
        sessions, trigger=PlanTrigger.API, now=NOW, time_limit=2.0, notifier=SlowNotifier(hold_s)
    )
    return run.status.value


def round_in_process(url: str, barrier: Any, results: Any) -> None:
    engine = create_engine(Settings(database_url=url))
    try:
        barrier.wait()
        try:
            results.put(one_round(session_factory(engine), hold_s=3.0))
        except ReplanBusy:
            results.put("refused")
    finally:
        engine.dispose()


def crash_mid_round(url: str) -> None:
    """Start a round and die in its middle, holding the lock, its run left "running"."""
    engine = create_engine(Settings(database_url=url))
    replan(
        session_factory(engine),
        trigger=PlanTrigger.SCHEDULED,
        now=NOW,
        time_limit=2.0,
        progress=lambda _progress: os._exit(3),
    )
