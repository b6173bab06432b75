"""Slack delivery that keeps its word (issue 12).

- digests.claim_owner: who holds a claim (pid, host, process start), so a claim left by a
  killed process is taken over as soon as that process is provably gone;
- digests.channel_id: the Slack channel part 1 went to, so a resumed digest's replies
  land in the same thread;
- digests.origin: "digest" or "scan" (`scan --post`), which must not move the window;
- slack_channels: per [[channels]] entry, the channel id Slack gave (resolved once), whether
  lost answers can be looked up (the history scope), and a permanent error with the
  fingerprint of the setup it happened with (a hash, never the token).

Revision ID: 0005_slack_delivery
Revises: 0004_alembic
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_slack_delivery"
down_revision = "0004_alembic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_channels",
        sa.Column("channel", sa.String(200), primary_key=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("private", sa.Boolean),
        sa.Column("history", sa.String(20)),
        sa.Column("blocked_code", sa.String(64)),
        sa.Column("blocked_subject", sa.String(20)),
        sa.Column("blocked_error", sa.Text),
        sa.Column("blocked_fingerprint", sa.String(64)),
        sa.Column("blocked_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.add_column("digests", sa.Column("claim_owner", sa.String(400)))
    op.add_column("digests", sa.Column("channel_id", sa.String(32)))
    op.add_column("digests", sa.Column("origin", sa.String(20), nullable=False,
                                       server_default="digest"))


def downgrade() -> None:
    with op.batch_alter_table("digests") as batch:
        batch.drop_column("origin")
        batch.drop_column("channel_id")
        batch.drop_column("claim_owner")
    op.drop_table("slack_channels")
