"""``envsched db upgrade`` / ``envsched db current``: create, migrate and inspect the database."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url

from envsched import migrations
from envsched.db import create_engine
from envsched.settings import Settings


@click.group("db")
def db() -> None:
    """Create, migrate and inspect the database named by ENVSCHED_DATABASE_URL."""


@db.command()
@click.option(
    "--revision", default="head", show_default=True, help="Migrate to this Alembic revision."
)
def upgrade(revision: str) -> None:
    """Create the database schema, or bring it up to date."""
    settings = Settings.from_env()
    migrations.upgrade_database(settings, revision)
    click.echo(f"{_shown(settings)} is at revision {_current(settings)}")


@db.command()
def current() -> None:
    """Print the database's revision and whether it is the newest."""
    settings = Settings.from_env()
    revision = _current(settings)
    state = "up to date" if revision == migrations.head_revision() else "needs `db upgrade`"
    click.echo(f"{_shown(settings)} is at revision {revision or 'none'} ({state})")


def _current(settings: Settings) -> str | None:
    engine = create_engine(settings)
    try:
        return migrations.current_revision(engine)
    finally:
        engine.dispose()


def _shown(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


COMMANDS = (db,)
