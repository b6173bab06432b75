"""The page cache, the key-value cache and the outbox (a108d70, before release 0.1.0).

Revision ID: 0002_outbox
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_outbox"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pages",
        sa.Column("url", sa.String(2000), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", sa.DateTime),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "cache",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("window_start", sa.DateTime),
        sa.Column("window_end", sa.DateTime, nullable=False),
        sa.Column("stories", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", sa.DateTime),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_index("ix_digests_channel", "digests", ["channel"])
    op.create_index("ix_digests_status", "digests", ["status"])
    op.create_table(
        "digest_parts",
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id"), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("ts", sa.String(64)),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_table(
        "posted",
        sa.Column("channel", sa.String(200), primary_key=True),
        sa.Column("uid", sa.String(2000), primary_key=True),
        sa.Column("story", sa.String(64), nullable=False),
        sa.Column("digest_id", sa.Integer, nullable=False),
        sa.Column("posted_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("posted", "digest_parts", "digests", "cache", "pages"):
        op.drop_table(table)
