"""Alembic migrations, shipped inside the package so ``envsched db upgrade`` works anywhere.

There is no ``alembic.ini``: the configuration is built here from ``Settings``, and
the migration runs on a connection of our own engine (so SQLite gets the same
connection rules as the application).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from envsched.db import create_engine
from envsched.settings import Settings

SCRIPT_LOCATION = Path(__file__).parent


def alembic_config(engine: Engine) -> Config:
    """An Alembic ``Config`` that runs against ``engine`` (see ``env.py``)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Create or migrate the database named by ``settings``; the CLI's ``db upgrade``."""
    engine = create_engine(settings)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@functools.cache  # the scripts shipped with this code: they do not change while it runs
def head_revision() -> str | None:
    return ScriptDirectory(str(SCRIPT_LOCATION)).get_current_head()


@dataclass(frozen=True)
class SchemaStatus:
    """Whether the database answers and is at the revision this code needs; ``problem``
    says what is wrong ("" when nothing is)."""

    reachable: bool
    revision: str | None
    head: str | None
    problem: str

    @property
    def current(self) -> bool:
        return not self.problem


def schema_status(engine: Engine) -> SchemaStatus:
    """Ask the database for its revision; the CLI and ``/healthz`` judge it alike."""
    head = head_revision()
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "no answer"
        return SchemaStatus(False, None, head, f"cannot open the database: {reason}")
    if revision != head:
        return SchemaStatus(
            True,
            revision,
            head,
            f"the database schema is at revision "
            f"{revision or 'none'}, this code needs "
            f"{head}; run `envsched db upgrade`",
        )
    return SchemaStatus(True, revision, head, "")
