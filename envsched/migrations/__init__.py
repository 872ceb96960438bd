"""Alembic migrations, shipped inside the package so ``envsched db upgrade`` works anywhere.

There is no ``alembic.ini``: the configuration is built here from ``Settings``, and
the migration runs on a connection of our own engine (so SQLite gets the same
connection rules as the application).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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


def head_revision() -> str | None:
    return ScriptDirectory(str(SCRIPT_LOCATION)).get_current_head()
