"""Alembic keeps the schema's version from here on; meta.schema_version becomes 2.

Release 0.1.0 reads meta.schema_version and refuses a store above 1 as "written by a
newer monitor": so it refuses a store this release has upgraded, rather than failing
later on a table or column it does not know.

Revision ID: 0004_alembic
Revises: 0003_feed_ttl
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_alembic"
down_revision = "0003_feed_ttl"
branch_labels = None
depends_on = None

_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def _set_version(value: str) -> None:
    op.execute(_meta.delete().where(_meta.c.key == "schema_version"))
    op.execute(_meta.insert().values(key="schema_version", value=value))


def upgrade() -> None:
    _set_version("2")


def downgrade() -> None:
    _set_version("1")
