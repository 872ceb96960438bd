"""The Alembic migration builds exactly the schema the models describe, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from envsched import migrations
from envsched.models import metadata
from tests.envsched.factories import DAY0, Factory


def test_migrated_database_is_at_head(engine: Engine) -> None:
    assert migrations.current_revision(engine) == migrations.head_revision()


def test_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


@pytest.mark.parametrize("backend", ["postgresql"])  # the constraint is PostgreSQL's own
def test_postgresql_refuses_a_double_booking_even_from_raw_sql(
    engine: Engine, make_environment: Factory, make_booking: Factory
) -> None:
    env = make_environment()
    make_booking(env)
    insert = text(
        'INSERT INTO booking (environment_id, start, "end", pinned, note, status, exclusive, '
        "created_at, updated_at) VALUES (:env, :start, :end, false, '', 'confirmed', true, "
        "now(), now())"
    )
    with pytest.raises(IntegrityError, match="ex_booking_no_double_booking"), engine.begin() as c:
        c.execute(
            insert,
            {
                "env": env.id,
                "start": DAY0 + dt.timedelta(days=4),
                "end": DAY0 + dt.timedelta(days=6),
            },
        )
