"""Alembic environment: runs migrations on the engine handed over in ``config.attributes``."""

from alembic import context
from sqlalchemy import Engine

from envsched.models import metadata


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("envsched migrations run online only: use `envsched db upgrade`")
run_migrations_online()
