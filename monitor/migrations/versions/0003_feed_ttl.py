"""feeds.ttl_minutes, a feed's own <ttl> (141fd63): the schema of release 0.1.0.

Revision ID: 0003_feed_ttl
Revises: 0002_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_feed_ttl"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("ttl_minutes", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("ttl_minutes")
