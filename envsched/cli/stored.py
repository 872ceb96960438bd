"""The stored state, for the commands that read or write it: sessions on the configured
database once its schema is known to be current, and the time those commands stamp."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

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
    engine = sessions.kw["bind"]
    try:
        revision = migrations.current_revision(engine)
    except OperationalError as exc:
        raise ConfigError("ENVSCHED_DATABASE_URL", f"cannot open the database: "
                                                   f"{str(exc.orig).strip()}") from exc
    if revision != migrations.head_revision():
        raise ConfigError("ENVSCHED_DATABASE_URL", "the database schema is not current; "
                                                   "run `envsched db upgrade` first")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
