"""Blank tags: strip the tags already stored and drop the blank ones (and repeats).

The edge took ``"tags": [""]`` and ``["  "]`` until it refused them; such a tag means
nothing, and it made every new what-if fail (the scenario file refuses blank tags). Tags
of environments and the required tags of phases, booking requests and template phases
are cleaned the way the edge now reads them (``limits.clean_tags``, restated here so the
migration does not change when the code does).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAG_COLUMNS = (
    ("environment", "tags"),
    ("phase", "required_tags"),
    ("booking_request", "required_tags"),
    ("template_phase", "required_tags"),
)


def upgrade() -> None:
    connection = op.get_bind()
    for table_name, column in TAG_COLUMNS:
        table = sa.table(
            table_name, sa.column("id", sa.Integer), sa.column(column, sa.JSON(none_as_null=True))
        )
        rows = connection.execute(sa.select(table.c.id, table.c[column])).all()
        for row_id, tags in rows:
            cleaned = _clean(tags)
            if cleaned != tags:
                connection.execute(
                    table.update().where(table.c.id == row_id).values({column: cleaned})
                )


def downgrade() -> None:
    """Nothing to restore: a blank tag carried no meaning."""


def _clean(tags: object) -> object:
    if not isinstance(tags, list):
        return tags
    kept = [tag.strip() if isinstance(tag, str) else tag for tag in tags]
    return list(dict.fromkeys(tag for tag in kept if tag != ""))
