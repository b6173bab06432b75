"""The first store (55e495a, before release 0.1.0): meta, feeds, articles and matches.

Revision ID: 0001_core
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "feeds",
        sa.Column("url", sa.String(2000), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("body_hash", sa.String(64)),
        sa.Column("last_status", sa.String(20)),
        sa.Column("status_code", sa.Integer),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("last_attempt", sa.DateTime),
        sa.Column("last_success", sa.DateTime),
        sa.Column("failing_since", sa.DateTime),
        sa.Column("next_poll", sa.DateTime),
        sa.Column("dead", sa.Boolean, nullable=False),
        sa.Column("moved_to", sa.Text),
        sa.Column("item_uids", sa.Text, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("uid", sa.String(2000), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("published", sa.DateTime),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("feed_url", sa.String(2000), nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
    )
    for column in ("url", "published", "feed_url", "first_seen"):
        op.create_index(f"ix_articles_{column}", "articles", [column])
    op.create_table(
        "matches",
        sa.Column("uid", sa.String(2000), primary_key=True),
        sa.Column("rule_id", sa.String(200), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("hits", sa.Text, nullable=False),
        sa.Column("matched_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("matches", "articles", "feeds", "meta"):
        op.drop_table(table)
