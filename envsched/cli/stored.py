"""The stored state, for the commands that read or write it: sessions on the configured
database once its schema is known to be current, and the time those commands stamp."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from envsched import migrations
from envsched.db import SessionFactory, database
from envsched.errors import ConfigError
from envsched.settings import Settings


@contextmanager
def stored_state() -> Iterator[SessionFactory]:
    """Sessions on the configured database, once its schema is known to be current."""
    with database(Settings.from_env()) as sessions:
        _check_schema(sessions)
        yield sessions


def _check_schema(sessions: SessionFactory) -> None:
    status = migrations.schema_status(sessions.kw["bind"])
    if not status.current:
        raise ConfigError("ENVSCHED_DATABASE_URL", status.problem)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
