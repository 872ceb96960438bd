"""SQLite changes most columns by rebuilding the table (copy, DROP, rename). With foreign
keys on, that DROP deletes every row that references the table by ON DELETE CASCADE, or
fails where the reference forbids it. SQLite's own recipe, shared by the migrations that
rebuild a table others reference: switch foreign keys off *between* transactions,
rebuild, check every reference, switch them back on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op


@contextmanager
def foreign_keys_off_on_sqlite() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    yield
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rebuilding a table broke foreign keys: {broken}")
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = ON")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
